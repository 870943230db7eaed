#!/usr/bin/env bash
# Update without downtime: clients invoke an endpoint of `mlflowctl serve`
# in a loop while a workflow started through the API (StartExecution)
# updates the endpoint from the XGBoost model to the linear one. Every
# request must succeed, and the answers must move from the old model's
# prediction to the new one's and never back.
# Usage: serve_swap_test.sh MLFLOWCTL_BINARY PROJECT_DIR
set -u
BIN=$(realpath "$1")
PROJECT=$(realpath "$2")
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export MLFLOWCTL_HOME="$WORK/home"
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

"$BIN" serve --port 0 2> "$WORK/serve.log" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/serve.log" | tail -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start"; cat "$WORK/serve.log"; exit 1; }

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
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || rc=1
SERVER_PID=""
exit $rc
