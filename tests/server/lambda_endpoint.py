"""--lambda-endpoint: Lambda tasks go to an endpoint speaking Lambda's
Invoke API (here a small one in this test, on loopback). Results, function
errors (X-Amz-Function-Error), service errors (404), an endpoint that is
down, and a slow function that holds up no other request."""
import http.server
import json
import socket
import sys
import threading
import time

from harness import check, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
calls = []


class Lambda(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        parts = self.path.split("/")
        check(parts[1:3] == ["2015-03-31", "functions"] and parts[4] == "invocations", "path " + self.path)
        name = parts[3]
        calls.append((name, event))
        if name == "double":
            self.answer(200, {"v": event["n"] * 2})
        elif name == "boom":
            self.answer(200, {"errorType": "ValueError", "errorMessage": "bad input"},
                        [("X-Amz-Function-Error", "Unhandled")])
        elif name == "slow":
            time.sleep(2)
            self.answer(200, "slept")
        else:
            self.answer(404, {"Type": "User", "Message": "Function not found: " + name},
                        [("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")])


lam = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Lambda)
threading.Thread(target=lam.serve_forever, daemon=True).start()
url = "http://127.0.0.1:%d" % lam.server_address[1]

invoke = lambda fn, payload: json.dumps({"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": fn, "Payload": payload}, "OutputPath": "$.Payload", "End": True}}})
plain = json.dumps({"StartAt": "Call", "States": {"Call": {
    "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "End": True}}})

with serve(aslc, "--lambda-endpoint", url) as s:
    sfn = s.client()
    make = lambda name, d: sfn.create_state_machine(name=name, definition=d, roleArn=role)["stateMachineArn"]
    d = wait_status(sfn, sfn.start_execution(stateMachineArn=make("Invoke", invoke("double", {"n.$": "$.n"})),
                                             input='{"n": 21}')["executionArn"])
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"v": 42}, "lambda:invoke: %r" % d)
    d = wait_status(sfn, sfn.start_execution(stateMachineArn=make("Plain", plain), input='{"n": 4}')["executionArn"])
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == {"v": 8}, "function ARN: %r" % d)
    check(calls[1] == ("double", {"n": 4}), "the event sent: %r" % (calls[1],))
    d = wait_status(sfn, sfn.start_execution(stateMachineArn=make("Boom", invoke("boom", {}))) ["executionArn"])
    check(d["status"] == "FAILED" and d["error"] == "ValueError" and json.loads(d["cause"])["errorMessage"] ==
          "bad input", "function error: %r" % d)
    d = wait_status(sfn, sfn.start_execution(stateMachineArn=make("Missing", invoke("nope", {}))) ["executionArn"])
    check(d["status"] == "FAILED" and d["error"] == "Lambda.ResourceNotFoundException" and
          "Function not found: nope" in d["cause"], "service error: %r" % d)

    # A slow function: other requests and executions go on meanwhile.
    slow = sfn.start_execution(stateMachineArn=make("Slow", invoke("slow", {})))["executionArn"]
    time.sleep(0.3)
    t0 = time.time()
    quick = sfn.start_execution(stateMachineArn=make("Quick", invoke("double", {"n": 1})))["executionArn"]
    d = wait_status(sfn, quick)
    check(d["status"] == "SUCCEEDED" and time.time() - t0 < 1.5, "served while a function is slow")
    check(sfn.describe_execution(executionArn=slow)["status"] == "RUNNING", "the slow one still runs")
    d = wait_status(sfn, slow, timeout=10)
    check(d["status"] == "SUCCEEDED" and json.loads(d["output"]) == "slept", "slow: %r" % d)
lam.shutdown()

# An endpoint that is down.
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
with serve(aslc, "--lambda-endpoint", "http://127.0.0.1:%d" % port) as s:
    sfn = s.client()
    arn = sfn.create_state_machine(name="Down", definition=invoke("double", {}), roleArn=role)["stateMachineArn"]
    d = wait_status(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    check(d["status"] == "FAILED" and d["error"] == "Lambda.SdkClientException", "endpoint down: %r" % d)
print("ok")
