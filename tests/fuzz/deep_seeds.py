#!/usr/bin/env python3
"""Writes the deep-nesting seeds of the fuzz targets into OUTDIR/<target>/.

They are generated rather than kept in corpus/ because a 10,000-deep nested
Parallel definition is about 700 KB: 10,000-deep arrays and objects (in a
definition, a JSONPath document, an intrinsic's input and argument, an API
body), 10,000-deep nested Parallel and Map definitions, and JSONPath
filters and intrinsic calls nested 10,000 deep. Each must be rejected with an
error (or accepted) without overflowing the stack. Also a 200 KB JSONPath
document whose deep scan matches would copy it 500 times.

usage: deep_seeds.py OUTDIR [DEPTH]   (DEPTH defaults to 10000)
"""
import json
import os
import sys


def deep_array(n):
    return "[" * n + "]" * n


def deep_object(n):
    return '{"a":' * n + "1" + "}" * n


def nested_parallel(n):
    head = '{"StartAt":"A","States":{"A":{"Type":"Parallel","End":true,"Branches":['
    leaf = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
    return head * n + leaf + "]}}}" * n


def nested_map(n):
    head = '{"StartAt":"A","States":{"A":{"Type":"Map","End":true,"ItemProcessor":'
    leaf = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'
    return head * n + leaf + "}}}" * n


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 10000
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz"
    seeds = {
        "definition": {
            "deep_array": deep_array(n),
            "deep_object": deep_object(n),
            "deep_parallel": nested_parallel(n),
            "deep_map": nested_map(n),
            "deep_result": '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,'
                           '"Result":' + deep_array(n) + "}}}",
        },
        "jsonpath": {
            "deep_array_doc": "$..a\n" + deep_array(n),
            "deep_object_doc": "$..a\n" + deep_object(n),
            "deep_filter_not": "$.a[?(" + "!" * n + "@.b)]\n{}",
            "deep_filter_parens": "$.a[?(" + "(" * n + "@.b" + ")" * n + ")]\n{}",
            "deep_dots": "$" + ".a" * n + "\n" + deep_object(n),
            # A deep scan whose matches copy the document at every level:
            # 500 nested arrays (under the parser's 512) around 100,000
            # zeros, 200 KB whose "$..*" matches are about 100 MB of JSON; it
            # must fail with States.DataLimitExceeded before copying them.
            "deep_scan_amplification": "$..*\n" + "[" * 500
                                       + ",".join(["0"] * 100000) + "]" * 500,
        },
        "intrinsics": {
            "deep_array_input": "States.JsonToString($)\n" + deep_array(n),
            "deep_string_to_json": "States.StringToJson($.s)\n"
                                   + json.dumps({"s": deep_array(n)}),
            "deep_calls": "States.Array(" * n + "1" + ")" * n + "\n{}",
            "deep_merge": "States.JsonMerge($.o, $.o, false)\n"
                          + json.dumps({"o": json.loads(deep_object(min(n, 500)))}),
        },
        "api_body": {
            # First byte 'B' = 66 -> action 66 % 15 = 6, StartExecution.
            "deep_input": "B" + json.dumps({"stateMachineArn": machine,
                                            "input": deep_array(n)}),
            # 'W' = 87 -> 87 % 15 = 12, ListExecutions; a body nested n deep.
            "deep_body": "W" + deep_object(n),
            # '<' = 60 -> 60 % 15 = 0, CreateStateMachine.
            "deep_definition": "<" + json.dumps({
                "name": "deep", "roleArn": "arn:aws:iam::123456789012:role/fuzz",
                "definition": nested_parallel(n)}),
        },
    }
    for target, files in seeds.items():
        os.makedirs(os.path.join(out, target), exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(out, target, name), "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
