#!/usr/bin/env python3
"""Runs every case under tests/cases/ black-box through `mlflowctl run --json`
(virtual time, tasks from mocks.json) or `mlflowctl validate`, and compares
with expected.json as tests/conformance_test.cc does in-process.

Usage: cases_cli_test.py MLFLOWCTL_BINARY CASES_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile


def erase(doc, pointer):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for p in parts[:-1]:
        if isinstance(node, list):
            node = node[int(p)]
        elif isinstance(node, dict) and p in node:
            node = node[p]
        else:
            return
    last = parts[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and int(last) < len(node):
        node.pop(int(last))


def get(doc, pointer):
    node = doc
    for p in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    return node


def same(a, b):
    """JSON equality: 1 == 1.0, but true != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def run_case(binary, case_dir, home):
    expected = json.load(open(os.path.join(case_dir, "expected.json")))
    definition = os.path.join(case_dir, "definition.json")
    env = dict(os.environ, MLFLOWCTL_HOME=home)
    if "valid" in expected:
        p = subprocess.run([binary, "validate", definition, "--json"], capture_output=True,
                           text=True, env=env, timeout=60)
        result = json.loads(p.stdout)
        if (result["result"] == "OK") != expected["valid"]:
            return f"valid={result['result']} (exit {p.returncode}): {p.stderr}"
        if p.returncode != (0 if expected["valid"] else 2):
            return f"exit code {p.returncode}"
        for want in expected.get("diagnostics", []):
            # A diagnostic located inside the expected pointer counts (we may
            # name the field where AWS names its state).
            if not any((d["location"] == want["pointer"] or
                        d["location"].startswith(want["pointer"] + "/")) and
                       want.get("code", d["code"]) == d["code"] for d in result["diagnostics"]):
                return f"no diagnostic {want}; got {result['diagnostics']}"
        return None
    cmd = [binary, "run", definition, "--json", "--quiet", "--virtual-time",
           "--name", "TestExecution", "--machine-name", "TestMachine",
           "--role-arn", "arn:aws:iam::123456789012:role/TestRole"]
    input_file = os.path.join(case_dir, "input.json")
    if os.path.exists(input_file):
        cmd += ["--input-file", input_file]
    mocks = os.path.join(case_dir, "mocks.json")
    if os.path.exists(mocks):
        cmd += ["--mocks", mocks]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if p.returncode not in (0, 1):
        return f"exit code {p.returncode}: {p.stderr}"
    result = json.loads(p.stdout)
    if result["status"] != expected["status"]:
        return f"status {result['status']} ({result.get('error')}: {result.get('cause')})"
    if (p.returncode == 0) != (result["status"] == "SUCCEEDED"):
        return f"exit code {p.returncode} for {result['status']}"
    if "output" in expected:
        actual, want = result["output"], expected["output"]
        for pointer, pattern in expected.get("match_patterns", {}).items():
            v = get(actual, pointer)
            if not re.search(pattern, v if isinstance(v, str) else json.dumps(v)):
                return f"{pointer}={v!r} does not match {pattern}"
            erase(actual, pointer)
            erase(want, pointer)
        for pointer in expected.get("ignore_paths", []):
            erase(actual, pointer)
            erase(want, pointer)
        if not same(actual, want):
            return f"output {json.dumps(actual)} != {json.dumps(want)}"
    if "error" in expected and result.get("error") != expected["error"]:
        return f"error {result.get('error')!r} != {expected['error']!r}"
    if "cause" in expected and result.get("cause") != expected["cause"]:
        return f"cause {result.get('cause')!r} != {expected['cause']!r}"
    if "cause_pattern" in expected and not re.search(expected["cause_pattern"],
                                                     result.get("cause") or ""):
        return f"cause {result.get('cause')!r} does not match {expected['cause_pattern']}"
    return None


def main():
    binary, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    cases = sorted(d for d, _, files in os.walk(root) if "definition.json" in files)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as home:
        for case_dir in cases:
            # A fresh store per case: execution names repeat across cases.
            case_home = os.path.join(home, str(passed + failed))
            try:
                problem = run_case(binary, case_dir, case_home)
            except Exception as e:  # a crash or unparsable output is a failure
                problem = f"{type(e).__name__}: {e}"
            if problem:
                failed += 1
                print(f"FAILED {os.path.relpath(case_dir, root)}: {problem}")
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
