#!/usr/bin/env bash
# `mlflowctl serve` against the real AWS CLI (Debian's awscli): create a
# machine, start and poll executions, page the history, list with a status
# filter, stop a waiting execution, the error cases, /ping with curl, and a
# clean SIGTERM that leaves a waiting execution RUNNING.
# Usage: serve_test.sh MLFLOWCTL_BINARY PYTHON3
set -u
BIN=$(realpath "$1")
PY=${2:-/usr/bin/python3}
AWS=${AWS_CLI:-/usr/bin/aws}
source "$(dirname "$0")/lib.sh"
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_OUTPUT=json
if [ ! -x "$AWS" ]; then
  echo "SKIP: $AWS not installed"
  exit 0
fi

start_server
sfn() { "$AWS" stepfunctions --endpoint-url "http://127.0.0.1:$PORT" --region us-east-1 "$@"; }
MACHINE=arn:aws:states:us-east-1:123456789012:stateMachine
EXECUTION=arn:aws:states:us-east-1:123456789012:execution
ROLE=arn:aws:iam::123456789012:role/test

check "ping" test "$(curl -s "http://127.0.0.1:$PORT/ping")" = '{"status":"ok"}'
check "unknown path is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")" = 404

# A three-state Pass machine and a Wait machine.
cat > "$WORK/pass.json" <<'JSON'
{"StartAt": "A", "States": {
  "A": {"Type": "Pass", "Next": "B"},
  "B": {"Type": "Pass", "Result": 42, "ResultPath": "$.answer", "Next": "C"},
  "C": {"Type": "Pass", "End": true}}}
JSON
cat > "$WORK/wait.json" <<'JSON'
{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}
JSON
check "create pass machine" sfn create-state-machine --name Pass \
  --definition "file://$WORK/pass.json" --role-arn "$ROLE" > "$WORK/out.json"
check "create returns the arn" test "$(json_get 'd["stateMachineArn"]' < "$WORK/out.json")" = "$MACHINE:Pass"
check "create wait machine" sfn create-state-machine --name Wait \
  --definition "file://$WORK/wait.json" --role-arn "$ROLE" > /dev/null
check "describe machine" sfn describe-state-machine --state-machine-arn "$MACHINE:Pass" > "$WORK/out.json"
check "describe machine status" test "$(json_get 'd["status"]' < "$WORK/out.json")" = ACTIVE
check "list machines" test "$(sfn list-state-machines | json_get 'len(d["stateMachines"])')" = 2

# Executions: start three, poll until SUCCEEDED.
for i in 1 2 3; do
  check "start $i" sfn start-execution --state-machine-arn "$MACHINE:Pass" --name "run-$i" \
    --input "{\"i\": $i}" > "$WORK/out.json"
done
status=""
for _ in $(seq 1 50); do
  status=$(sfn describe-execution --execution-arn "$EXECUTION:Pass:run-3" | json_get 'd["status"]')
  [ "$status" = SUCCEEDED ] && break
  sleep 0.1
done
check "run-3 SUCCEEDED" test "$status" = SUCCEEDED
sfn describe-execution --execution-arn "$EXECUTION:Pass:run-3" > "$WORK/out.json"
check "output" test "$(json_get 'json.loads(d["output"])["answer"]' < "$WORK/out.json")" = 42

# History: 8 events, paged by the CLI 3 at a time, and by hand with a token.
check "history" test "$(sfn get-execution-history --execution-arn "$EXECUTION:Pass:run-1" \
  --page-size 3 | json_get 'len(d["events"])')" = 8
sfn get-execution-history --execution-arn "$EXECUTION:Pass:run-1" --max-items 3 > "$WORK/page1.json"
check "history page 1" test "$(json_get '[e["id"] for e in d["events"]]' < "$WORK/page1.json")" = "[1, 2, 3]"
token=$(json_get 'd["NextToken"]' < "$WORK/page1.json")
sfn get-execution-history --execution-arn "$EXECUTION:Pass:run-1" --max-items 3 \
  --starting-token "$token" > "$WORK/page2.json"
check "history page 2" test "$(json_get '[e["id"] for e in d["events"]]' < "$WORK/page2.json")" = "[4, 5, 6]"
check "history reverse" test "$(sfn get-execution-history --execution-arn "$EXECUTION:Pass:run-1" \
  --reverse-order --max-items 1 | json_get 'd["events"][0]["type"]')" = ExecutionSucceeded
