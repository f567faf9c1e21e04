"""Keys of values that go from one unit's execution to another's. A
TestState run starts a child of a registered machine and its unit is
released as soon as the run answers, while the child still reads its input:
the input's keys that the TestState unit named (its template's keys, and
the keys of its own input, which the engine gave the unit's pointers) must
not point into the released unit (runtime/keys.c, asl_keys_adopt; the ASan
build catches a use after free). The other way, a .sync:2 child's output
comes back into the TestState run's result."""
import json
import sys

from harness import check, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
child = json.dumps({"StartAt": "Wait", "States": {
    "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Read"},
    "Read": {"Type": "Pass", "Parameters": {"id.$": "$.order.id", "all.$": "$"}, "End": True}}})


def task(arn, parameters, sync=""):
    return json.dumps({"Type": "Task", "Resource": "arn:aws:states:::states:startExecution" + sync,
                       "Parameters": dict(StateMachineArn=arn, **parameters), "End": True})


with serve(aslc) as s:
    sfn = s.client()
    arn = sfn.create_state_machine(name="child", definition=child, roleArn=role)["stateMachineArn"]
    # the child's input built by the TestState unit's template
    r = sfn.test_state(definition=task(arn, {"Input": {"order.$": "$.order", "note": "from TestState"}}),
                       roleArn=role, input=json.dumps({"order": {"id": 7, "sku": "A"}}))
    d = wait_status(sfn, json.loads(r["output"])["ExecutionArn"])
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) ==
          {"id": 7, "all": {"order": {"id": 7, "sku": "A"}, "note": "from TestState"}}, "template keys: %r" % d)
    # the child's input is the TestState run's own input, whose keys the unit names
    doc = {"order": {"id": 8, "sku": "B", "name": "eight"}}
    r = sfn.test_state(definition=task(arn, {"Input.$": "$", "Name.$": "$.order.name"}), roleArn=role,
                       input=json.dumps(doc))
    d = wait_status(sfn, json.loads(r["output"])["ExecutionArn"])
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"id": 8, "all": doc}, "input keys: %r" % d)
    # .sync:2: the child's output, keys of the child's unit, in the TestState run's result
    r = sfn.test_state(definition=task(arn, {"Input": {"order": {"id": 9}}}, ".sync:2"), roleArn=role)
    out = json.loads(r["output"])
    check(r["status"] == "SUCCEEDED" and out["Output"] == {"id": 9, "all": {"order": {"id": 9}}},
          ".sync:2: %r" % r)
print("ok")
