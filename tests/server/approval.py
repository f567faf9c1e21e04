"""A human-approval machine: the execution waits on a task token; a second
client (the AWS CLI, in another process) answers it with send-task-success
while it waits, and the execution goes on with that output. Then the same
with send-task-failure, and the errors a used or made-up token gets."""
import json
import sys

from harness import check, error_of, events, serve, wait_status

aslc = sys.argv[1]
definition = json.dumps({
    "StartAt": "Ask for approval",
    "States": {
        "Ask for approval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "SendApprovalRequest",
                           "Payload": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
            "ResultPath": "$.approval",
            "Next": "Approved?"},
        "Approved?": {"Type": "Choice",
                      "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Ship"}],
                      "Default": "Rejected"},
        "Ship": {"Type": "Pass", "Result": "shipped", "ResultPath": "$.result", "End": True},
        "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "not approved"}}})


def token_of(sfn, arn):
    """The token the waiting task was scheduled with, read from the history
    as a person would find it."""
    for _ in range(500):
        for e in events(sfn, arn):
            if e["type"] == "TaskScheduled":
                params = json.loads(e["taskScheduledEventDetails"]["parameters"])
                return params["Payload"]["token"]
        wait_status(sfn, arn, "RUNNING")
    raise AssertionError("no TaskScheduled event")


with serve(aslc, "--lambda", "SendApprovalRequest=cat >/dev/null; echo '{}'") as s:
    sfn = s.client()
    arn = sfn.create_state_machine(name="Approval", definition=definition,
                                   roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, input='{"order": 42}')["executionArn"]
    token = token_of(sfn, ex)
    check(wait_status(sfn, ex, "RUNNING")["status"] == "RUNNING", "the execution waits for the token")
    s.cli("send-task-success", "--task-token", token, "--task-output", '{"approved": true, "by": "cli"}')
    d = wait_status(sfn, ex)
    check(d["status"] == "SUCCEEDED", "approved: %r" % d)
    out = json.loads(d["output"])
    check(out == {"order": 42, "approval": {"approved": True, "by": "cli"}, "result": "shipped"}, "output %r" % out)
    # The token is closed now.
    code, _ = error_of(sfn.send_task_success, taskToken=token, output="{}")
    check(code in ("TaskDoesNotExist", "TaskTimedOut"), "reused token: " + code)

    ex2 = sfn.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]
    token2 = token_of(sfn, ex2)
    code, msg = error_of(sfn.send_task_success, taskToken=token2, output="{not json")
    check(code == "InvalidOutput", "bad output: %s %s" % (code, msg))
    s.cli("send-task-heartbeat", "--task-token", token2)
    s.cli("send-task-failure", "--task-token", token2, "--error", "Denied", "--cause", "the manager said no")
    d = wait_status(sfn, ex2)
    check(d["status"] == "FAILED" and d["error"] == "Denied" and d["cause"] == "the manager said no",
          "denied: %r" % d)
    code, _ = error_of(sfn.send_task_success, taskToken="made-up", output="{}")
    check(code == "InvalidToken", "made-up token: " + code)
    r = s.cli("send-task-success", "--task-token", "x" * 43, "--task-output", "{}", ok=False)
    check(r.returncode != 0 and ("TaskDoesNotExist" in r.stderr or "InvalidToken" in r.stderr),
          "CLI error: " + r.stderr)
print("ok")
