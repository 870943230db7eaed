#!/usr/bin/env bash
# Model endpoints of `mlflowctl serve`, with real clients.
# Update without downtime: clients invoke an endpoint in a loop while a
# workflow started through the API (StartExecution) updates the endpoint
# from the XGBoost model to the linear one. Every request must succeed, and
# the answers must move from the old model's prediction to the new one's and
# never back. Then `aws sagemaker-runtime invoke-endpoint` and curl (answers,
# headers, errors), and data capture: every invocation of the endpoint
# the training workflow deployed (100% sampling) is in the capture files
# after a clean shutdown.
# Usage: serve_swap_test.sh MLFLOWCTL_BINARY PROJECT_DIR
set -u
BIN=$(realpath "$1")
PROJECT=$(realpath "$2")
source "$(dirname "$0")/lib.sh"
cd "$PROJECT"

# Two trained models (the training workflow trains both algorithms).
"$BIN" run workflows/training.json --name t1 -q --json > "$WORK/t1.json" || {
  echo "training failed"; cat "$WORK/t1.json"; exit 1; }
ROW=$(head -n 1 "$MLFLOWCTL_HOME/s3/mlflowctl/executions/t1/data/test.csv" | cut -d, -f2-)

cat > "$WORK/deploy.json" <<'JSON'
{"StartAt": "Deploy", "States": {"Deploy": {
  "Type": "Task", "Resource": "mlflowctl:deploy",
  "Parameters": {"EndpointName": "swap", "ModelUri.$": "$.model",
                 "ModelName.$": "$.name", "EndpointConfigName.$": "$.name"},
  "End": true}}}
JSON

start_server

python3 - "$PORT" "$WORK/deploy.json" "$ROW" <<'PY'
import http.client, json, sys, threading, time

port, definition, row = int(sys.argv[1]), open(sys.argv[2]).read(), sys.argv[3]

def api(action, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions." + action})
    r = c.getresponse()
    data = json.loads(r.read())
    assert r.status == 200, (action, r.status, data)
    return data

def run(name, model):
    arn = api("StartExecution", {
        "stateMachineArn": machine, "name": name,
        "input": json.dumps({"model": model, "name": name})})["executionArn"]
    while True:
        d = api("DescribeExecution", {"executionArn": arn})
        if d["status"] != "RUNNING":
            assert d["status"] == "SUCCEEDED", d
            return json.loads(d["output"])
        time.sleep(0.05)

def invoke(conn):
    conn.request("POST", "/endpoints/swap/invocations", row, {"Content-Type": "text/csv"})
    r = conn.getresponse()
    return r.status, r.read().decode().strip()

machine = api("CreateStateMachine", {
    "name": "deploy", "definition": definition,
    "roleArn": "arn:aws:iam::123456789012:role/test"})["stateMachineArn"]
out = run("first", "s3://mlflowctl/models/t1-xgboost/output/model")
assert out["Action"] == "created", out
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
status, old = invoke(conn)
assert status == 200, (status, old)

# Clients on keep-alive connections, invoking until told to stop.
stop = threading.Event()
results = [[] for _ in range(4)]
def client(i):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        results[i].append(invoke(c))
threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
time.sleep(0.3)
out = run("second", "s3://mlflowctl/models/t1-linear/output/model")
assert out["Action"] == "updated", out
time.sleep(0.3)
stop.set()
for t in threads:
    t.join()

status, new = invoke(conn)
assert status == 200 and new != old, (status, old, new)
total = sum(len(r) for r in results)
failed = [x for r in results for x in r if x[0] != 200]
assert not failed, failed[:5]
for r in results:
    answers = [body for _, body in r]
    assert set(answers) <= {old, new}, set(answers)
    # Each client sees the old model, then the new one, never back.
    if new in answers:
        first_new = answers.index(new)
        assert all(a == new for a in answers[first_new:]), "went back to the old model"
assert any(new in [b for _, b in r] for r in results), "no client saw the new model"
assert any(old in [b for _, b in r] for r in results), "no client saw the old model"
print(f"serve_swap_test: {total} requests during the update, all 200; {old} -> {new}")
PY
rc=$?

URL="http://127.0.0.1:$PORT"
printf '%s' "$ROW" > "$WORK/row.csv"
expected=$("$BIN" endpoints invoke car-price --body "$ROW" --content-type text/csv | tr -d '\n')
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_PAGER="" AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1
AWS=${AWS_CLI:-/usr/bin/aws}
invocations=0
if [ -x "$AWS" ]; then
  "$AWS" sagemaker-runtime invoke-endpoint --endpoint-url "$URL" --endpoint-name car-price \
    --content-type text/csv --body "fileb://$WORK/row.csv" "$WORK/aws-out.csv" > "$WORK/aws-meta.json"
  check "aws invoke-endpoint succeeds" test $? -eq 0
  invocations=$((invocations + 1))
  check "aws invoke-endpoint answer" test "$(tr -d '\n' < "$WORK/aws-out.csv")" = "$expected"
  check "aws invoke-endpoint variant" grep -q '"InvokedProductionVariant": "AllTraffic"' "$WORK/aws-meta.json"
  "$AWS" sagemaker-runtime invoke-endpoint --endpoint-url "$URL" --endpoint-name nope \
    --content-type text/csv --body "fileb://$WORK/row.csv" "$WORK/nope.csv" 2> "$WORK/aws-err.txt"
  check "aws unknown endpoint fails" test $? -ne 0
  check "aws unknown endpoint is ValidationError" grep -q \
    "An error occurred (ValidationError) when calling the InvokeEndpoint operation: Endpoint nope of account 123456789012 not found" \
    "$WORK/aws-err.txt"
else
  echo "note: $AWS not installed; aws sagemaker-runtime checks skipped"
fi
for i in 1 2 3; do
  curl -s -D "$WORK/headers-$i.txt" -H 'Content-Type: text/csv' --data-binary "@$WORK/row.csv" \
    "$URL/endpoints/car-price/invocations" > "$WORK/curl-$i.csv"
  invocations=$((invocations + 1))
done
check "curl answer" test "$(tr -d '\n' < "$WORK/curl-1.csv")" = "$expected"
check "curl status 200" grep -q "^HTTP/1.1 200" "$WORK/headers-1.txt"
check "curl variant header" grep -qi "^x-amzn-invoked-production-variant: AllTraffic" "$WORK/headers-1.txt"
curl -s -D "$WORK/bad-headers.txt" -H 'Content-Type: text/csv' --data-binary '1,2' \
  "$URL/endpoints/car-price/invocations" > "$WORK/bad.json"
check "curl bad row is 424 ModelError" grep -q "^HTTP/1.1 424" "$WORK/bad-headers.txt"
check "curl bad row error type" grep -qi "^x-amzn-errortype: ModelError" "$WORK/bad-headers.txt"
check "curl bad row names the row" grep -q "features" "$WORK/bad.json"
curl -s -o /dev/null -w '%{http_code}' "$URL/ping" > "$WORK/ping.txt"
check "ping" test "$(cat "$WORK/ping.txt")" = 200

stop_server || rc=1
# car-price captures 100% of its requests: each invocation above (the CLI's
# `endpoints invoke` included) is one line, and none is lost at shutdown.
captured=$(cat "$MLFLOWCTL_HOME"/capture/car-price/AllTraffic/*/*/*/*/*.jsonl 2>/dev/null | wc -l)
check "every invocation captured ($captured lines)" test "$captured" -ge $((invocations + 1))
finish serve_swap_test || rc=1
exit $rc
