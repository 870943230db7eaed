#!/usr/bin/env bash
# Black-box tests of the mlflowctl command line: examples, exit codes, JSON
# output, history in SQLite, command tasks with timeouts.
# Usage: cli_test.sh MLFLOWCTL_BINARY REPO_ROOT
set -u
BIN=$(realpath "$1")
ROOT=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Every example runs and succeeds.
for dir in examples/*/; do
  def=$(ls "$dir"*.json 2>/dev/null | grep -v input.json | head -1)
  [ -n "$def" ] || continue  # e.g. examples/data
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

# Model registry, parameter store and notifications: steps write, the CLI reads.
cat > "$WORK/records.json" <<'JSON'
{"StartAt": "Register", "States": {
  "Register": {"Type": "Task", "Resource": "mlflowctl:register-model",
    "Parameters": {"ModelGroup": "cli-test", "ModelUri": "s3://models/m", "Algorithm": "xgboost",
                   "Metrics": {"validation:rmse.$": "$.rmse"}},
    "ResultPath": "$.model", "Next": "Compare"},
  "Compare": {"Type": "Task", "Resource": "mlflowctl:compare-model",
    "Parameters": {"ModelGroup": "cli-test", "Candidate.$": "$.model", "Promote": true},
    "ResultPath": "$.compare", "Next": "Export"},
  "Export": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:putParameter",
    "Parameters": {"Name": "/cli-test/model", "Value.$": "$.model.ModelPackageArn", "Type": "String",
                   "Overwrite": true},
    "ResultPath": "$.export", "Next": "Notify"},
  "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
    "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:cli-test", "Subject": "compared",
                   "Message.$": "$.compare.Reason"},
    "ResultPath": "$.notify", "End": true}}}
JSON
"$BIN" run "$WORK/records.json" --input '{"rmse": 10.5}' -q --json > "$WORK/rec1.json"
check "records: first model is champion" test "$(json_get 'd["output"]["compare"]["Promoted"]' < "$WORK/rec1.json")" = True
MLFLOWCTL_NOTIFY_COMMAND="tee $WORK/delivered.json" "$BIN" run "$WORK/records.json" --input '{"rmse": 12}' -q --json > "$WORK/rec2.json"
check "records: worse model is not better" test "$(json_get 'd["output"]["compare"]["IsBetter"]' < "$WORK/rec2.json")" = False
check "records: delivery command got the envelope" test "$(json_get 'd["Type"]' < "$WORK/delivered.json")" = Notification
check "models list" bash -c "'$BIN' models list --group cli-test | grep -q champion"
check "models list --json" test "$("$BIN" models list --json | json_get 'len(d["ModelPackageSummaryList"])')" = 2
check "models describe alias moves" test \
  "$("$BIN" models describe cli-test --json | json_get 'd["AliasHistory"][0]["ToVersion"]')" = 1
check "models describe version" test \
  "$("$BIN" models describe cli-test/champion --json | json_get 'd["ModelPackageVersion"]')" = 1
check "params get" test "$("$BIN" params get /cli-test/model --json | json_get 'd["Parameter"]["Version"]')" = 2
check "params history" test "$("$BIN" params history /cli-test/model --json | json_get 'len(d["Parameters"])')" = 2
check "params list --path" bash -c "'$BIN' params list --path /cli-test | grep -q /cli-test/model"
"$BIN" params get /cli-test/missing 2> /dev/null
check "params get of a missing name exits 2" test $? -eq 2
check "notifications list" test "$("$BIN" notifications list --json --limit 1 | json_get 'd["Notifications"][0]["DeliveryStatus"]')" = DELIVERED
check "notifications table" bash -c "'$BIN' notifications list | grep -q NOT_CONFIGURED"

# Hosting: train a tiny linear model, deploy it (create, then update) and
# invoke the endpoint in-process.
python3 - "$WORK/hosting-train.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(30):
        x1, x2 = i % 7, (i * 3) % 11
        f.write(f"{1 + 2 * x1 + 3 * x2},{x1},{x2}\n")
PY
cat > "$WORK/deploy.json" <<JSON
{"StartAt": "Train", "States": {
  "Train": {"Type": "Task", "Resource": "mlflowctl:train",
    "Parameters": {"Algorithm": "linear-learner", "TrainUri": "$WORK/hosting-train.csv",
                   "OutputUri": "$WORK/models"},
    "ResultPath": "\$.train", "Next": "Deploy"},
  "Deploy": {"Type": "Task", "Resource": "mlflowctl:deploy",
    "Parameters": {"EndpointName": "cli-test", "ModelUri.\$": "\$.train.ModelArtifacts.S3ModelArtifacts",
                   "DataCapture": {"SamplingPercentage": 50}},
    "ResultPath": "\$.deploy", "End": true}}}
JSON
"$BIN" run "$WORK/deploy.json" --name deploy-1 -q --json > "$WORK/deploy1.json"
check "deploy: created" test "$(json_get 'd["output"]["deploy"]["Action"]' < "$WORK/deploy1.json")" = created
"$BIN" run "$WORK/deploy.json" --name deploy-2 -q --json > "$WORK/deploy2.json"
check "deploy: updated" test "$(json_get 'd["output"]["deploy"]["Action"]' < "$WORK/deploy2.json")" = updated
check "endpoints list" bash -c "'$BIN' endpoints list | grep -q 'cli-test.*InService.*cli-test-deploy-2'"
check "endpoints list --json" test \
  "$("$BIN" endpoints list --json | json_get 'd["Endpoints"][0]["EndpointStatus"]')" = InService
check "endpoints describe history" test \
  "$("$BIN" endpoints describe cli-test --json | json_get 'd["History"][1]["FromConfig"]')" = cli-test-deploy-1
check "endpoints invoke csv" test \
  "$("$BIN" endpoints invoke cli-test --body '1,1' | python3 -c 'import sys; print(round(float(sys.stdin.read()), 6))')" = 6.0
check "endpoints invoke json" test \
  "$("$BIN" endpoints invoke cli-test --content-type application/json --body '{"instances": [[2, 0]]}' \
     | json_get 'round(d["predictions"][0]["score"], 6)')" = 5.0
"$BIN" endpoints invoke cli-test --body '1,2,3' 2> "$WORK/invoke.err"
check "endpoints invoke with a wrong column count exits 2" test $? -eq 2
check "endpoints invoke names the row" grep -q "row 1 has 3 values" "$WORK/invoke.err"
"$BIN" endpoints describe nope 2> /dev/null
check "endpoints describe of a missing endpoint exits 2" test $? -eq 2

finish cli_test
