"""Map Runs through boto3 and the AWS CLI: ListMapRuns, DescribeMapRun
(counts of items and child executions as they move, settings, dates),
UpdateMapRun (more concurrency starts more children; a lower tolerance
fails the run), ListExecutions with a mapRunArn, DescribeExecution's
mapRunArn, batches counted as items, ResultWriter's resultsWritten, and
the errors AWS gives (InvalidArn, ResourceNotFound, ExecutionDoesNotExist,
ValidationException)."""
import json
import os
import re
import sys
import tempfile
import time

from harness import check, error_of, events, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"


def dmap(processor, **extra):
    state = {"Type": "Map", "ItemsPath": "$.items", "Label": "Batch",
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                               "StartAt": "Work", "States": {"Work": processor}},
             "End": True}
    state.update(extra)
    return json.dumps({"StartAt": "Fan", "States": {"Fan": state}})


# Each child waits for its token, so the test decides when it ends.
hold = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": "Hold", "Payload": {"t.$": "$$.Task.Token"}}, "End": True}
held = dmap(hold, MaxConcurrency=2, ToleratedFailureCount=1)
strict = dmap(hold, ToleratedFailureCount=3)
batched = dmap({"Type": "Pass", "End": True}, ItemBatcher={"MaxItemsPerBatch": 2})


def wait_for(what, fn, timeout=20):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def the_run(sfn, ex):
    runs = wait_for("the Map Run", lambda: sfn.list_map_runs(executionArn=ex)["mapRuns"])
    check(len(runs) == 1, "one Map Run: %r" % runs)
    return runs[0]


def counts(sfn, run, key="executionCounts"):
    c = sfn.describe_map_run(mapRunArn=run)[key]
    return {k: v for k, v in c.items() if v}


def token_of(sfn, child):
    sched = wait_for("the child's task", lambda: [e for e in events(sfn, child) if e["type"] == "TaskScheduled"])
    return json.loads(sched[0]["taskScheduledEventDetails"]["parameters"])["Payload"]["t"]


def running_children(sfn, run):
    return sfn.list_executions(mapRunArn=run, statusFilter="RUNNING")["executions"]


