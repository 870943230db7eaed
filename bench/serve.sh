#!/usr/bin/env bash
# Benchmarks `mlflowctl serve` (issue figures for the server), in one run:
#   1. an endpoint serving the trained XGBoost model, one CSV row per request,
#      under wrk at 32 connections, beside nginx answering a static body on the
#      same machine with the same wrk command (requests/s ratio, p50/p99);
#   2. StartExecution of a trivial machine over the Step Functions API under
#      wrk: requests/s accepted and executions completed per second.
# Writes the "serve" section of bench/RESULTS.md (between its markers).
#
#   bash bench/serve.sh            (or: make bench-serve)
#
# Environment: MLFLOWCTL=/path/mlflowctl (else builds build-bench, Release),
# DURATION=10s, CONNECTIONS=32, WRK_THREADS=2, SERVE_THREADS=2,
# RAW_DIR (where raw outputs go; default build-bench/bench-raw).
# Installs wrk and nginx-light (apt-get) when missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=$ROOT/build-bench
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-2}
SERVE_THREADS=${SERVE_THREADS:-2}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  echo "installing $*" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v wrk >/dev/null || apt_install wrk
[ -x /usr/sbin/nginx ] || apt_install nginx-light
if [ -z "${MLFLOWCTL:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" -j "${BENCH_JOBS:-1}" --target mlflowctl
  MLFLOWCTL=$BUILD/mlflowctl
else
  MLFLOWCTL=$(realpath "$MLFLOWCTL")
fi

OUT=${RAW_DIR:-$BUILD/bench-raw}/serve-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=$(mktemp -d)
SERVE_PID="" NGINX_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
export MLFLOWCTL_HOME=$WORK/home
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {  # waits until something answers on 127.0.0.1:$1
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# ---- a trained model behind the endpoint "car-price" (the training workflow)
echo "== training" >&2
(cd "$ROOT" && "$MLFLOWCTL" run workflows/training.json --name bench -q --json >"$OUT/training.json")
test_csv=$MLFLOWCTL_HOME/s3/mlflowctl/executions/bench/data/test.csv
ROW=$(head -n 1 "$test_csv" | cut -d, -f2-)
EXPECTED=$("$MLFLOWCTL" endpoints invoke car-price --body "$ROW" --content-type text/csv | tr -d '\n')

# ---- wrk scripts
cat >"$WORK/invoke.lua" <<LUA
wrk.method = "POST"
wrk.body = "$ROW"
wrk.headers["Content-Type"] = "text/csv"
LUA
cat >"$WORK/start.lua" <<'LUA'
-- StartExecution with a unique name per request: each wrk thread has its own
-- Lua state; setup() gives each one a number (a global, set per thread).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
function request()
  counter = counter + 1
  local body = string.format(
    '{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:trivial","name":"w%d-%d","input":"{}"}',
    tid, counter)
  return wrk.format("POST", "/", {
    ["Content-Type"] = "application/x-amz-json-1.0",
    ["X-Amz-Target"] = "AWSStepFunctions.StartExecution"}, body)
end
LUA

WRK_PIN=()
run_wrk() {  # name url script; WRK_PIN=(taskset -c N) pins wrk
  local name=$1 url=$2 script=$3
  echo "${WRK_PIN[*]}${WRK_PIN[*]:+ }wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency -s $(basename "$script") $url" >>"$OUT/commands.txt"
  "${WRK_PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$url" >"$OUT/wrk_$name.txt"
}

# ---- nginx returning a static answer, and mlflowctl serve.
# start_servers WORKERS [CPU]: nginx with WORKERS worker processes and serve
# with WORKERS HTTP threads, both on CPU (taskset) when given.
start_servers() {
  local workers=$1 pin=()
  [ -n "${2:-}" ] && pin=(taskset -c "$2")
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/nginx/logs"
  cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
worker_processes $workers;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type text/csv; return 200 "$EXPECTED\n"; }
  }
}
CONF
  "${pin[@]}" /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  NGINX_PID=$!
  wait_port "$NGINX_PORT"
  SERVE_PORT=$(free_port)
  "${pin[@]}" "$MLFLOWCTL" serve --port "$SERVE_PORT" --threads "$workers" --quiet 2>>"$OUT/serve.log" &
  SERVE_PID=$!
  wait_port "$SERVE_PORT"
  local got
  got=$(curl -sf -H 'Content-Type: text/csv' --data-binary "$ROW" "http://127.0.0.1:$SERVE_PORT/endpoints/car-price/invocations" | tr -d '\n')
  [ "$got" = "$EXPECTED" ] || { echo "serve answered '$got', endpoints invoke '$EXPECTED'" >&2; exit 1; }
}
stop_servers() {  # SIGTERM both; serve writes its capture files on the way out
  kill -TERM "$SERVE_PID" "$NGINX_PID"
  wait "$SERVE_PID" || true
  wait "$NGINX_PID" || true
  SERVE_PID="" NGINX_PID=""
}

