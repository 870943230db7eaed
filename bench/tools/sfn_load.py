#!/usr/bin/env python3
"""A bounded client of `mlflowctl serve`'s Step Functions API for bench/scale.sh.

  sfn_load.py PORT create NAME DEFINITION_FILE
  sfn_load.py PORT start MACHINE_ARN COUNT PREFIX [--input JSON] [--other-arn ARN --other-count M]
              [--arns FILE] [--threads T] [--processes P] [--timeout S]
  sfn_load.py PORT stop ARNS_FILE [--threads T] [--processes P] [--timeout S]
  sfn_load.py PORT count-running MACHINE_ARN
  sfn_load.py PORT last-events ARNS_FILE SAMPLE

`start` sends COUNT StartExecution requests named PREFIX-0 .. PREFIX-(COUNT-1) from P processes
of T threads, each thread on its own keep-alive connection sending W requests at once (HTTP/1.1
pipelining, --window) and reading their answers before the next W, so at most P*T*W requests are
in flight; with --other-arn, M of them (spread evenly) start that machine instead. `stop` sends
StopExecution for every ARN in the file. Both print one JSON summary line: requests, ok, errors
by type, seconds, requests/s, the time of one window's exchange (p50/p99), and stop sending once
--timeout seconds have passed (the rest count as "unsent").
`count-running` prints how many executions of the machine are RUNNING (ListExecutions pages);
`last-events` prints the type of the newest event of SAMPLE ARNs from the file, with counts.
"""
import argparse
import http.client
import json
import socket
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

HEADERS = {"Content-Type": "application/x-amz-json-1.0"}


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, action, body):
        """(http status, parsed body); reconnects once when the connection dropped."""
        data = json.dumps(body).encode()
        headers = dict(HEADERS, **{"X-Amz-Target": "AWSStepFunctions." + action})
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request("POST", "/", data, headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else {}
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def encode(action, body):
    data = json.dumps(body).encode()
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: AWSStepFunctions.%s\r\nContent-Length: %d\r\n\r\n" % (
                action.encode(), len(data)) + data)


