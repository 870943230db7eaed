#!/usr/bin/env python3
"""Scores a batch read from stdin; fails on its first attempt to show Retry.

Input (stdin): {"values": [...], "marker": "path of a file that records attempts"}
Output (stdout): {"mean": ..., "attempts": n}
A failure prints {"error": ..., "cause": ...} on stderr and exits 1.
"""
import json
import os
import sys

request = json.load(sys.stdin)
marker = request["marker"]
attempts = 1
if os.path.exists(marker):
    with open(marker) as f:
        attempts = int(f.read() or 0) + 1
with open(marker, "w") as f:
    f.write(str(attempts))
if attempts == 1:
    print(json.dumps({"error": "Scoring.Transient", "cause": "warming up"}), file=sys.stderr)
    sys.exit(1)
values = request["values"]
if not values:
    print(json.dumps({"error": "Scoring.EmptyBatch", "cause": "no values"}), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"mean": sum(values) / len(values), "attempts": attempts}))
