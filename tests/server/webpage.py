"""The browser's pages of aslc serve: GET / lists the state machines and
their executions (AWS's names cannot hold HTML's
special characters; the state names of the report can, and are escaped), GET /execution?arn=ARN is the
execution's report (aslc report's page) and reloads itself while the
execution runs; an ARN that names nothing and any other GET path are 404;
a GET with X-Amz-Target is still an API call."""
import http.client
import json
import sys
import urllib.parse

from harness import check, serve, wait_status

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
steps = json.dumps({"StartAt": "First<Step>", "States": {
    "First<Step>": {"Type": "Pass", "Result": {"n": 1}, "Next": "Second"},
    "Second": {"Type": "Pass", "End": True}}})
waiting = json.dumps({"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}})


def get(url, path, headers=None):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    data = r.read().decode()
    c.close()
    return r.status, r.getheader("Content-Type"), data


def page_of(arn):
    return "/execution?arn=" + urllib.parse.quote(arn, safe="")


with serve(aslc) as s:
    sfn = s.client()
    st, ctype, body = get(s.url, "/")
    check(st == 200 and ctype.startswith("text/html") and "No state machine" in body, "empty index: %s" % body)

    m = sfn.create_state_machine(name="Steps", definition=steps, roleArn=role)["stateMachineArn"]
    w = sfn.create_state_machine(name="Waiting", definition=waiting, roleArn=role)["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=m, name="run-one")["executionArn"]
    wait_status(sfn, ex, "SUCCEEDED")
    held = sfn.start_execution(stateMachineArn=w, name="held")["executionArn"]
    wait_status(sfn, held, "RUNNING")

    st, ctype, body = get(s.url, "/")
    check(st == 200 and ctype.startswith("text/html"), "index: %s %s" % (st, ctype))
    for text in ("Steps", "Waiting", m, "held", "SUCCEEDED", "RUNNING", "run-one"):
        check(text in body, "index lists %r: %s" % (text, body))
    check('href="%s"' % page_of(ex) in body, "index links the execution's page: %s" % body)
    check("http://" not in body and "https://" not in body, "index fetches nothing")

    st, ctype, body = get(s.url, page_of(ex))
    check(st == 200 and ctype.startswith("text/html"), "report: %s %s" % (st, ctype))
    check('"executionArn":"%s"' % ex in body and '"status":"SUCCEEDED"' in body, "report of the execution")
    for text in ("First&lt;Step&gt;", "Second", "ExecutionSucceeded"):
        check(text in body or text.replace("&lt;", "\\u003c") in body, "report shows %r" % text)
    check("<svg" in body or "nograph" in body, "report has its graph")
    check('http-equiv="refresh"' not in body, "an ended execution's page does not reload")
    check("<script src=" not in body and "<link " not in body, "report fetches nothing")

    st, _, body = get(s.url, page_of(held))
    check(st == 200 and "RUNNING" in body and '<meta http-equiv="refresh" content="2">' in body,
          "a running execution's page reloads itself")

    for path in (page_of(m.replace("stateMachine", "execution") + ":nothing"), "/execution?arn=%3Cscript%3E",
                 "/execution", "/nothing", "/favicon.ico"):
        st, ctype, body = get(s.url, path)
        check(st == 404 and ctype.startswith("text/plain") and "<" not in body, "%s: %s %s" % (path, st, body))

    st, _, body = get(s.url, "/", {"X-Amz-Target": "AWSStepFunctions.ListStateMachines"})
    check(st == 400 and "UnknownOperationException" in body, "GET with X-Amz-Target stays the API's: %s" % body)
    sfn.stop_execution(executionArn=held)
print("ok")