bucket = tempfile.mkdtemp()
with serve(aslc, "--lambda", "Hold=cat >/dev/null; echo null", "--s3", "results=" + bucket) as s:
    sfn = s.client()
    m = sfn.create_state_machine(name="Runs", definition=held, roleArn=role)["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=m, input=json.dumps({"items": [1, 2, 3, 4, 5]}))["executionArn"]
    item = the_run(sfn, ex)
    run = item["mapRunArn"]
    check(re.fullmatch(r"arn:aws:states:us-east-1:123456789012:mapRun:Runs/Batch:[0-9a-f-]{36}", run), run)
    check(item["executionArn"] == ex and item["stateMachineArn"] == m and "startDate" in item
          and "stopDate" not in item, "ListMapRuns item: %r" % item)
    started = [e for e in events(sfn, ex) if e["type"] == "MapRunStarted"]
    check(started[0]["mapRunStartedEventDetails"]["mapRunArn"] == run, "the event names the same run")

    wait_for("two children running", lambda: counts(sfn, run).get("running") == 2)
    d = sfn.describe_map_run(mapRunArn=run)
    check(d["status"] == "RUNNING" and d["executionArn"] == ex and d["maxConcurrency"] == 2
          and d["toleratedFailureCount"] == 1 and d["toleratedFailurePercentage"] == 0
          and "stopDate" not in d, "DescribeMapRun: %r" % d)
    check(counts(sfn, run) == {"pending": 3, "running": 2, "total": 5}, "counts: %r" % counts(sfn, run))
    check(counts(sfn, run, "itemCounts") == {"pending": 3, "running": 2, "total": 5}, "item counts")

    kids = running_children(sfn, run)
    check(len(kids) == 2, "ListExecutions(mapRunArn): %r" % kids)
    for k in kids:
        check(k["mapRunArn"] == run and k["itemCount"] == 1 and k["stateMachineArn"].endswith(":stateMachine:Runs/Batch"),
              "a child as ListExecutions lists it: %r" % k)
        check(sfn.describe_execution(executionArn=k["executionArn"])["mapRunArn"] == run, "DescribeExecution mapRunArn")
    check("mapRunArn" not in sfn.describe_execution(executionArn=ex), "the parent has no mapRunArn")
    listed = sfn.list_executions(stateMachineArn=m)["executions"]
    check([e["executionArn"] for e in listed] == [ex] and "mapRunArn" not in listed[0], "by machine: %r" % listed)

    # More concurrency starts more children at once.
    check(sfn.update_map_run(mapRunArn=run, maxConcurrency=4)["ResponseMetadata"]["HTTPStatusCode"] == 200, "update")
    wait_for("four running", lambda: counts(sfn, run).get("running") == 4)
    check(sfn.describe_map_run(mapRunArn=run)["maxConcurrency"] == 4, "maxConcurrency updated")

    # One failure is tolerated; the last pending child starts.
    first = running_children(sfn, run)[-1]["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, first), error="Bad", cause="item failed")
    wait_for("the fifth child", lambda: counts(sfn, run) == {"running": 4, "failed": 1, "total": 5})
    for k in running_children(sfn, run):
        sfn.send_task_success(taskToken=token_of(sfn, k["executionArn"]), output='"ok"')
    check(wait_status(sfn, ex)["status"] == "SUCCEEDED", "the parent succeeded")
    d = sfn.describe_map_run(mapRunArn=run)
    check(d["status"] == "SUCCEEDED" and d["stopDate"] >= d["startDate"], "finished: %r" % d)
    check(counts(sfn, run) == {"succeeded": 4, "failed": 1, "total": 5}, "final counts %r" % counts(sfn, run))
    check("stopDate" in sfn.list_map_runs(executionArn=ex)["mapRuns"][0], "a finished run has its stopDate")
    check(len(sfn.list_executions(mapRunArn=run)["executions"]) == 5, "all five children listed")
    code, msg = error_of(sfn.update_map_run, mapRunArn=run, maxConcurrency=1)
    check(code == "ValidationException", "update of a finished run: %s %s" % (code, msg))

    # A tolerance the failures already exceed fails the run.
    m2 = sfn.create_state_machine(name="Strict", definition=strict, roleArn=role)["stateMachineArn"]
    ex2 = sfn.start_execution(stateMachineArn=m2, input=json.dumps({"items": [1, 2, 3]}))["executionArn"]
    run2 = the_run(sfn, ex2)["mapRunArn"]
    wait_for("three running", lambda: counts(sfn, run2).get("running") == 3)
    kid = running_children(sfn, run2)[0]["executionArn"]
    sfn.send_task_failure(taskToken=token_of(sfn, kid), error="Bad")
    wait_for("one failed", lambda: counts(sfn, run2).get("failed") == 1)
    sfn.update_map_run(mapRunArn=run2, toleratedFailureCount=0, toleratedFailurePercentage=10.5)
    d = wait_status(sfn, ex2)
    check(d["status"] == "FAILED" and d["error"] == "States.ExceedToleratedFailureThreshold", "parent: %r" % d)
    d = sfn.describe_map_run(mapRunArn=run2)
    check(d["status"] == "FAILED" and d["toleratedFailureCount"] == 0 and d["toleratedFailurePercentage"] == 10.5,
          "failed run: %r" % d)
    check(counts(sfn, run2) == {"failed": 1, "aborted": 2, "total": 3}, "aborted: %r" % counts(sfn, run2))

    # Batches: executions and items counted apart; ResultWriter's records.
    writer = json.loads(batched)
    writer["States"]["Fan"]["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                               "Parameters": {"Bucket": "results", "Prefix": "out"}}
    m3 = sfn.create_state_machine(name="Batched", definition=json.dumps(writer), roleArn=role)["stateMachineArn"]
    ex3 = sfn.start_execution(stateMachineArn=m3, input=json.dumps({"items": list(range(5))}))["executionArn"]
    check(wait_status(sfn, ex3)["status"] == "SUCCEEDED", "batched run")
    run3 = the_run(sfn, ex3)["mapRunArn"]
    check(counts(sfn, run3) == {"succeeded": 3, "total": 3, "resultsWritten": 3}, "batches %r" % counts(sfn, run3))
    check(counts(sfn, run3, "itemCounts") == {"succeeded": 5, "total": 5, "resultsWritten": 5}, "items")
    sizes = sorted(e["itemCount"] for e in sfn.list_executions(mapRunArn=run3)["executions"])
    check(sizes == [1, 2, 2], "itemCount per batch: %r" % sizes)
    check(os.path.exists(os.path.join(bucket, "out", run3.rsplit(":", 1)[1], "manifest.json")), "results written")

    # The AWS CLI.
    out = s.cli("list-map-runs", "--execution-arn", ex3)
    check(out["mapRuns"][0]["mapRunArn"] == run3, "CLI list-map-runs: %r" % out)
    out = s.cli("describe-map-run", "--map-run-arn", run3)
    check(out["status"] == "SUCCEEDED" and out["itemCounts"]["total"] == 5, "CLI describe-map-run: %r" % out)
    r = s.cli("update-map-run", "--map-run-arn", run3, "--max-concurrency", "3", ok=False)
    check(r.returncode != 0 and "ValidationException" in r.stderr, "CLI update-map-run: " + r.stderr)
    out = s.cli("list-executions", "--map-run-arn", run3)
    check(len(out["executions"]) == 3, "CLI list-executions --map-run-arn")

    # Errors as AWS gives them.
    missing = run.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"
    code, msg = error_of(sfn.describe_map_run, mapRunArn=missing)
    check(code == "ResourceNotFound" and missing in msg, "unknown run: %s %s" % (code, msg))
    for bad in ("not-an-arn", ex):
        code, _ = error_of(sfn.describe_map_run, mapRunArn=bad)
        check(code == "InvalidArn", "DescribeMapRun(%s): %s" % (bad, code))
    code, _ = error_of(sfn.update_map_run, mapRunArn=missing, maxConcurrency=1)
    check(code == "ResourceNotFound", "UpdateMapRun of an unknown run: " + code)
    code, _ = error_of(sfn.update_map_run, mapRunArn=run3)
    check(code == "ValidationException", "UpdateMapRun with nothing to change: " + code)
    code, _ = error_of(sfn.update_map_run, mapRunArn=run3, toleratedFailurePercentage=101)
    check(code == "ValidationException", "percentage over 100: " + code)
    code, _ = error_of(sfn.list_map_runs, executionArn=ex + "-nope")
    check(code == "ExecutionDoesNotExist", "ListMapRuns of an unknown execution: " + code)
    code, _ = error_of(sfn.list_map_runs, executionArn=run3)
    check(code == "InvalidArn", "ListMapRuns with a Map Run ARN: " + code)
    code, _ = error_of(sfn.list_executions, mapRunArn=missing)
    check(code == "ResourceNotFound", "ListExecutions of an unknown run: " + code)
    code, _ = error_of(sfn.list_executions, mapRunArn=run3, stateMachineArn=m3)
    check(code == "ValidationException", "ListExecutions with both: " + code)
    check(sfn.list_map_runs(executionArn=kids[0]["executionArn"])["mapRuns"] == [], "a child started no run")
print("ok")