class Pipe:
    """One keep-alive connection that sends a window of requests at once (HTTP/1.1
    pipelining) and reads their answers in order."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.buf = b""

    def exchange(self, requests):
        self.sock.sendall(b"".join(requests))
        answers = []
        while len(answers) < len(requests):
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = self.buf[:head_end].decode("latin-1").split("\r\n")
                length = 0
                for line in head[1:]:
                    k, _, v = line.partition(":")
                    if k.strip().lower() == "content-length":
                        length = int(v)
                if len(self.buf) >= head_end + 4 + length:
                    body = self.buf[head_end + 4:head_end + 4 + length]
                    self.buf = self.buf[head_end + 4 + length:]
                    answers.append((int(head[0].split()[1]), json.loads(body) if body else {}))
                    continue
            data = self.sock.recv(1 << 16)
            if not data:
                raise ConnectionError("connection closed")
            self.buf += data
        return answers


def run_chunk(args):
    """Sends the requests in `items` from `threads` connections, `window` at a time each;
    returns a summary dict."""
    port, action, items, threads, window, deadline = args
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "errors": {}, "unsent": 0, "lat": [], "arns": []}

    def worker():
        pipe = None
        while True:
            with lock:
                lo = state["next"]
                state["next"] += window
            if lo >= len(items):
                return
            batch = items[lo:lo + window]
            if time.time() > deadline:
                with lock:
                    state["unsent"] += len(batch)
                continue
            t0 = time.perf_counter()
            try:
                if pipe is None:
                    pipe = Pipe(port)
                answers = pipe.exchange([encode(action, b) for b in batch])
            except (OSError, ValueError) as e:  # counted, not fatal
                pipe = None
                answers = [(0, {"__type": type(e).__name__})] * len(batch)
            dt = time.perf_counter() - t0
            with lock:
                state["lat"].append(dt)
                for status, body in answers:
                    if status == 200:
                        state["ok"] += 1
                        if "executionArn" in body:
                            state["arns"].append(body["executionArn"])
                    else:
                        err = body.get("__type", "HTTP %d" % status)
                        state["errors"][err] = state["errors"].get(err, 0) + 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return state


def drive(port, action, items, threads, processes, window, timeout):
    deadline = time.time() + timeout
    chunks = [items[i::processes] for i in range(processes)]
    t0 = time.time()
    with ProcessPoolExecutor(max_workers=processes) as ex:
        parts = list(ex.map(run_chunk, [(port, action, c, threads, window, deadline)
                                        for c in chunks]))
    seconds = time.time() - t0
    lat = sorted(x for p in parts for x in p["lat"])
    errors = {}
    for p in parts:
        for k, v in p["errors"].items():
            errors[k] = errors.get(k, 0) + v

    def pct(q):
        return 1000 * lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0.0

    answered = sum(p["ok"] for p in parts) + sum(errors.values())
    summary = {"action": action, "requests": len(items), "ok": sum(p["ok"] for p in parts),
               "errors": errors, "unsent": sum(p["unsent"] for p in parts),
               "seconds": round(seconds, 3), "rps": round(answered / seconds, 1) if seconds else 0,
               "window_p50_ms": round(pct(0.5), 3), "window_p99_ms": round(pct(0.99), 3),
               "connections": threads * processes, "window": window}
    return summary, [a for p in parts for a in p["arns"]]


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("create")
    c.add_argument("name")
    c.add_argument("definition")
    s = sub.add_parser("start")
    s.add_argument("machine")
    s.add_argument("count", type=int)
    s.add_argument("prefix")
    s.add_argument("--input", default="{}")
    s.add_argument("--other-arn")
    s.add_argument("--other-count", type=int, default=0)
    s.add_argument("--other-input", default="{}")
    s.add_argument("--arns")
    st = sub.add_parser("stop")
    st.add_argument("arns")
    for p in (s, st):
        p.add_argument("--threads", type=int, default=4)
        p.add_argument("--window", type=int, default=32)
        p.add_argument("--processes", type=int, default=2)
        p.add_argument("--timeout", type=float, default=300)
    r = sub.add_parser("count-running")
    r.add_argument("machine")
    le = sub.add_parser("last-events")
    le.add_argument("arns")
    le.add_argument("sample", type=int)
    a = ap.parse_args(argv[1:])

    if a.cmd == "create":
        with open(a.definition) as f:
            definition = f.read()
        status, body = Client(a.port).call("CreateStateMachine", {
            "name": a.name, "definition": definition,
            "roleArn": "arn:aws:iam::123456789012:role/bench"})
        if status != 200:
            print("CreateStateMachine: %s" % body, file=sys.stderr)
            return 1
        print(body["stateMachineArn"])
        return 0
    if a.cmd == "count-running":
        client, running, token = Client(a.port), 0, None
        while True:
            req = {"stateMachineArn": a.machine, "statusFilter": "RUNNING", "maxResults": 1000}
            if token:
                req["nextToken"] = token
            status, body = client.call("ListExecutions", req)
            if status != 200:
                print("ListExecutions: %s" % body, file=sys.stderr)
                return 1
            running += len(body["executions"])
            token = body.get("nextToken")
            if not token:
                break
        print(running)
        return 0
    if a.cmd == "last-events":
        with open(a.arns) as f:
            arns = [line.strip() for line in f if line.strip()]
        step = max(1, len(arns) // max(1, a.sample))
        client, counts = Client(a.port), {}
        for arn in arns[::step][:a.sample]:
            status, body = client.call("GetExecutionHistory", {
                "executionArn": arn, "reverseOrder": True, "maxResults": 1})
            t = body["events"][0]["type"] if status == 200 and body.get("events") else "error"
            counts[t] = counts.get(t, 0) + 1
        print(json.dumps(counts))
        return 0
    if a.cmd == "start":
        items = []
        for i in range(a.count):
            other = a.other_arn and (i + 1) * a.other_count // a.count > i * a.other_count // a.count
            items.append({"stateMachineArn": a.other_arn if other else a.machine,
                          "name": "%s-%d" % (a.prefix, i),
                          "input": a.other_input if other else a.input})
        summary, arns = drive(a.port, "StartExecution", items, a.threads, a.processes,
                             a.window, a.timeout)
        if a.arns:
            with open(a.arns, "w") as f:
                f.write("".join(x + "\n" for x in arns))
    else:
        with open(a.arns) as f:
            items = [{"executionArn": line.strip()} for line in f if line.strip()]
        summary, _ = drive(a.port, "StopExecution", items, a.threads, a.processes, a.window,
                           a.timeout)
    print(json.dumps(summary))
    return 0 if summary["ok"] == summary["requests"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