start_servers "$SERVE_THREADS"
echo "== wrk: nginx, then the endpoint" >&2
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/" "$WORK/invoke.lua"
run_wrk endpoint "http://127.0.0.1:$SERVE_PORT/endpoints/car-price/invocations" "$WORK/invoke.lua"

echo "== wrk: StartExecution" >&2
cat >"$WORK/trivial.json" <<'JSON'
{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"ok": true}, "End": true}}}
JSON
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_CONFIG_FILE=/dev/null AWS_PAGER="" \
  python3 - "$SERVE_PORT" "$WORK/trivial.json" <<'PY'
import json, sys, urllib.request
port, path = sys.argv[1], sys.argv[2]
body = json.dumps({"name": "trivial", "definition": open(path).read(),
                   "roleArn": "arn:aws:iam::123456789012:role/bench"}).encode()
req = urllib.request.Request("http://127.0.0.1:%s/" % port, data=body, headers={
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "AWSStepFunctions.CreateStateMachine"})
urllib.request.urlopen(req).read()
PY
run_wrk start "http://127.0.0.1:$SERVE_PORT/" "$WORK/start.lua"
# Let the last executions finish, then stop the servers cleanly (SIGTERM).
sleep 2
stop_servers
sqlite3 "$MLFLOWCTL_HOME/mlflowctl.db" \
  "SELECT status, COUNT(*), MIN(start_ms), MAX(stop_ms) FROM executions
   WHERE state_machine_name = 'trivial' GROUP BY status" >"$OUT/executions.txt"

# ---- the same endpoint figures with the load generator on a core of its own:
# wrk (one thread) on CPU 0, nginx (one worker) or serve (one HTTP thread) on
# CPU 1, so the servers' latency is not the scheduling of wrk's threads.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  echo "== wrk on CPU 0, servers on CPU 1" >&2
  start_servers 1 1
  shared_threads=$WRK_THREADS
  WRK_PIN=(taskset -c 0) WRK_THREADS=1
  run_wrk nginx_pinned "http://127.0.0.1:$NGINX_PORT/" "$WORK/invoke.lua"
  run_wrk endpoint_pinned "http://127.0.0.1:$SERVE_PORT/endpoints/car-price/invocations" "$WORK/invoke.lua"
  WRK_PIN=() WRK_THREADS=$shared_threads
  stop_servers
fi

{
  echo "date_utc=$(date -u +%FT%TZ)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "nproc=$(nproc)"
  echo "git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "nginx=$(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2)"
  echo "wrk=$(wrk --version 2>&1 | head -n1 | awk '{print $2}')"
  echo "duration=$DURATION connections=$CONNECTIONS wrk_threads=$WRK_THREADS serve_threads=$SERVE_THREADS"
} >"$OUT/env.txt"
python3 "$HERE/report.py" serve "$OUT" "$HERE/RESULTS.md"
echo "wrote the serve section of bench/RESULTS.md (raw: $OUT)" >&2
