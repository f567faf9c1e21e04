# `calls` counts this process's invocations; {"crash": true} ends the
# process without an answer, as a runtime crash does.
import os

calls = 0


def handler(event, context):
    global calls
    calls += 1
    if event.get("crash"):
        os._exit(3)
    return {"calls": calls}
