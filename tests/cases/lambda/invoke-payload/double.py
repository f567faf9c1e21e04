# A function as a plain command: the event on stdin, the result on stdout.
import json, sys
event = json.load(sys.stdin)
print(json.dumps({"doubled": event["n"] * 2}))
