"""The AWS CLI (`aws stepfunctions --endpoint-url ...`) against aslc serve:
a definition named on the command line (and its --machine) exists at
start, one created from
a file, executions started, described, listed, updated and deleted."""
import json
import os
import sys
import tempfile

from harness import EXAMPLES, check, serve

aslc = sys.argv[1]


def finished(s, ex):
    """describe-execution until the execution is no longer RUNNING."""
    for _ in range(200):
        d = s.cli("describe-execution", "--execution-arn", ex)
        if d["status"] != "RUNNING":
            return d
    raise AssertionError("%s still running" % ex)


hello = {"StartAt": "Greet", "States": {"Greet": {"Type": "Pass", "Parameters": {"greeting.$":
         "States.Format('hello {}', $.name)"}, "End": True}}}

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "hello.asl.json")
    with open(path, "w") as f:
        json.dump(hello, f)
    nested = os.path.join(EXAMPLES, "workflow-within-a-workflow", "nested.asl.json")
    with serve(aslc, path, "--machine", "Other=" + nested) as s:
        check(any("stateMachine:hello" in line for line in s.banner), "banner names the machine: %r" % s.banner)
        machines = s.cli("list-state-machines")["stateMachines"]
        check([m["name"] for m in machines] == ["hello", "Other"], "the definitions at start: %r" % machines)
        arn = machines[0]["stateMachineArn"]
        check(arn == "arn:aws:states:us-east-1:123456789012:stateMachine:hello", arn)
        ex = s.cli("start-execution", "--state-machine-arn", arn, "--input", '{"name": "cli"}')["executionArn"]
        d = finished(s, ex)
        check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"greeting": "hello cli"}, "run: %r" % d)
        hist = s.cli("get-execution-history", "--execution-arn", ex, "--reverse-order", "--max-items", "1")
        check(hist["events"][0]["type"] == "ExecutionSucceeded", "newest event first: %r" % hist["events"][0])

        path2 = os.path.join(tmp, "two.json")
        with open(path2, "w") as f:
            json.dump({"StartAt": "X", "States": {"X": {"Type": "Pass", "Result": 2, "End": True}}}, f)
        made = s.cli("create-state-machine", "--name", "Two", "--definition", "file://" + path2,
                     "--role-arn", "arn:aws:iam::123456789012:role/r")
        ex = s.cli("start-execution", "--state-machine-arn", made["stateMachineArn"])["executionArn"]
        d = finished(s, ex)
        check(d["output"] == "2", "Two: %r" % d)
        with open(path2, "w") as f:
            json.dump({"StartAt": "X", "States": {"X": {"Type": "Pass", "Result": 3, "End": True}}}, f)
        s.cli("update-state-machine", "--state-machine-arn", made["stateMachineArn"], "--definition",
              "file://" + path2)
        ex = s.cli("start-execution", "--state-machine-arn", made["stateMachineArn"])["executionArn"]
        d = finished(s, ex)
        check(d["output"] == "3", "after UpdateStateMachine: %r" % d)
        listed = s.cli("list-executions", "--state-machine-arn", made["stateMachineArn"])["executions"]
        check(len(listed) == 2, "two executions: %r" % listed)
        s.cli("delete-state-machine", "--state-machine-arn", made["stateMachineArn"])
        r = s.cli("describe-state-machine", "--state-machine-arn", made["stateMachineArn"], ok=False)
        check(r.returncode != 0 and "StateMachineDoesNotExist" in r.stderr, "deleted: " + r.stderr)
print("ok")
