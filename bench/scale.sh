#!/usr/bin/env bash
# Issue 7's scale figures, in one bounded run (3-5 minutes after the build):
#   1. 10,000 concurrent executions of workflows/training_pipeline.json started
#      through one `mlflowctl serve` (StartExecution over the API from a bounded
#      client): executions per second from the first start to the last stop, and
#      every history checked against an uninterrupted `run` of the same workflow;
#   2. history queries with 1,000,000 events in the store, populated by really
#      running executions through serve (100,000 executions: one-Pass ones and
#      ones with 1,000-event histories): the in-process cost of the query plus
#      the CLI's --json rendering (bench/tools/scale_query_bench), and whole
#      `mlflowctl executions ... --json` processes under hyperfine;
#   3. memory per waiting execution: 10,000 executions parked in a Wait state in
#      one serve, VmRSS before and after, then all stopped over the API.
# Writes the scale section of bench/RESULTS.md (between its markers).
#
#   bash bench/scale.sh            (or: make bench-scale)
#
# Environment: MLFLOWCTL and QUERY_BENCH (binaries; else builds both into
# build-bench, Release), CONCURRENT (10000), REPEATS (3, for part 1),
# SMALL (99350) and LONG (650) executions for part 2, REPS (1000 queries per
# figure), WAITING (10000), SERVE_THREADS (2), the client's CLIENT_PROCESSES (2)
# x CLIENT_THREADS (4) connections sending WINDOW (32) pipelined requests at a
# time, BENCH_JOBS (1), BUILD_DIR (build-bench; raw outputs go to
# BUILD_DIR/bench-raw/scale-<UTC time>/). Installs hyperfine when missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${BUILD_DIR:-$ROOT/build-bench}
CONCURRENT=${CONCURRENT:-10000}
REPEATS=${REPEATS:-3}
SMALL=${SMALL:-99350}
LONG=${LONG:-650}
REPS=${REPS:-1000}
WAITING=${WAITING:-10000}
SERVE_THREADS=${SERVE_THREADS:-2}
CLIENT_THREADS=${CLIENT_THREADS:-4}
WINDOW=${WINDOW:-32}
CLIENT_PROCESSES=${CLIENT_PROCESSES:-2}
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v hyperfine >/dev/null; then
  echo "installing hyperfine" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
