#!/usr/bin/env bash
# Wall time of `theorems verify --profile thorough`: a local pool of 2 processes against a local
# Dask cluster with 2 single-threaded workers on the same 2 cores (issue 14: the figure is the
# cluster's overhead, not a speed-up). Writes the JSON reports and a timing log (wall and CPU
# seconds of every process involved) to OUT. Run it on a quiet machine: nothing else may run.
#   usage: benchmarks/thorough_wall_times.sh OUT_DIR [local|dask|both] [PROFILE] [SEED]
set -euo pipefail
OUT=${1:?usage: thorough_wall_times.sh OUT_DIR [local|dask|both] [PROFILE] [SEED]}
MODE=${2:-both}
PROFILE=${3:-thorough}
SEED=${4:-0}
PORT=${PORT:-8799}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$OUT"   # not the checkout: python -c / -m would import from the current directory
log() { echo "$(date -u +%FT%TZ) $*" | tee -a "$OUT/times.log"; }
log "git $(cd "$(dirname "$(python -c 'import theorems; print(theorems.__file__)')")" && git rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $MODE == local || $MODE == both ]]; then
  log "local --jobs 2 profile=$PROFILE seed=$SEED start"
  /usr/bin/time -f "local (client + pool): wall %e s, user %U s, sys %S s" -a -o "$OUT/times.log" \
    theorems verify --profile "$PROFILE" --seed "$SEED" --jobs 2 --json "$OUT/local.json" \
    >"$OUT/local.out" 2>&1 || log "local exit $?"
  log "local done; load $(cut -d' ' -f1-3 /proc/loadavg)"
fi

if [[ $MODE == dask || $MODE == both ]]; then
  /usr/bin/time -f "dask scheduler: wall %e s, user %U s, sys %S s" -a -o "$OUT/times.log" \
    dask scheduler --host 127.0.0.1 --port "$PORT" --no-dashboard >"$OUT/scheduler.log" 2>&1 &
  sleep 3
  for w in w1 w2; do
    /usr/bin/time -f "dask worker $w (nanny + worker): wall %e s, user %U s, sys %S s" -a -o "$OUT/times.log" \
      dask worker "tcp://127.0.0.1:$PORT" --host 127.0.0.1 --nworkers 1 --nthreads 1 --no-dashboard \
      --name "$w" >"$OUT/worker-$w.log" 2>&1 &
  done
  sleep 8
  log "dask 2 workers profile=$PROFILE seed=$SEED start"
  /usr/bin/time -f "dask client: wall %e s, user %U s, sys %S s" -a -o "$OUT/times.log" \
    theorems verify --profile "$PROFILE" --seed "$SEED" --scheduler "tcp://127.0.0.1:$PORT" \
    --json "$OUT/dask.json" >"$OUT/dask.out" 2>&1 || log "dask exit $?"
  log "dask done; load $(cut -d' ' -f1-3 /proc/loadavg)"
  pkill -TERM -f "dask worker tcp://127.0.0.1:$PORT" || true
  sleep 3
  pkill -TERM -f "dask scheduler --host 127.0.0.1 --port $PORT" || true
  wait || true
fi
