#!/usr/bin/env bash
# Triggers running inside `mlflowctl serve`: a file dropped into a watched
# folder starts an execution with the S3 "Object Created" event as input,
# and an execution's end starts the machine chained to it (schedules are
# covered in virtual time by the unit tests).
# Every firing shows in `triggers history`. A restart does not fire a file
# twice.
# Usage: serve_triggers_test.sh MLFLOWCTL_BINARY
set -u
BIN=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$WORK"
# eventually N COMMAND...: retries the command every 0.2 s, at most N times.
eventually() {
  local n=$1
  shift
  for _ in $(seq 1 "$n"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}
count_executions() {  # MACHINE: executions that SUCCEEDED
  "$BIN" executions list --machine "$1" --status SUCCEEDED --json |
    python3 -c "import json,sys; print(len(json.load(sys.stdin)['executions']))"
}
at_least() { test "$(count_executions "$1")" -ge "$2"; }  # MACHINE N

# Machines: `ingest` echoes its input, `report` runs after it.
cat > echo.json <<'JSON'
{"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": true}}}
JSON
"$BIN" run echo.json --machine-name ingest -q >/dev/null
"$BIN" run echo.json --machine-name report -q >/dev/null
mkdir -p drop
check "add watch" "$BIN" triggers add --name on-drop --machine ingest --watch drop
check "add chain" "$BIN" triggers add --name after-ingest --machine report --on-execution ingest

start_server
printf 'price,mileage\n1,2\n' > drop/cars.csv
check "dropped file starts ingest" eventually 100 at_least ingest 2
check "ingest's end starts report" eventually 100 at_least report 2
"$BIN" executions list --machine ingest --json > list.json
newest=$(python3 -c "import json; print(json.load(open('list.json'))['executions'][0]['executionArn'])")
"$BIN" executions describe "$newest" --json > describe.json
check "input is the Object Created event" python3 - <<'PY'
import json
d = json.load(open("describe.json"))
event = json.loads(d["input"])
assert event["detail-type"] == "Object Created", event
assert event["source"] == "aws.s3", event
assert event["detail"]["object"]["key"] == "cars.csv", event
assert event["detail"]["object"]["size"] == 18, event
assert event["detail"]["bucket"]["name"] == "drop", event
PY
check "history shows the firing" bash -c "'$BIN' triggers history on-drop | grep -q cars.csv"
check "chain history shows the firing" bash -c "'$BIN' triggers history after-ingest | grep -q ingest"
stop_server

# A restart does not fire the same file again.
start_server
sleep 2
check "file not fired twice" test "$(count_executions ingest)" -eq 2
stop_server

finish serve_triggers_test