check "history max-results" test "$(sfn get-execution-history --execution-arn "$EXECUTION:Pass:run-1" \
  --max-results 2 --no-paginate | json_get 'len(d["events"])')" = 2

# A waiting execution: listed as RUNNING, then stopped -> ABORTED.
check "start waiting" sfn start-execution --state-machine-arn "$MACHINE:Wait" --name waiting > /dev/null
check "list RUNNING" test "$(sfn list-executions --state-machine-arn "$MACHINE:Wait" \
  --status-filter RUNNING | json_get '[e["name"] for e in d["executions"]]')" = "['waiting']"
check "list SUCCEEDED" test "$(sfn list-executions --state-machine-arn "$MACHINE:Pass" \
  --status-filter SUCCEEDED | json_get 'len(d["executions"])')" = 3
check "list paged" test "$(sfn list-executions --state-machine-arn "$MACHINE:Pass" \
  --page-size 1 | json_get 'len(d["executions"])')" = 3
check "stop" sfn stop-execution --execution-arn "$EXECUTION:Wait:waiting" --error Test.Stop \
  --cause "by the test" > "$WORK/out.json"
check "stop date" json_get 'd["stopDate"]' < "$WORK/out.json" > /dev/null
sfn describe-execution --execution-arn "$EXECUTION:Wait:waiting" > "$WORK/out.json"
check "ABORTED" test "$(json_get 'd["status"]' < "$WORK/out.json")" = ABORTED
check "abort error" test "$(json_get 'd["error"]' < "$WORK/out.json")" = Test.Stop

# Errors as the CLI shows them.
error_of() { "$@" 2>&1 >/dev/null | sed -n 's/.*An error occurred (\([A-Za-z]*\)).*/\1/p'; }
check "unknown execution" test "$(error_of sfn describe-execution \
  --execution-arn "$EXECUTION:Pass:nope")" = ExecutionDoesNotExist
check "unknown machine" test "$(error_of sfn describe-state-machine \
  --state-machine-arn "$MACHINE:Nope")" = StateMachineDoesNotExist
check "invalid arn" test "$(error_of sfn describe-execution --execution-arn nope)" = InvalidArn
check "invalid definition" test "$(error_of sfn create-state-machine --name Bad \
  --definition '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}' \
  --role-arn "$ROLE")" = InvalidDefinition
check "duplicate name, other input" test "$(error_of sfn start-execution \
  --state-machine-arn "$MACHINE:Pass" --name run-1 --input '{"other": true}')" = ExecutionAlreadyExists
check "invalid input" test "$(error_of sfn start-execution \
  --state-machine-arn "$MACHINE:Pass" --input '{oops')" = InvalidExecutionInput

# StartSyncExecution: botocore sends it to "sync-127.0.0.1" unless host
# prefix injection is off; newer CLIs honour AWS_DISABLE_HOST_PREFIX_INJECTION
# (older ones do not, and the boto3 test covers sync with
# Config(inject_host_prefix=False)).
if AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn start-sync-execution \
    --state-machine-arn "$MACHINE:Pass" --name sync-1 > "$WORK/out.json" 2> "$WORK/sync.err"; then
  check "sync SUCCEEDED" test "$(json_get 'd["status"]' < "$WORK/out.json")" = SUCCEEDED
else
  echo "note: this aws CLI injects the sync- host prefix; sync is tested with boto3"
fi

# Update and delete.
check "update" sfn update-state-machine --state-machine-arn "$MACHINE:Pass" \
  --definition "file://$WORK/wait.json" > /dev/null
check "updated" test "$(sfn describe-state-machine --state-machine-arn "$MACHINE:Pass" \
  | json_get 'json.loads(d["definition"])["StartAt"]')" = W
check "describe for execution" test "$(sfn describe-state-machine-for-execution \
  --execution-arn "$EXECUTION:Pass:run-1" | json_get 'd["name"]')" = Pass

# SIGTERM with a waiting execution: exit 0, the execution stays RUNNING.
check "start left" sfn start-execution --state-machine-arn "$MACHINE:Wait" --name left > /dev/null
check "clean exit on SIGTERM" stop_server
check "left RUNNING" test "$("$BIN" executions describe "$EXECUTION:Wait:left" --json \
  | json_get 'd["status"]')" = RUNNING
check "access log" grep -q "^POST / 200 " "$WORK/serve.log"

# A restart serves the same store.
start_server
check "after restart" test "$(sfn describe-execution --execution-arn "$EXECUTION:Pass:run-1" \
  | json_get 'd["status"]')" = SUCCEEDED
check "second clean exit" stop_server

finish serve_test
