"""aslc serve --data: executions resume after a restart (SIGTERM, then
kill -9), with boto3. One execution per suspension kind: a Wait, a task
token, an activity task a worker has taken, a .sync child execution that
waits for its token, a retry back-off; and one stopped after a restart.
Each keeps its ARN, its token (the one the history shows answers after
the restart), its timers' due times and a contiguous history; the machines
(two versions of one) and the activity are listed and described again. A
second server on the folder, a store from a newer aslc and a full disk are
refused with the file named."""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import botocore.exceptions

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
from harness import check, error_of, events, serve, wait_status  # noqa: E402

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
data = tempfile.mkdtemp(prefix="aslc-restart-")
args = ("--data", data, "--lambda", "Notify=cat >/dev/null; echo '{}'", "--lambda", "Broken=cat >/dev/null; exit 3")
ask = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
       "Parameters": {"FunctionName": "Notify", "Payload": {"token.$": "$$.Task.Token"}}}


def definition(states, start):
    return json.dumps({"StartAt": start, "States": states})


def token_of(sfn, arn):
    for _ in range(500):
        evs = events(sfn, arn)
        if any(e["type"] == "TaskSubmitted" for e in evs):
            for e in evs:
                if e["type"] == "TaskScheduled":
                    return json.loads(e["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
        time.sleep(0.02)
    raise AssertionError("no token for " + arn)


def wait_event(sfn, arn, kind):
    for _ in range(500):
        if any(e["type"] == kind for e in events(sfn, arn)):
            return
        time.sleep(0.02)
    raise AssertionError("no %s in %s" % (kind, arn))


def contiguous(sfn, arn):
    ids = [e["id"] for e in events(sfn, arn)]
    check(ids == list(range(1, len(ids) + 1)), "history of %s: ids %r" % (arn, ids))
    return ids


try:
    s = serve(aslc, *args)
    sfn = s.client()
    act = sfn.create_activity(name="Review")["activityArn"]
    approval = sfn.create_state_machine(name="Approval", roleArn=role, definition=definition(
        {"Ask": dict(ask, ResultPath="$.v1", End=True)}, "Ask"))["stateMachineArn"]
    x_old = sfn.start_execution(stateMachineArn=approval, name="on-v1")["executionArn"]
    # Version 2: the execution above keeps running version 1.
    sfn.update_state_machine(stateMachineArn=approval, definition=definition(
        {"Ask": dict(ask, ResultPath="$.v2", End=True)}, "Ask"))
    x_token = sfn.start_execution(stateMachineArn=approval, name="token", input='{"n": 1}')["executionArn"]
    x_stop = sfn.start_execution(stateMachineArn=approval, name="to-stop")["executionArn"]
    waiter = sfn.create_state_machine(name="Waiter", roleArn=role, definition=definition(
        {"Nap": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
         "Done": {"Type": "Pass", "Result": "rested", "ResultPath": "$.r", "End": True}}, "Nap"))["stateMachineArn"]
    x_wait = sfn.start_execution(stateMachineArn=waiter, name="wait")["executionArn"]
    worker = sfn.create_state_machine(name="Worker", roleArn=role, definition=definition(
        {"Work": {"Type": "Task", "Resource": act, "ResultPath": "$.work", "End": True}}, "Work"))["stateMachineArn"]
    x_act = sfn.start_execution(stateMachineArn=worker, name="activity", input='{"doc": 7}')["executionArn"]
    parent = sfn.create_state_machine(name="Parent", roleArn=role, definition=definition(
        {"Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                   "Parameters": {"StateMachineArn": approval, "Name": "child", "Input": {"n": 2}},
                   "ResultSelector": {"out.$": "$.Output"}, "End": True}}, "Child"))["stateMachineArn"]
    x_parent = sfn.start_execution(stateMachineArn=parent, name="parent")["executionArn"]
    x_child = approval.replace(":stateMachine:", ":execution:") + ":child"
    retrier = sfn.create_state_machine(name="Retrier", roleArn=role, definition=definition(
        {"Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "Broken"},
                  "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 1}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Caught"}],
                  "End": True},
         "Caught": {"Type": "Pass", "Result": "caught", "ResultPath": "$.r", "End": True}}, "Call"))["stateMachineArn"]
    x_retry = sfn.start_execution(stateMachineArn=retrier, name="retry")["executionArn"]

    tokens = {x: token_of(sfn, x) for x in (x_old, x_token, x_stop, x_child)}
    task = sfn.get_activity_task(activityArn=act, workerName="w")
    check(task.get("taskToken") and json.loads(task["input"]) == {"doc": 7}, "activity task %r" % task)
    wait_event(sfn, x_retry, "TaskFailed")
    wait_entered = [e for e in events(sfn, x_wait) if e["type"] == "WaitStateEntered"][0]["timestamp"]
    before = {x: contiguous(sfn, x)[-1] for x in (x_old, x_token, x_wait, x_act, x_parent, x_child, x_retry)}

    # A graceful restart, then a crash.
    s.stop()
    s = serve(aslc, *args)
    sfn = s.client()
    check(sfn.stop_execution(executionArn=x_stop, error="Operator", cause="after a restart") is not None, "stop")
    os.kill(s.proc.pid, signal.SIGKILL)
    s.proc.wait()
    s = serve(aslc, *args)
    sfn = s.client()

    names = sorted(m["name"] for m in sfn.list_state_machines()["stateMachines"])
    check(names == ["Approval", "Parent", "Retrier", "Waiter", "Worker"], "machines %r" % names)
    check('"$.v2"' in sfn.describe_state_machine(stateMachineArn=approval)["definition"], "version 2 is current")
    check([a["activityArn"] for a in sfn.list_activities()["activities"]] == [act], "activities")
    listed = {e["executionArn"]: e["status"] for e in sfn.list_executions(stateMachineArn=approval)["executions"]}
    check(listed.get(x_token) == "RUNNING" and listed.get(x_stop) == "ABORTED", "listed %r" % listed)
    for x, last in before.items():
        ids = contiguous(sfn, x)
        check(ids[-1] >= last, "%s lost events: %d < %d" % (x, ids[-1], last))

    # The same tokens answer; each execution ends once, as it would have.
    sfn.send_task_success(taskToken=tokens[x_old], output='{"a": 1}')
    sfn.send_task_success(taskToken=tokens[x_token], output='{"a": 2}')
    sfn.send_task_success(taskToken=tokens[x_child], output='{"a": 3}')
    sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
    code, _ = error_of(sfn.send_task_success, taskToken=tokens[x_stop], output="{}")
    check(code == "TaskTimedOut", "a stopped execution's token: " + code)
    out = {x: wait_status(sfn, x) for x in (x_old, x_token, x_parent, x_act, x_wait, x_retry)}
    check(json.loads(out[x_old]["output"]) == {"v1": {"a": 1}}, "version 1 resumed: %r" % out[x_old])
    check(json.loads(out[x_token]["output"]) == {"n": 1, "v2": {"a": 2}}, "token: %r" % out[x_token])
    check(json.loads(out[x_parent]["output"]) == {"out": {"n": 2, "v2": {"a": 3}}}, "child: %r" % out[x_parent])
    check(json.loads(out[x_act]["output"]) == {"doc": 7, "work": {"done": True}}, "activity: %r" % out[x_act])
    check(json.loads(out[x_wait]["output"]) == {"r": "rested"}, "wait: %r" % out[x_wait])
    check(json.loads(out[x_retry]["output"])["r"] == "caught", "retry: %r" % out[x_retry])
    check(sfn.describe_execution(executionArn=x_stop)["status"] == "ABORTED", "stopped stays stopped")
    # The Wait ended at its due time (3 s after it began), not 3 s after the restart.
    evs = events(sfn, x_wait)
    exited = [e for e in evs if e["type"] == "WaitStateExited"][0]["timestamp"]
    took = (exited - wait_entered).total_seconds()
    check(3 <= took < 6, "the Wait took %.2f s" % took)
    for x in list(before) + [x_stop]:
        evs = events(sfn, x)
        contiguous(sfn, x)
        ends = [e["type"] for e in evs if e["type"].startswith("Execution") and e["type"] != "ExecutionStarted"]
        check(len(ends) == 1, "%s ended %r" % (x, ends))
    s.stop()

    # The folder is the server's while it runs; a store from a newer aslc is refused.
    s = serve(aslc, *args)
    import subprocess
    r = subprocess.run([aslc, "serve", "--port", "0", "--data", data], capture_output=True, text=True, timeout=20)
    check(r.returncode == 66 and "in use by another aslc serve" in r.stderr, "second server: %r" % r.stderr)
    s.stop()
    import sqlite3
    db = sqlite3.connect(os.path.join(data, "aslc.db"))
    db.execute("PRAGMA user_version = 7")
    db.close()
    r = subprocess.run([aslc, "serve", "--port", "0", "--data", data], capture_output=True, text=True, timeout=20)
    check(r.returncode == 66 and "aslc.db: written by a newer aslc" in r.stderr, "newer store: %r" % r.stderr)

    # A full disk (the store capped at 40 pages): the call that cannot be
    # saved fails, the server stops with status 74 naming the file, and
    # the store keeps what was saved before.
    shutil.rmtree(data)
    os.environ["ASLC_STORE_MAX_PAGES"] = "40"
    s = serve(aslc, "--data", data)
    sfn = s.client()
    big = definition({"P": {"Type": "Pass", "Result": "x" * 40000, "End": True}}, "P")
    made, code = [], None
    for i in range(10):
        try:
            made.append(sfn.create_state_machine(name="Big%d" % i, definition=big, roleArn=role)["stateMachineArn"])
        except botocore.exceptions.ClientError as e:
            code = e.response["Error"]["Code"]
            break
    check(code == "InternalFailure" and made, "a full store: %r after %d machines" % (code, len(made)))
    s.proc.wait(timeout=20)
    s.log.seek(0)
    log = s.log.read()
    check(s.proc.returncode == 74 and "aslc.db: database or disk is full" in log, "full: %d %r" % (s.proc.returncode, log))
    del os.environ["ASLC_STORE_MAX_PAGES"]
    s = serve(aslc, "--data", data)
    sfn = s.client()
    kept = sorted(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"])
    check(kept == sorted(made), "after a full disk: %r" % kept)
    s.stop()
finally:
    shutil.rmtree(data, ignore_errors=True)
print("restart: ok")
