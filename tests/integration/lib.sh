# Shared by the integration tests (sourced): a temporary MLFLOWCTL_HOME,
# checks that count, and a `serve` on a free port stopped on exit.
# Before sourcing, set BIN to the mlflowctl binary. Sets WORK (removed on
# exit) and MLFLOWCTL_HOME; PY is the Python used for JSON (default python3).

WORK=$(mktemp -d)
export MLFLOWCTL_HOME="$WORK/home"
PY=${PY:-python3}
SERVER_PID=""
passed=0
failed=0

lib_cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap lib_cleanup EXIT

check() {  # check NAME COMMAND...: the command must succeed
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name"
  fi
}

json_get() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# start_server [ARGS...]: `mlflowctl serve --port 0 ARGS` with its log in
# $WORK/serve.log (appended); sets SERVER_PID and PORT once it listens. Looks
# for the "listening" line every SERVER_POLL_SECONDS (0.1), for up to 30 s.
start_server() {
  local from=0 poll=${SERVER_POLL_SECONDS:-0.1} deadline=$((SECONDS + 30))
  [ -f "$WORK/serve.log" ] && from=$(wc -l < "$WORK/serve.log")
  "$BIN" serve --port 0 "$@" 2>> "$WORK/serve.log" &
  SERVER_PID=$!
  PORT=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    PORT=$(tail -n +"$((from + 1))" "$WORK/serve.log" |
      sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' | tail -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep "$poll"
  done
  echo "server did not start:"
  cat "$WORK/serve.log"
  exit 1
}

# stop_server: SIGTERM; returns the server's exit code.
stop_server() {
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID"
  local rc=$?
  SERVER_PID=""
  return $rc
}

# finish NAME: prints the counts; exits 1 if a check failed.
finish() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
