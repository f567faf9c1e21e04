"""Executions through boto3: StopExecution of a waiting execution (and of
one waiting on a token), GetExecutionHistory paged both ways with and
without execution data, idempotent StartExecution, ListExecutions with
statusFilter and paging."""
import json
import sys

from harness import check, error_of, events, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
waiting = json.dumps({"StartAt": "Wait", "States": {
    "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
    "Done": {"Type": "Succeed"}}})
token = json.dumps({"StartAt": "Hold", "States": {"Hold": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
    "Parameters": {"FunctionName": "Hold", "Payload": {"t.$": "$$.Task.Token"}}, "End": True}}})
steps = json.dumps({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Result": {"n": 1}, "Next": "B"},
    "B": {"Type": "Pass", "Next": "C"},
    "C": {"Type": "Pass", "End": True}}})

with serve(aslc, "--lambda", "Hold=cat >/dev/null; echo null") as s:
    sfn = s.client()
    w = sfn.create_state_machine(name="Waiting", definition=waiting, roleArn=role)["stateMachineArn"]
    t = sfn.create_state_machine(name="Token", definition=token, roleArn=role)["stateMachineArn"]
    p = sfn.create_state_machine(name="Steps", definition=steps, roleArn=role)["stateMachineArn"]

    # StopExecution of an execution in a Wait state.
    ex = sfn.start_execution(stateMachineArn=w, name="stop-me")["executionArn"]
    wait_status(sfn, ex, "RUNNING")
    stop = sfn.stop_execution(executionArn=ex, error="Operator", cause="stopped by the test")
    check("stopDate" in stop, "StopExecution answers stopDate")
    d = sfn.describe_execution(executionArn=ex)
    check(d["status"] == "ABORTED" and d.get("error") == "Operator" and d.get("cause") == "stopped by the test",
          "stopped: %r" % d)
    types = [e["type"] for e in events(sfn, ex)]
    check(types[-1] == "ExecutionAborted", "history ends with ExecutionAborted: %r" % types)
    aborted = sfn.list_executions(stateMachineArn=w, statusFilter="ABORTED")["executions"]
    check([e["name"] for e in aborted] == ["stop-me"], "statusFilter ABORTED: %r" % aborted)
    check(sfn.describe_state_machine_for_execution(executionArn=ex)["definition"] == waiting, "its definition")
    check(sfn.list_executions(stateMachineArn=w, statusFilter="RUNNING")["executions"] == [], "none running")

    # StopExecution of an execution waiting for a token: the token closes.
    ex = sfn.start_execution(stateMachineArn=t)["executionArn"]
    tok = None
    for _ in range(500):
        sched = [e for e in events(sfn, ex) if e["type"] == "TaskScheduled"]
        if sched:
            tok = json.loads(sched[0]["taskScheduledEventDetails"]["parameters"])["Payload"]["t"]
            break
    check(tok, "the token task was scheduled")
    sfn.stop_execution(executionArn=ex)
    check(sfn.describe_execution(executionArn=ex)["status"] == "ABORTED", "stopped while waiting on a token")
    code, _ = error_of(sfn.send_task_success, taskToken=tok, output="{}")
    check(code in ("TaskDoesNotExist", "TaskTimedOut"), "token of a stopped execution: " + code)

    # An execution keeps the definition it started with.
    before = sfn.start_execution(stateMachineArn=w)["executionArn"]
    waiting2 = waiting.replace("3600", "3599")
    sfn.update_state_machine(stateMachineArn=w, definition=waiting2)
    after = sfn.start_execution(stateMachineArn=w)["executionArn"]
    old_def = sfn.describe_state_machine_for_execution(executionArn=before)
    new_def = sfn.describe_state_machine_for_execution(executionArn=after)
    check(old_def["definition"] == waiting and new_def["definition"] == waiting2, "definitions by execution")
    check(new_def["updateDate"] > old_def["updateDate"], "updateDate follows the update")
    check(sfn.describe_state_machine(stateMachineArn=w)["definition"] == waiting2, "DescribeStateMachine: current")
    sfn.stop_execution(executionArn=before)
    sfn.stop_execution(executionArn=after)

    # Idempotent StartExecution: same name and input while running.
    a = sfn.start_execution(stateMachineArn=w, name="same", input='{"x": 1}')
    b = sfn.start_execution(stateMachineArn=w, name="same", input='{ "x" : 1 }')
    check(a["executionArn"] == b["executionArn"] and a["startDate"] == b["startDate"], "idempotent start")
    check(error_of(sfn.start_execution, stateMachineArn=w, name="same", input='{"x": 2}')[0] ==
          "ExecutionAlreadyExists", "other input: ExecutionAlreadyExists")
    sfn.stop_execution(executionArn=a["executionArn"])
    check(error_of(sfn.start_execution, stateMachineArn=w, name="same", input='{"x": 1}')[0] ==
          "ExecutionAlreadyExists", "closed execution: ExecutionAlreadyExists")

    # History paging, both directions.
    ex = sfn.start_execution(stateMachineArn=p, input='{"in": true}')["executionArn"]
    wait_status(sfn, ex)
    full = events(sfn, ex)
    check(len(full) == 8, "8 events for three Pass states, got %d" % len(full))
    check([e["id"] for e in full] == list(range(1, 9)), "ids 1..8")
    for reverse in (False, True):
        got, tok, pages = [], None, 0
        while True:
            kw = {"nextToken": tok} if tok else {}
            page = sfn.get_execution_history(executionArn=ex, maxResults=3, reverseOrder=reverse, **kw)
            got += page["events"]
            pages += 1
            tok = page.get("nextToken")
            if not tok:
                break
        want = list(reversed(full)) if reverse else full
        check([e["id"] for e in got] == [e["id"] for e in want], "paged history (reverse=%s)" % reverse)
        check(pages == 3, "8 events in pages of 3: 3 pages, got %d" % pages)
    lean = events(sfn, ex, includeExecutionData=False)
    check("input" not in lean[0]["executionStartedEventDetails"], "includeExecutionData false drops the input")
    check(json.loads(full[0]["executionStartedEventDetails"]["input"]) == {"in": True}, "input in the history")
    check(error_of(sfn.get_execution_history, executionArn=ex, nextToken="bogus")[0] == "InvalidToken",
          "bad nextToken: InvalidToken")

    # ListExecutions paging, newest first.
    for i in range(5):
        sfn.start_execution(stateMachineArn=p, name="run-%d" % i)
    names, tok = [], None
    while True:
        kw = {"nextToken": tok} if tok else {}
        page = sfn.list_executions(stateMachineArn=p, maxResults=2, **kw)
        names += [e["name"] for e in page["executions"]]
        tok = page.get("nextToken")
        if not tok:
            break
    check(names[:5] == ["run-4", "run-3", "run-2", "run-1", "run-0"] and len(names) == 6, "list: %r" % names)
    pager = sfn.get_paginator("list_executions")
    check(sum(len(pg["executions"]) for pg in pager.paginate(stateMachineArn=p, PaginationConfig={"PageSize": 4}))
          == 6, "boto3's paginator")
print("ok")
