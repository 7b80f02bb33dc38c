#!/usr/bin/env bash
# `npm run test:slurm`: the Slurm agent's suite against a real Slurm (scripts/slurm-local.sh). Where Slurm cannot be
# installed (no apt-get, no package), it says so and skips, except under CI=true, where that fails the run. A Slurm
# that is installed but does not start is a failure, never a skip. The daemons are stopped however the suite ends.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/slurm-local.sh start
started=$?
if [ "$started" = 3 ] && [ "${CI:-}" != "true" ]; then
  echo "test:slurm: SKIPPED: Slurm (slurm-wlm, munge) cannot be installed on this machine" >&2
  exit 0
fi
if [ "$started" != 0 ]; then
  echo "test:slurm: FAILED: Slurm (slurm-wlm, munge) did not start (scripts/slurm-local.sh start exited $started)" >&2
  exit 1
fi
trap 'bash scripts/slurm-local.sh stop' EXIT
eval "$(bash scripts/slurm-local.sh env)"
npx jest --runInBand test/slurm "$@"
