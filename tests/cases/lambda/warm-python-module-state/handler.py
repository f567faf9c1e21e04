# A warm runner keeps the module between invocations, as a warm Lambda
# container does: `calls` counts this process's invocations.
import os

calls = 0


def handler(event, context):
    global calls
    calls += 1
    print("printed: goes to stderr")
    # A process the handler starts writes to stdout too: that reaches
    # stderr, never the result.
    os.system("echo from a child process")
    return {"calls": calls, "pid": os.getpid(), "item": event}
