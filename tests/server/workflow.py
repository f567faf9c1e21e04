"""The reference example (examples/workflow-within-a-workflow) driven
entirely through the API with boto3: both machines created by
CreateStateMachine, main started, described until done. Its output must be
what `aslc run` prints, and the nested executions must be listed."""
import json
import os
import subprocess
import sys

from harness import EXAMPLES, check, events, serve, wait_status

aslc = sys.argv[1]
ex = os.path.join(EXAMPLES, "workflow-within-a-workflow")
nested_arn = "arn:aws:states:me-south-1:112233445566:stateMachine:NestedStateMachine0545D63E-B7mTHyUm3dld"
role = "arn:aws:iam::112233445566:role/StepFunctions"

run = subprocess.run([aslc, "run", os.path.join(ex, "main.asl.json"), "--virtual-time"], capture_output=True,
                     text=True, timeout=60)
check(run.returncode == 0, "aslc run failed: " + run.stderr)
expected = json.loads(run.stdout)

with serve(aslc, "--tasks", os.path.join(ex, "callback.c"), "--wait-time-scale", "0.05",
           region="me-south-1", account="112233445566") as s:
    sfn = s.client()
    check(sfn.list_state_machines()["stateMachines"] == [], "no machine exists before CreateStateMachine")
    with open(os.path.join(ex, "main.asl.json")) as f:
        main_def = f.read()
    with open(os.path.join(ex, "nested.asl.json")) as f:
        nested_def = f.read()
    # main first: the machine it starts need not exist yet.
    main_arn = sfn.create_state_machine(name="Main", definition=main_def, roleArn=role)["stateMachineArn"]
    got = sfn.create_state_machine(name=nested_arn.split(":")[-1], definition=nested_def, roleArn=role)
    check(got["stateMachineArn"] == nested_arn, "nested ARN: " + got["stateMachineArn"])
    names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
    check(names == ["Main", nested_arn.split(":")[-1]], "ListStateMachines: %r" % names)
    d = sfn.describe_state_machine(stateMachineArn=main_arn)
    check(d["definition"] == main_def and d["roleArn"] == role and d["type"] == "STANDARD" and d["status"] == "ACTIVE",
          "DescribeStateMachine: %r" % d)

    start = sfn.start_execution(stateMachineArn=main_arn, name="reference", input="{}")
    check(start["executionArn"] == "arn:aws:states:me-south-1:112233445566:execution:Main:reference",
          "execution ARN: " + start["executionArn"])
    done = wait_status(sfn, start["executionArn"], timeout=30)
    check(done["status"] == "SUCCEEDED", "main ended %s: %r" % (done["status"], done))
    check(json.loads(done["output"]) == expected, "output %s, aslc run printed %s" % (done["output"], run.stdout))

    nested = sfn.list_executions(stateMachineArn=nested_arn)["executions"]
    check(len(nested) == 3, "three nested executions, got %d" % len(nested))
    for e in nested:
        check(e["status"] == "SUCCEEDED", "nested %s is %s" % (e["name"], e["status"]))
        m = sfn.describe_state_machine_for_execution(executionArn=e["executionArn"])
        check(m["stateMachineArn"] == nested_arn and m["definition"] == nested_def, "DescribeStateMachineForExecution")
    types = [e["type"] for e in events(sfn, start["executionArn"])]
    check(types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", "history: %r" % types)
    check("TaskSubmitted" in types and "ParallelStateExited" in types, "history: %r" % types)
print("ok")
