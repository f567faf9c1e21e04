"""Mocked service integrations as Step Functions Local serves them: the mock
file from SFN_MOCK_CONFIG (a second server: from --mock), a test case
picked by StartExecution on ARN#TestCase, and the errors around it."""
import json
import os
import sys
import tempfile

from harness import check, error_of, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
order = json.dumps({"StartAt": "Charge", "States": {
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
               "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"], "IntervalSeconds": 1,
                          "MaxAttempts": 2}],
               "ResultSelector": {"charged.$": "$.Payload.charged"}, "End": True}}})
mocks = {
    "StateMachines": {"order": {"TestCases": {"Happy": {"Charge": "Ok"}, "Flaky": {"Charge": "Flaky"},
                                              "Broken": {"Charge": "Down"}}}},
    "MockedResponses": {
        "Ok": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "Flaky": {"0": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
                  "1": {"Return": {"StatusCode": 200, "Payload": {"charged": "later"}}}},
        "Down": {"0-2": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "down"}}}}}

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "MockConfigFile.json")
    with open(path, "w") as f:
        json.dump(mocks, f)
    for how in ("env", "option"):
        if how == "env":
            os.environ["SFN_MOCK_CONFIG"] = path
            args = []
        else:
            del os.environ["SFN_MOCK_CONFIG"]
            args = ["--mock", path]
        with serve(aslc, *args) as s:
            sfn = s.client()
            arn = sfn.create_state_machine(name="order", definition=order, roleArn=role)["stateMachineArn"]
            ex = sfn.start_execution(stateMachineArn=arn + "#Happy", input='{"id": 1}')["executionArn"]
            check(ex.endswith(":execution:order:" + ex.split(":")[-1]), "the execution is order's: " + ex)
            d = wait_status(sfn, ex)
            check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"charged": True}, "Happy: %r" % d)
            d = wait_status(sfn, sfn.start_execution(stateMachineArn=arn + "#Flaky")["executionArn"], timeout=20)
            check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"charged": "later"}, "Flaky: %r" % d)
            d = wait_status(sfn, sfn.start_execution(stateMachineArn=arn + "#Broken")["executionArn"])
            check(d["status"] == "FAILED" and d["error"] == "Lambda.ServiceException", "Broken: %r" % d)
            # Without a test case the Task calls its service, which nothing serves here.
            d = wait_status(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
            check(d["status"] == "FAILED" and d["error"] == "Lambda.ResourceNotFoundException", "unmocked: %r" % d)
            code, msg = error_of(sfn.start_execution, stateMachineArn=arn + "#Nope")
            check(code == "ValidationException" and "Nope" in msg, "unknown test case: %s %s" % (code, msg))
print("ok")
