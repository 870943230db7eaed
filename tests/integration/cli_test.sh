#!/usr/bin/env bash
# Black-box tests of the mlflowctl command line: examples, exit codes, JSON
# output, history in SQLite, command tasks with timeouts.
# Usage: cli_test.sh MLFLOWCTL_BINARY REPO_ROOT
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export MLFLOWCTL_HOME="$WORK/home"
cd "$ROOT"
passed=0
failed=0
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
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# Every example runs and succeeds.
for dir in examples/*/; do
  def=$(ls "$dir"*.json | grep -v input.json | head -1)
  input="$dir/input.json"
  args=()
  [ -f "$input" ] && args=(--input-file "$input")
  check "example $dir" "$BIN" run "$def" "${args[@]}" -q --json > "$WORK/out.json"
  check "example $dir succeeded" test "$(json_get 'd["status"]' < "$WORK/out.json")" = SUCCEEDED
done

# A 1,000-state Pass chain records 2,002 events that history prints in order.
python3 - "$WORK/chain.json" <<'PY'
import json, sys
n = 1000
states = {f"S{i}": {"Type": "Pass", "Result": i, "ResultPath": "$.last",
                    **({"Next": f"S{i+1}"} if i + 1 < n else {"End": True})} for i in range(n)}
json.dump({"StartAt": "S0", "States": states}, open(sys.argv[1], "w"))
PY
check "pass chain runs" "$BIN" run "$WORK/chain.json" --name chain-1 -q --json > "$WORK/chain-out.json"
check "pass chain output" test "$(json_get 'd["output"]["last"]' < "$WORK/chain-out.json")" = 999
"$BIN" executions history chain-1 --json > "$WORK/hist.json"
check "history has 2002 events" test "$(json_get 'len(d["events"])' < "$WORK/hist.json")" = 2002
check "history ids dense and ordered" test \
  "$(json_get 'all(e["id"] == i + 1 for i, e in enumerate(d["events"]))' < "$WORK/hist.json")" = True
check "history starts and ends" test \
  "$(json_get 'd["events"][0]["type"] + " " + d["events"][-1]["type"]' < "$WORK/hist.json")" = \
  "ExecutionStarted ExecutionSucceeded"
"$BIN" executions history chain-1 --json --reverse --limit 1 > "$WORK/rev.json"
check "history reverse" test "$(json_get 'd["events"][0]["id"]' < "$WORK/rev.json")" = 2002
check "history table" bash -c "'$BIN' executions history chain-1 | grep -q PassStateEntered"

# A failing execution: exit 1, error and cause in --json, listed as FAILED.
cat > "$WORK/fail.json" <<'JSON'
{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Mlflow.Broken", "Cause": "on purpose"}}}
JSON
"$BIN" run "$WORK/fail.json" --name broken-1 -q --json > "$WORK/fail-out.json"
check "failed execution exits 1" test $? -eq 1
check "failed execution error" test "$(json_get 'd["error"]' < "$WORK/fail-out.json")" = Mlflow.Broken
check "list --status FAILED" bash -c "'$BIN' executions list --status FAILED | grep -q broken-1"
check "describe --json" bash -c "'$BIN' executions describe broken-1 --json | grep -q '\"status\": \"FAILED\"'"

# Invalid definitions and inputs exit 2 and say where.
cat > "$WORK/bad.json" <<'JSON'
{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Next": "Nowhere"}
  }
}
JSON
"$BIN" validate "$WORK/bad.json" 2> "$WORK/bad.err"
check "validate exits 2" test $? -eq 2
check "validate names the pointer" grep -q "/States/A/Next" "$WORK/bad.err"
check "validate names line:col" grep -q "bad.json:4:" "$WORK/bad.err"
"$BIN" run "$WORK/bad.json" 2> /dev/null
check "run of an invalid definition exits 2" test $? -eq 2
printf '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}' > "$WORK/trunc.json"
"$BIN" validate "$WORK/trunc.json" 2> "$WORK/trunc.err"
check "truncated JSON exits 2" test $? -eq 2
check "truncated JSON has line:col" grep -q "trunc.json:1:" "$WORK/trunc.err"
"$BIN" run examples/quickstart/hello.json --input '{"dataset": ' 2> "$WORK/input.err"
check "malformed input exits 2" test $? -eq 2
"$BIN" run "$WORK/missing.json" 2> /dev/null
check "missing file exits 2" test $? -eq 2

# mlflowctl:command: TimeoutSeconds kills a command that runs too long.
cat > "$WORK/slow.json" <<'JSON'
{"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "mlflowctl:command",
  "Parameters": {"Command": ["sleep", "30"]}, "TimeoutSeconds": 1, "End": true}}}
JSON
start=$(date +%s)
"$BIN" run "$WORK/slow.json" -q --json > "$WORK/slow-out.json"
check "timeout fails the task" test "$(json_get 'd["error"]' < "$WORK/slow-out.json")" = States.Timeout
check "timeout does not wait for the command" test $(( $(date +%s) - start )) -lt 10

# mlflowctl:command: stdout JSON is the result; stderr names the error.
cat > "$WORK/cmd.json" <<'JSON'
{"StartAt": "Echo", "States": {
  "Echo": {"Type": "Task", "Resource": "mlflowctl:command",
    "Parameters": {"Command": ["python3", "-c", "import json,sys; d=json.load(sys.stdin); print(json.dumps({'sum': d['a'] + d['b']}))"],
                   "Payload": {"a": 2, "b.$": "$.b"}},
    "ResultPath": "$.result", "Next": "Err"},
  "Err": {"Type": "Task", "Resource": "mlflowctl:command",
    "Parameters": {"Command": ["sh", "-c", "echo '{\"error\": \"Mlflow.Custom\", \"cause\": \"bad data\"}' >&2; exit 3"]},
    "Catch": [{"ErrorEquals": ["Mlflow.Custom"], "ResultPath": "$.caught", "Next": "Done"}], "End": true},
  "Done": {"Type": "Succeed"}}}
JSON
"$BIN" run "$WORK/cmd.json" --input '{"b": 40}' -q --json > "$WORK/cmd-out.json"
check "command result" test "$(json_get 'd["output"]["result"]["sum"]' < "$WORK/cmd-out.json")" = 42
check "command error from stderr" test \
  "$(json_get 'd["output"]["caught"]["Error"]' < "$WORK/cmd-out.json")" = Mlflow.Custom

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
