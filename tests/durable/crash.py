"""The crash test of aslc serve --data: 2,000 executions of machines that
wait on task tokens, timers, activities and child executions; the server
is killed (kill -9) at random moments three times while executions start
and tokens are answered, and restarted each time on the same folder; then
every token is answered. Every execution must end exactly once with the
right output, every history must run 1..n without a gap or a duplicate,
and no token may be lost. ASLC_CRASH_SEED replays a run."""
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

import botocore.exceptions

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))
from harness import check, serve  # noqa: E402

aslc = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
seed = int(os.environ.get("ASLC_CRASH_SEED", random.randrange(1 << 30)))
rnd = random.Random(seed)
print("seed", seed, flush=True)
N = 500                      # executions of each kind; half as many parents, each with a child
role = "arn:aws:iam::123456789012:role/r"
data = tempfile.mkdtemp(prefix="aslc-crash-")
args = ("--data", data, "--tasks", os.path.join(here, "notify.c"))
lost = (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionClosedError,
        botocore.exceptions.ReadTimeoutError, botocore.exceptions.ConnectTimeoutError, ConnectionError)


def definition(start, states):
    return json.dumps({"StartAt": start, "States": states})


ask = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
       "Parameters": {"FunctionName": "Notify", "Payload": {"token.$": "$$.Task.Token"}},
       "ResultPath": "$.answer", "End": True}
machines = {
    "Token": definition("Ask", {"Ask": ask}),
    "Timer": definition("Nap", {"Nap": {"Type": "Wait", "SecondsPath": "$.nap", "Next": "Up"},
                                "Up": {"Type": "Pass", "Result": True, "ResultPath": "$.waited", "End": True}}),
    "Worker": None,          # needs the activity's ARN
    "Parent": None,
}


def arn(kind, name):
    return "arn:aws:states:us-east-1:123456789012:%s:%s" % (kind, name)


def exec_arn(machine, name):
    return arn("execution", machine + ":" + name)


act = arn("activity", "Crunch")
machines["Worker"] = definition("Work", {"Work": {"Type": "Task", "Resource": act, "ResultPath": "$.work",
                                                  "End": True}})
machines["Parent"] = definition("Child", {"Child": {
    "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
    "Parameters": {"StateMachineArn": arn("stateMachine", "Token"), "Name.$": "States.Format('c-{}', $.i)",
                   "Input": {"i.$": "$.i"}},
    "ResultSelector": {"out.$": "$.Output"}, "End": True}})

# What to start: (machine, name, input), interleaved.
starts = []
P = N // 2
for i in range(N):
    starts.append(("Token", "t-%d" % i, {"i": i}))
    starts.append(("Timer", "w-%d" % i, {"i": i, "nap": rnd.randint(1, 3)}))
    starts.append(("Worker", "a-%d" % i, {"i": i}))
    if i < P:
        starts.append(("Parent", "p-%d" % i, {"i": i}))
token_execs = [exec_arn("Token", "t-%d" % i) for i in range(N)] + [exec_arn("Token", "c-%d" % i) for i in range(P)]
state = {"started": 0, "answered": set(), "activity": set()}


