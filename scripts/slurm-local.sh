#!/usr/bin/env bash
# A small Slurm for the tests, on this machine: munged, slurmctld and SLURM_NODES slurmd daemons (default 2, nodes
# gpu-1, gpu-2, ...; several slurmd on one host, each with its own port), with their own config, state, spool,
# sockets and ports under one folder. Each node has 8 GPUs declared as gres on /dev/tty[0-7] (no real GPUs needed).
# Reservations are by node: without slurmdbd, Slurm 22.05 cannot reserve a number of GPUs (TRES=gres/gpu=N needs
# AccountingStorageTRES, which needs slurmdbd), so one node (8 GPUs) is the unit a lease reserves.
#   scripts/slurm-local.sh start    install slurm-wlm and munge with apt-get if missing, write the config, start
#                                   (exit 3: they cannot be installed here; exit 1: they did not start, and
#                                   whatever did start is stopped again, so no daemon is left behind)
#   scripts/slurm-local.sh stop     stop the daemons (the folder stays)
#   scripts/slurm-local.sh env      print the environment the Slurm commands need (eval "$(... env)")
#   scripts/slurm-local.sh run -- CMD...   start, run CMD with that environment, stop (CMD's status is kept)
# SLURM_HOME_DIR (default /tmp/slurm-local), SLURM_PORT (default 16817; node i's slurmd uses SLURM_PORT+i).
set -euo pipefail
dir="${SLURM_HOME_DIR:-/tmp/slurm-local}"
port="${SLURM_PORT:-16817}"
host="$(hostname -s)"
nodes="${SLURM_NODES:-2}"
conf="$dir/slurm.conf"

need() {
  command -v slurmctld > /dev/null && command -v munged > /dev/null && return
  local sudo
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  { DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slurm-wlm munge > /dev/null \
    || { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq slurm-wlm munge > /dev/null; }; } \
    || { echo "slurm-wlm and munge cannot be installed here (apt-get failed)" >&2; exit 3; }
}

configure() {
  # Each start is a fresh Slurm: no nodes left drained, no reservations or jobs from an earlier run.
  rm -rf "$dir/state" "$dir/spool"
  # The socket's folder is open to every user (they all run srun); the key's is root's alone.
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/munge-key" "$dir/log"
  chmod 755 "$dir" "$dir/munge"
  chmod 700 "$dir/munge-key"
  [ -f "$dir/munge-key/munge.key" ] || { dd if=/dev/urandom of="$dir/munge-key/munge.key" bs=1024 count=1 status=none; chmod 400 "$dir/munge-key/munge.key"; }
  local cpus memory
  cpus="$(nproc)"
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  cat > "$conf" <<CONF
ClusterName=exchange-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
PartitionName=gpu Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  : > "$dir/gres.conf"
  for i in $(seq 1 "$nodes"); do
    echo "NodeName=gpu-$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((port + i)) CPUs=$cpus RealMemory=$memory Gres=gpu:8 State=UNKNOWN" >> "$conf"
    echo "NodeName=gpu-$i Name=gpu File=/dev/tty[0-7]" >> "$dir/gres.conf"
    mkdir -p "$dir/spool/gpu-$i"
  done
  # slurm.conf finds gres.conf beside it; the plugin stack conf from the package is kept out of the way.
  : > "$dir/plugstack.conf"
}

start() {
  need
  stop # whatever an earlier run left
  configure
  munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge-key/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge-key/munged.seed" -f
  SLURM_CONF="$conf" slurmctld
  for i in $(seq 1 "$nodes"); do SLURM_CONF="$conf" slurmd -N "gpu-$i"; done
  for _ in $(seq 1 60); do
    if [ "$(SLURM_CONF="$conf" sinfo -h -N -o '%T' 2> /dev/null | grep -cE '^(idle|mixed|allocated)')" = "$nodes" ]; then
      echo "slurm started: $nodes nodes (gpu-1..gpu-$nodes) with 8 GPUs each (gres), config $conf"
      return
    fi
    sleep 0.5
  done
  echo "slurm did not come up; logs in $dir/log" >&2
  tail -n 20 "$dir"/log/*.log >&2 || true
  stop
  exit 1
}

stop() {
  for pid in "$dir"/slurmd-*.pid "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2> /dev/null || true
  done
  # munged's pid file names the process that wrote it, not always the daemon: find it by its socket too.
  pkill -f "munged --socket=$dir/munge/munge.socket" 2> /dev/null || true
  for _ in $(seq 1 40); do
    pgrep -f "slurmctld|slurmd -N|munged --socket=$dir" > /dev/null || break
    sleep 0.25
  done
  rm -f "$dir"/*.pid "$dir/munge/munged.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$conf" ;;
  run)
    shift
    [ "${1:-}" = "--" ] && shift
    start
    set +e
    SLURM_CONF="$conf" "$@"
    status=$?
    stop
    exit $status
    ;;
  *) echo "usage: $0 start|stop|env|run -- CMD..." >&2; exit 2 ;;
esac
