# Starts a process in the background that would outlive the invocation, and
# writes down its pid and the runner's.
import os
import subprocess


def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    with open(os.path.join(event["dir"], "pids.tmp"), "w") as f:
        f.write(f"{os.getpid()} {child.pid}\n")
    os.rename(os.path.join(event["dir"], "pids.tmp"), os.path.join(event["dir"], "pids"))
    return event
