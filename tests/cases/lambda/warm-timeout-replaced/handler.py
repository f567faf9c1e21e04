# `calls` counts this process's invocations; {"hang": true} never answers.
import time

calls = 0


def handler(event, context):
    global calls
    calls += 1
    if event.get("hang"):
        time.sleep(60)
    return {"calls": calls}
