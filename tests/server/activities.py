"""Activities with boto3: a worker loop (GetActivityTask, SendTaskSuccess /
SendTaskFailure / SendTaskHeartbeat) serving an activity's tasks; a long
poll that waits while other requests and executions go on; a late answer
after the task timed out."""
import json
import sys
import threading
import time

from harness import check, error_of, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"


def machine(activity_arn, timeout=None):
    task = {"Type": "Task", "Resource": activity_arn, "ResultPath": "$.worked", "End": True}
    if timeout:
        task["TimeoutSeconds"] = timeout
    return json.dumps({"StartAt": "Work", "States": {"Work": task}})


with serve(aslc) as s:
    sfn = s.client()
    act = sfn.create_activity(name="Resize")["activityArn"]
    check(act == "arn:aws:states:us-east-1:123456789012:activity:Resize", act)
    check(sfn.create_activity(name="Resize")["activityArn"] == act, "CreateActivity is idempotent")
    check([a["name"] for a in sfn.list_activities()["activities"]] == ["Resize"], "ListActivities")
    check(sfn.describe_activity(activityArn=act)["name"] == "Resize", "DescribeActivity")
    arn = sfn.create_state_machine(name="UsesActivity", definition=machine(act), roleArn=role)["stateMachineArn"]

    # A long poll on an empty activity: other requests are served meanwhile.
    polled = {}

    def poll():
        polled["task"] = s.client().get_activity_task(activityArn=act, workerName="w1")
        polled["at"] = time.time()

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)
    t0 = time.time()
    for _ in range(20):
        sfn.list_state_machines()
    check(time.time() - t0 < 2, "requests are served during a long poll")
    check(th.is_alive(), "the poll still waits")
    ex = sfn.start_execution(stateMachineArn=arn, input='{"image": "a.png"}')["executionArn"]
    th.join(10)
    check(not th.is_alive(), "the poll got the task")
    task = polled["task"]
    check(json.loads(task["input"]) == {"image": "a.png"}, "task input: %r" % task)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"size": 10}')
    d = wait_status(sfn, ex)
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"])["worked"] == {"size": 10}, "worked: %r" % d)
    code = error_of(sfn.send_task_success, taskToken=task["taskToken"], output="{}")[0]
    check(code == "TaskDoesNotExist", "answered token: " + code)

    # A worker loop serving several executions, one of them failed.
    exs = [sfn.start_execution(stateMachineArn=arn, input=json.dumps({"n": i}))["executionArn"] for i in range(4)]
    for _ in range(4):
        t = sfn.get_activity_task(activityArn=act)
        n = json.loads(t["input"])["n"]
        if n == 3:
            sfn.send_task_failure(taskToken=t["taskToken"], error="Broken", cause="n is 3")
        else:
            sfn.send_task_success(taskToken=t["taskToken"], output=json.dumps(n * n))
    for i, e in enumerate(exs):
        d = wait_status(sfn, e)
        if i == 3:
            check(d["status"] == "FAILED" and d["error"] == "Broken", "failed task: %r" % d)
        else:
            check(json.loads(d["output"])["worked"] == i * i, "worker result %d: %r" % (i, d))

    # A task that times out before the worker answers.
    slow = sfn.create_state_machine(name="Slow", definition=machine(act, timeout=1), roleArn=role)["stateMachineArn"]
    e = sfn.start_execution(stateMachineArn=slow)["executionArn"]
    t = sfn.get_activity_task(activityArn=act)
    d = wait_status(sfn, e, timeout=10)
    check(d["status"] == "FAILED" and d["error"] == "States.Timeout", "timed out: %r" % d)
    check(error_of(sfn.send_task_success, taskToken=t["taskToken"], output="{}")[0] == "TaskTimedOut", "late answer")

    check(error_of(sfn.get_activity_task, activityArn=act + "x")[0] == "ActivityDoesNotExist", "no such activity")
    sfn.delete_activity(activityArn=act)
    check(sfn.list_activities()["activities"] == [], "deleted")
print("ok")
