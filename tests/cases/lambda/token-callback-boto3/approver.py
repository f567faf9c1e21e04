import json

import boto3


def approve(event, context):
    sfn = boto3.client("stepfunctions")
    sfn.send_task_heartbeat(taskToken=event["token"])
    sfn.send_task_success(taskToken=event["token"],
                          output=json.dumps({"order": event["order"], "approvedBy": context.function_name}))
    return "ignored: the token's output is the task's result"


def decline(event, context):
    boto3.client("stepfunctions").send_task_failure(taskToken=event["token"], error="Order.Declined",
                                                    cause="over budget")
    return None
