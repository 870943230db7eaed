#!/usr/bin/env python3
"""Warm executions of one workflow through a running `mlflowctl serve`, one after another.

  warm_runs.py PORT NAME DEFINITION_FILE INPUT_FILE RUNS WARMUP

Creates the state machine NAME, runs WARMUP executions that are not timed, then RUNS executions
with StartSyncExecution, each started when the one before has ended. Each call returns once the
execution has ended and its history is committed to the store, so a run's time covers the
request, the run and the durable history, but not process start or parsing the definition
(serve parses a machine's definition once). This is the like-for-like figure for the peer's
`await sm.run(input).result` loop in peers/bench-api.mjs. Prints one JSON line:
  run_ms {min, median, max}, runs, warmup, status (of every execution), first_run_ms.
"""
import http.client
import json
import sys
import time

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


def call(conn, action, body):
    headers = dict(HEADERS, **{"X-Amz-Target": "AWSStepFunctions." + action})
    conn.request("POST", "/", json.dumps(body).encode(), headers)
    resp = conn.getresponse()
    raw = resp.read()
    answer = json.loads(raw) if raw else {}
    if resp.status != 200:
        sys.exit(f"warm_runs.py: {action} answered {resp.status}: {answer}")
    return answer


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    port, name, definition_file, input_file = sys.argv[1:5]
    runs, warmup = int(sys.argv[5]), int(sys.argv[6])
    with open(definition_file) as f:
        definition = f.read()
    with open(input_file) as f:
        execution_input = json.dumps(json.load(f))
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
    machine = call(conn, "CreateStateMachine", {
        "name": name, "definition": definition,
        "roleArn": "arn:aws:iam::123456789012:role/bench"})["stateMachineArn"]
    times, statuses = [], {}
    for i in range(warmup + runs):
        t = time.perf_counter()
        answer = call(conn, "StartSyncExecution", {
            "stateMachineArn": machine, "name": f"{name}-{i}", "input": execution_input})
        elapsed = (time.perf_counter() - t) * 1000
        statuses[answer["status"]] = statuses.get(answer["status"], 0) + 1
        times.append(elapsed)
    timed = sorted(times[warmup:])
    mid = len(timed) // 2
    median = timed[mid] if len(timed) % 2 else (timed[mid - 1] + timed[mid]) / 2
    print(json.dumps({
        "run_ms": {"min": round(timed[0], 3), "median": round(median, 3), "max": round(timed[-1], 3)},
        "runs": runs, "warmup": warmup, "first_run_ms": round(times[0], 3), "status": statuses}))


if __name__ == "__main__":
    main()
