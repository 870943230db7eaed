"""`mlflowctl serve` against boto3 (Debian's python3-boto3): StartSyncExecution
with host prefix injection off, paginators, reverse history, the actions
this botocore lacks (ValidateStateMachineDefinition, RedriveExecution) as
raw AWS JSON 1.0 requests, and SIGTERM leaving a waiting execution RUNNING.

Usage: serve_boto3_test.py MLFLOWCTL_BINARY
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BIN = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "mlflowctl"
ROLE = "arn:aws:iam::123456789012:role/test"
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:"
PASS = json.dumps({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "B"},
    "B": {"Type": "Pass", "Result": {"ok": True}, "ResultPath": "$.r", "End": True}}})
WAIT = json.dumps({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "End": True}}})
FAIL = json.dumps({"StartAt": "F", "States": {
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}})


class Server:
    """One `mlflowctl serve --port 0`, killed only by its own pid."""

    def __init__(self, home):
        self.log_path = os.path.join(home, "serve.log")
        env = dict(os.environ, MLFLOWCTL_HOME=home)
        self.log = open(self.log_path, "ab")
        start = self.log.tell()  # a restart appends to the same log
        self.proc = subprocess.Popen([BIN, "serve", "--port", "0"], stderr=self.log, env=env)
        self.port = None
        deadline = time.time() + 10
        while time.time() < deadline and self.proc.poll() is None:
            with open(self.log_path) as f:
                f.seek(start)
                ports = re.findall(r"listening on 127\.0\.0\.1:(\d+)", f.read())
            if ports:
                self.port = int(ports[-1])
                break
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("server did not start: " + open(self.log_path).read())

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


class ServeBoto3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.mkdtemp(prefix="mlf_serve_boto3_")
        cls.server = Server(cls.home)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.home, ignore_errors=True)

    def client(self, server=None, **config):
        return boto3.client(
            "stepfunctions", endpoint_url=(server or self.server).url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}, **config))

    def raw(self, action, body):
        """A raw AWS JSON 1.0 request (for actions this botocore lacks)."""
        request = urllib.request.Request(
            self.server.url + "/", data=json.dumps(body).encode(), method="POST",
            headers={"X-Amz-Target": "AWSStepFunctions." + action,
                     "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def create(self, name, definition):
        sfn = self.client()
        try:
            return sfn.create_state_machine(name=name, definition=definition,
                                            roleArn=ROLE)["stateMachineArn"]
        except ClientError as e:
            self.fail(str(e))

    def wait_status(self, arn, status, timeout=10):
        sfn = self.client()
        deadline = time.time() + timeout
        while time.time() < deadline:
            d = sfn.describe_execution(executionArn=arn)
            if d["status"] == status:
                return d
            time.sleep(0.05)
        self.fail("%s did not reach %s" % (arn, status))

    def test_start_sync_execution(self):
        machine = self.create("Sync", PASS)
        sfn = self.client(inject_host_prefix=False)
        r = sfn.start_sync_execution(stateMachineArn=machine, name="s1", input='{"x": 1}')
        self.assertEqual(r["status"], "SUCCEEDED")
        self.assertEqual(json.loads(r["output"]), {"x": 1, "r": {"ok": True}})
        self.assertGreaterEqual(r["stopDate"], r["startDate"])
        self.assertIn("billedDurationInMilliseconds", r["billingDetails"])
        failing = self.create("SyncFail", FAIL)
        r = sfn.start_sync_execution(stateMachineArn=failing)
        self.assertEqual((r["status"], r["error"], r["cause"]), ("FAILED", "Boom", "on purpose"))

    def test_paginators_and_reverse_history(self):
        machine = self.create("Paged", PASS)
        sfn = self.client()
        arns = [sfn.start_execution(stateMachineArn=machine, name="p%d" % i)["executionArn"]
                for i in range(5)]
        for arn in arns:
            self.wait_status(arn, "SUCCEEDED")
        pages = list(sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine, PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 3)
        self.assertEqual(sorted(e["executionArn"] for p in pages for e in p["executions"]),
                         sorted(arns))
        events = [e for p in sfn.get_paginator("get_execution_history").paginate(
            executionArn=arns[0], PaginationConfig={"PageSize": 2}) for e in p["events"]]
        self.assertEqual([e["id"] for e in events], list(range(1, 7)))
        reverse = sfn.get_execution_history(executionArn=arns[0], reverseOrder=True)
        self.assertEqual([e["id"] for e in reverse["events"]], list(range(6, 0, -1)))
        self.assertEqual(reverse["events"][0]["type"], "ExecutionSucceeded")
        bare = sfn.get_execution_history(executionArn=arns[0], includeExecutionData=False)
        self.assertNotIn("input", bare["events"][0]["executionStartedEventDetails"])
        machines = [m["name"] for p in sfn.get_paginator("list_state_machines").paginate(
            PaginationConfig={"PageSize": 1}) for m in p["stateMachines"]]
        self.assertIn("Paged", machines)
        self.assertEqual(len(machines), len(set(machines)))

    def test_errors(self):
        sfn = self.client()
        with self.assertRaises(ClientError) as e:
            sfn.describe_execution(executionArn=EXECUTION + "Nope:nope")
        self.assertEqual(e.exception.response["Error"]["Code"], "ExecutionDoesNotExist")
        with self.assertRaises(ClientError) as e:
            sfn.create_state_machine(name="Bad", definition='{"StartAt": "X", "States": {}}',
                                     roleArn=ROLE)
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidDefinition")
        self.assertIn("Invalid State Machine Definition", e.exception.response["Error"]["Message"])
        status, body = self.raw("NoSuchAction", {})
        self.assertEqual((status, body["__type"]), (400, "UnknownOperationException"))
        status, body = self.raw("DescribeExecution", {})
        self.assertEqual((status, body["__type"]), (400, "ValidationException"))
        self.assertEqual(body["message"], "1 validation error detected: Value null at "
                         "'executionArn' failed to satisfy constraint: Member must not be null")

    def test_validate_state_machine_definition(self):
        status, body = self.raw("ValidateStateMachineDefinition", {"definition": PASS})
        self.assertEqual((status, body["result"], body["diagnostics"]), (200, "OK", []))
        status, body = self.raw("ValidateStateMachineDefinition", {"definition": json.dumps(
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})})
        self.assertEqual((status, body["result"]), (200, "FAIL"))
        d = body["diagnostics"][0]
        self.assertEqual(d["severity"], "ERROR")
        self.assertTrue(d["location"].startswith("/States"), d)

    def test_redrive_execution(self):
        machine = self.create("Redrive", FAIL)
        sfn = self.client()
        arn = sfn.start_execution(stateMachineArn=machine, name="r1")["executionArn"]
        self.wait_status(arn, "FAILED")
        status, body = self.raw("RedriveExecution", {"executionArn": arn})
        # The Fail state runs again and fails again.
        self.assertEqual(status, 200, body)
        self.assertIn("redriveDate", body)
        self.wait_status(arn, "FAILED")
        # This botocore predates redriveCount: read it raw.
        status, d = self.raw("DescribeExecution", {"executionArn": arn})
        self.assertEqual((status, d.get("redriveCount")), (200, 1), d)
        ok = self.create("RedriveOk", PASS)
        arn = sfn.start_execution(stateMachineArn=ok)["executionArn"]
        self.wait_status(arn, "SUCCEEDED")
        status, body = self.raw("RedriveExecution", {"executionArn": arn})
        self.assertEqual((status, body["__type"]), (400, "ExecutionNotRedrivable"))

    def test_sigterm_leaves_waiting_executions_resumable(self):
        home = tempfile.mkdtemp(prefix="mlf_serve_boto3_restart_")
        try:
            server = Server(home)
            try:
                sfn = self.client(server)
                machine = sfn.create_state_machine(name="Short", roleArn=ROLE, definition=json.dumps(
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2, "End": True}}})
                )["stateMachineArn"]
                arn = sfn.start_execution(stateMachineArn=machine, name="left")["executionArn"]
            finally:
                code = server.stop()
            self.assertEqual(code, 0)
            server = Server(home)
            try:
                sfn = self.client(server)
                self.assertIn(sfn.describe_execution(executionArn=arn)["status"],
                              ("RUNNING", "SUCCEEDED"))
                with open(server.log_path) as f:
                    log = f.read()
                self.assertNotIn("cannot resume", log)
                # Resumed: the Wait ends and the execution succeeds.
                deadline = time.time() + 15
                while time.time() < deadline:
                    if sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED":
                        break
                    time.sleep(0.1)
                self.assertEqual(sfn.describe_execution(executionArn=arn)["status"], "SUCCEEDED")
            finally:
                self.assertEqual(server.stop(), 0)
        finally:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2, warnings="ignore")