if [ -z "${MLFLOWCTL:-}" ] || [ -z "${QUERY_BENCH:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "${BENCH_JOBS:-1}" --target mlflowctl scale_query_bench
  MLFLOWCTL=${MLFLOWCTL:-$BUILD/mlflowctl}
  QUERY_BENCH=${QUERY_BENCH:-$BUILD/scale_query_bench}
fi
MLFLOWCTL=$(realpath "$MLFLOWCTL")
QUERY_BENCH=$(realpath "$QUERY_BENCH")

OUT=$BUILD/bench-raw/scale-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then
    kill -TERM "$SERVE_PID" 2>/dev/null || true
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
LOAD="$PY $HERE/tools/sfn_load.py"
CHECK="$PY $HERE/tools/scale_report.py"
ACCOUNT=arn:aws:states:us-east-1:123456789012
log() { echo "== $*" >&2; }
note() { echo "$*" >>"$OUT/commands.txt"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# start_serve HOME: `mlflowctl serve` on a free loopback port (SERVE_PID, PORT).
start_serve() {
  mkdir -p "$1"
  MLFLOWCTL_HOME=$1 "$MLFLOWCTL" serve --port 0 --threads "$SERVE_THREADS" --quiet \
    2>"$1/serve.log" &
  SERVE_PID=$!
  PORT=""
  for _ in $(seq 100); do
    # The log may not exist yet: serve opens it as it starts.
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$1/serve.log" \
      2>/dev/null | tail -1 || true)
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not start:" >&2
  cat "$1/serve.log" >&2
  exit 1
}
stop_serve() {  # SIGTERM and wait; serve syncs the store on the way out
  kill -TERM "$SERVE_PID"
  wait "$SERVE_PID" || { echo "serve exited with $?" >&2; exit 1; }
  SERVE_PID=""
}
# wait_done DB MACHINE N SECONDS: until N executions of MACHINE have ended.
wait_done() {
  $CHECK wait-done "$1" "$2" "$3" "$4" || { echo "executions of $2 did not end" >&2; exit 1; }
}

{
  echo "date_utc=$(date -u +%FT%TZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "nproc=$(nproc)"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+changes')"
  echo "sqlite=$($PY -c 'import sqlite3; print(sqlite3.sqlite_version)')"
  echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
  echo "python=$($PY -c 'import sys; print(sys.version.split()[0])')"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "serve_threads=$SERVE_THREADS"
  echo "client=$CLIENT_PROCESSES processes x $CLIENT_THREADS connections, $WINDOW pipelined requests at a time"
  echo "concurrent=$CONCURRENT repeats=$REPEATS small=$SMALL long=$LONG reps=$REPS waiting=$WAITING"
} >"$OUT/env.txt"

# ---- 1. concurrent training_pipeline executions through one serve
log "reference: one uninterrupted run of training_pipeline"
REF=$WORK/ref
mkdir -p "$REF"
(cd "$HERE/workflows" && MLFLOWCTL_HOME=$REF "$MLFLOWCTL" run training_pipeline.json \
  --input-file input_training_pipeline.json --name reference -q --json >"$OUT/reference.json")
INPUT=$(cat "$HERE/workflows/input_training_pipeline.json")
note "mlflowctl run training_pipeline.json --input-file input_training_pipeline.json (reference history)"
for i in $(seq "$REPEATS"); do
  log "concurrent $i/$REPEATS: $CONCURRENT training_pipeline executions through one serve"
  HOME_I=$WORK/concurrent-$i
  start_serve "$HOME_I"
  MACHINE=$($LOAD "$PORT" create training_pipeline "$HERE/workflows/training_pipeline.json")
  $LOAD "$PORT" start "$MACHINE" "$CONCURRENT" c --input "$INPUT" \
    --threads "$CLIENT_THREADS" --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 120 \
    >"$OUT/concurrent_start_$i.json"
  wait_done "$HOME_I/mlflowctl.db" training_pipeline "$CONCURRENT" 120
  echo "{\"rss_kib\": $(rss_kib "$SERVE_PID"), \"hwm_kib\": $(hwm_kib "$SERVE_PID")}" \
    >"$OUT/concurrent_rss_$i.json"
  stop_serve
  $CHECK check-concurrent "$HOME_I/mlflowctl.db" "$REF/mlflowctl.db" training_pipeline \
    "$CONCURRENT" >"$OUT/concurrent_check_$i.json"
  rm -rf "$HOME_I"
done
note "mlflowctl serve --port 0 --threads $SERVE_THREADS --quiet; CreateStateMachine training_pipeline"
note "sfn_load.py PORT start training_pipeline $CONCURRENT c --input <input_training_pipeline.json> --threads $CLIENT_THREADS --processes $CLIENT_PROCESSES --window $WINDOW   (x$REPEATS, fresh store each)"

# ---- 2. history queries with 1,000,000 events in the store
log "history store: $SMALL one-Pass and $LONG 1,000-event executions through serve"
QHOME=$WORK/query
start_serve "$QHOME"
cat >"$WORK/small.json" <<'JSON'
{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}
JSON
# 499 Pass states: ExecutionStarted + 499 x (Entered, Exited) + ExecutionSucceeded = 1,000 events.
$PY - "$WORK/long.json" <<'PY'
import json, sys
n = 499
states = {}
for i in range(n):
    s = {"Type": "Pass", "Parameters": {"step": i, "model.$": "$.model", "lr.$": "$.hyper.lr"},
         "ResultPath": "$.last"}
    if i + 1 < n:
        s["Next"] = "Step%03d" % (i + 1)
    else:
        s["End"] = True
    states["Step%03d" % i] = s
json.dump({"Comment": "499 Pass states, 1,000 history events", "StartAt": "Step000",
           "States": states}, open(sys.argv[1], "w"))
PY
SMALL_ARN=$($LOAD "$PORT" create small "$WORK/small.json")
LONG_ARN=$($LOAD "$PORT" create long "$WORK/long.json")
$LOAD "$PORT" start "$SMALL_ARN" $((SMALL + LONG)) q --other-arn "$LONG_ARN" \
  --other-count "$LONG" --other-input "$INPUT" --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 240 >"$OUT/query_populate.json"
wait_done "$QHOME/mlflowctl.db" small "$SMALL" 120
wait_done "$QHOME/mlflowctl.db" long "$LONG" 120
stop_serve
note "sfn_load.py PORT start small $((SMALL + LONG)) q --other-arn long --other-count $LONG (one-Pass machine; 499-Pass machine, 1,000 events)"
$CHECK store-stats "$QHOME/mlflowctl.db" >"$OUT/query_store.json"
# A 1,000-event execution from the middle of the population.
NAME=$($CHECK pick-long "$QHOME/mlflowctl.db" long)
log "in-process queries ($REPS each, 3 processes) on execution $NAME"
for i in 1 2 3; do
  "$QUERY_BENCH" "$QHOME/mlflowctl.db" "$NAME" "$REPS" >"$OUT/query_bench_$i.jsonl"
done
note "scale_query_bench DB $NAME $REPS   (x3 processes)"
log "whole CLI processes (hyperfine)"
export MLFLOWCTL_HOME=$QHOME
"$MLFLOWCTL" executions history "$NAME" --json >"$WORK/history.json"
"$MLFLOWCTL" executions list --limit 100 --json >"$WORK/list.json"
$CHECK check-cli "$WORK/history.json" "$WORK/list.json" >"$OUT/query_cli_check.json"
hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/hyperfine_queries.json" \
  "$MLFLOWCTL executions history $NAME --json" \
  "$MLFLOWCTL executions list --limit 100 --json" \
  "$MLFLOWCTL --version" >"$OUT/hyperfine_queries.txt"
unset MLFLOWCTL_HOME
note "hyperfine -N --warmup 3 --runs 30 'mlflowctl executions history $NAME --json' 'mlflowctl executions list --limit 100 --json' 'mlflowctl --version'"
rm -rf "$QHOME"

# ---- 3. memory per execution parked in a Wait state
log "waiting: $WAITING executions parked in a Wait state in one serve"
WHOME=$WORK/wait
start_serve "$WHOME"
cat >"$WORK/park.json" <<'JSON'
{"StartAt": "Park", "States": {"Park": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
 "Done": {"Type": "Pass", "End": true}}}
JSON
PARK_ARN=$($LOAD "$PORT" create park "$WORK/park.json")
SMALL_ARN=$($LOAD "$PORT" create small "$WORK/small.json")
# Warm-up: the HTTP, API, engine and store paths once (executions that end).
$LOAD "$PORT" start "$SMALL_ARN" 1000 warm --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 60 >"$OUT/wait_warmup.json"
wait_done "$WHOME/mlflowctl.db" small 1000 60
sleep 1
RSS_BEFORE=$(rss_kib "$SERVE_PID")
$LOAD "$PORT" start "$PARK_ARN" "$WAITING" w --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 120 --arns "$WORK/parked.txt" >"$OUT/wait_start.json"
RUNNING=$($LOAD "$PORT" count-running "$PARK_ARN")
$LOAD "$PORT" last-events "$WORK/parked.txt" 200 >"$OUT/wait_last_events.json"
sleep 1
RSS_PARKED=$(rss_kib "$SERVE_PID")
sleep 2
RSS_PARKED2=$(rss_kib "$SERVE_PID")
$LOAD "$PORT" stop "$WORK/parked.txt" --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 120 >"$OUT/wait_stop.json"
RUNNING_AFTER=$($LOAD "$PORT" count-running "$PARK_ARN")
sleep 1
RSS_STOPPED=$(rss_kib "$SERVE_PID")
# A second batch parked after the first was stopped: does it reuse the memory?
$LOAD "$PORT" start "$PARK_ARN" "$WAITING" v --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 120 --arns "$WORK/parked2.txt" \
  >"$OUT/wait_start2.json"
sleep 1
RSS_SECOND=$(rss_kib "$SERVE_PID")
$LOAD "$PORT" stop "$WORK/parked2.txt" --threads "$CLIENT_THREADS" \
  --processes "$CLIENT_PROCESSES" --window "$WINDOW" --timeout 120 >"$OUT/wait_stop2.json"
RUNNING_AFTER2=$($LOAD "$PORT" count-running "$PARK_ARN")
HWM=$(hwm_kib "$SERVE_PID")
stop_serve
cat >"$OUT/wait_rss.json" <<JSON
{"before_kib": $RSS_BEFORE, "parked_kib": $RSS_PARKED, "parked_later_kib": $RSS_PARKED2,
 "stopped_kib": $RSS_STOPPED, "second_batch_kib": $RSS_SECOND, "hwm_kib": $HWM,
 "running_parked": $RUNNING, "running_after_stop": $RUNNING_AFTER,
 "running_after_second_stop": $RUNNING_AFTER2}
JSON
$CHECK check-waiting "$WHOME/mlflowctl.db" park $((2 * WAITING)) >"$OUT/wait_check.json"
note "sfn_load.py PORT start small 1000 warm; VmRSS; sfn_load.py PORT start park $WAITING w (Wait 3600 s); ListExecutions RUNNING; VmRSS after 1 s and 3 s; sfn_load.py PORT stop (StopExecution each); VmRSS; the same batch again (v-*), VmRSS, stopped"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
$CHECK write "$OUT" "$HERE/RESULTS.md"
echo "wrote the scale section of bench/RESULTS.md (raw: $OUT)" >&2
