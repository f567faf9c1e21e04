# Each invocation takes a while, so that the ones started together overlap;
# `calls` counts this process's invocations.
import os
import time

calls = 0


def handler(event, context):
    global calls
    calls += 1
    time.sleep(0.3)
    return {"calls": calls, "pid": os.getpid()}
