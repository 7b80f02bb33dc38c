#!/usr/bin/env bash
# `npm run test:slurm`: the Slurm agent's suite against a real Slurm (scripts/slurm-local.sh). Where Slurm cannot be
# installed or started (no apt-get, not root), it says so and skips instead of failing.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! bash scripts/slurm-local.sh start; then
  echo "test:slurm: SKIPPED: Slurm (slurm-wlm, munge) could not be installed or started on this machine" >&2
  exit 0
fi
eval "$(bash scripts/slurm-local.sh env)"
npx jest --runInBand test/slurm "$@"
status=$?
bash scripts/slurm-local.sh stop
exit $status