def token_of(sfn, x):
    """The open token of a task token execution, from its history (None
    while the task has not been submitted yet)."""
    try:
        evs = sfn.get_execution_history(executionArn=x, maxResults=1000)["events"]
    except sfn.exceptions.ExecutionDoesNotExist:
        return None  # a child whose parent has not started yet
    if not any(e["type"] == "TaskSubmitted" for e in evs):
        return None
    for e in evs:
        if e["type"] == "TaskScheduled":
            return json.loads(e["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]


def answer(sfn, x):
    tok = token_of(sfn, x)
    if tok is None:
        return False
    i = int(x.rsplit("-", 1)[1])
    try:
        sfn.send_task_success(taskToken=tok, output=json.dumps({"i": i, "ok": True}))
    except botocore.exceptions.ClientError as e:
        # Answered before a crash, the answer saved, its response lost.
        check(e.response["Error"]["Code"] == "TaskTimedOut", "%s: %s" % (x, e))
    state["answered"].add(x)
    return True


def work_activities(sfn):
    while len(state["activity"]) < N:
        t = sfn.get_activity_task(activityArn=act, workerName="crash")
        if not t.get("taskToken"):
            return False
        i = json.loads(t["input"])["i"]
        try:
            sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps({"i": i}))
        except botocore.exceptions.ClientError as e:
            check(e.response["Error"]["Code"] == "TaskTimedOut", "activity %d: %s" % (i, e))
        state["activity"].add(i)
    return True


def start(sfn, machine, name, inp):
    try:
        sfn.start_execution(stateMachineArn=arn("stateMachine", machine), name=name, input=json.dumps(inp))
    except botocore.exceptions.ClientError as e:
        # Started before a crash (and ended since: a Timer).
        check(e.response["Error"]["Code"] == "ExecutionAlreadyExists", "%s: %s" % (name, e))


def phase(s, final):
    """Starts executions and answers tokens until the server dies (or, in
    the final phase, until every token is answered)."""
    sfn = s.client()
    try:
        while state["started"] < len(starts):
            start(sfn, *starts[state["started"]])
            state["started"] += 1
            if state["started"] % 8 == 0:
                pending = [x for x in token_execs if x not in state["answered"]]
                if pending:
                    answer(sfn, rnd.choice(pending))
        deadline = time.time() + 60
        while final:
            pending = [x for x in token_execs if x not in state["answered"]]
            check(time.time() < deadline, "tokens never answered: %r" % pending[:5])
            pending = [x for x in token_execs if x not in state["answered"]]
            for x in pending:
                answer(sfn, x)
            if not pending and work_activities(sfn):
                return
            time.sleep(0.05)
        while True:  # until the kill
            pending = [x for x in token_execs if x not in state["answered"]]
            if not pending:
                time.sleep(0.05)
            elif not answer(sfn, rnd.choice(pending)):
                time.sleep(0.01)
    except lost:
        return


t0 = time.time()
try:
    s = serve(aslc, *args)
    sfn = s.client()
    sfn.create_activity(name="Crunch")
    for name, d in machines.items():
        sfn.create_state_machine(name=name, definition=d, roleArn=role)
    for k in range(3):
        th = threading.Thread(target=phase, args=(s, False), daemon=True)
        th.start()
        time.sleep(rnd.uniform(0.5, 3.0))
        os.kill(s.proc.pid, signal.SIGKILL)
        s.proc.wait()
        th.join(30)
        print("kill %d: %d started, %d tokens answered" % (k + 1, state["started"], len(state["answered"])),
              flush=True)
        s = serve(aslc, *args)
    phase(s, True)
    sfn = s.client()

    # Every execution ends exactly once, with the right output.
    want = {}
    for i in range(N):
        child = {"i": i, "answer": {"i": i, "ok": True}}
        want[exec_arn("Token", "t-%d" % i)] = child
        want[exec_arn("Timer", "w-%d" % i)] = None
        want[exec_arn("Worker", "a-%d" % i)] = {"i": i, "work": {"i": i}}
        if i < P:
            want[exec_arn("Token", "c-%d" % i)] = child
            want[exec_arn("Parent", "p-%d" % i)] = {"out": child}
    deadline = time.time() + 30
    for x, out in want.items():
        while True:
            evs = sfn.get_execution_history(executionArn=x, maxResults=1000)["events"]
            if evs[-1]["type"] != "ExecutionStarted" and evs[-1]["type"].startswith("Execution"):
                break
            check(time.time() < deadline, "%s still running: %s" % (x, evs[-1]["type"]))
            time.sleep(0.05)
        check(evs[-1]["type"] == "ExecutionSucceeded", "%s: %s" % (x, evs[-1]))
        got = json.loads(evs[-1]["executionSucceededEventDetails"]["output"])
        if out is None:
            check(got.get("waited") is True, "%s: %r" % (x, got))
        else:
            check(got == out, "%s: %r, wanted %r" % (x, got, out))
        ids = [e["id"] for e in evs]
        check(ids == list(range(1, len(ids) + 1)), "%s: history ids %r" % (x, ids))
        ends = [e["type"] for e in evs if e["type"] in ("ExecutionSucceeded", "ExecutionFailed",
                                                        "ExecutionAborted", "ExecutionTimedOut")]
        check(ends == ["ExecutionSucceeded"], "%s ended %r" % (x, ends))
        check(evs[-1]["type"] == "ExecutionSucceeded", "%s: last event %s" % (x, evs[-1]["type"]))
    total = sum(len(sfn.list_executions(stateMachineArn=arn("stateMachine", m), maxResults=1000)["executions"])
                for m in machines)
    check(total == len(want), "listed %d executions of %d" % (total, len(want)))
    s.stop()
finally:
    shutil.rmtree(data, ignore_errors=True)
print("crash: %d executions, 3 kills, every one ended once with its output (%.1f s)" % (len(want), time.time() - t0))
