"""Every error the protocol and the actions answer, through boto3 and raw
HTTP: names and status exactly as AWS gives them."""
import http.client
import json
import socket
import sys
import time
import urllib.parse

from harness import check, error_of, serve

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
good = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'


def raw(url, target, body, method="POST"):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target:
        headers["X-Amz-Target"] = target
    c.request(method, "/", body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Content-Type"), json.loads(data) if data else None


def aws_type(body):
    return body["__type"].split("#")[-1]


with serve(aslc) as s:
    sfn = s.client()
    arn = sfn.create_state_machine(name="Good", definition=good, roleArn=role)["stateMachineArn"]
    # The protocol.
    st, ctype, body = raw(s.url, "AWSStepFunctions.NoSuchAction", "{}")
    check(st == 400 and aws_type(body) == "UnknownOperationException", "unknown action: %r" % body)
    check(ctype == "application/x-amz-json-1.0", "content type " + str(ctype))
    st, _, body = raw(s.url, None, "{}")
    check(st == 400 and aws_type(body) == "UnknownOperationException", "no target: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.ListStateMachines", "{not json")
    check(st == 400 and aws_type(body) == "SerializationException", "bad JSON: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.ListStateMachines", "[1]")
    check(st == 400 and aws_type(body) == "SerializationException", "not an object: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.StartExecution", '{"stateMachineArn": 5}')
    check(st == 400 and aws_type(body) == "SerializationException", "ill-typed member: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.StartExecution", '{}')
    check(st == 400 and aws_type(body) == "ValidationException" and "'stateMachineArn'" in body["message"]
          and "must not be null" in body["message"], "missing member: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.ListExecutions",
                      json.dumps({"stateMachineArn": arn, "statusFilter": "DONE", "maxResults": 5000}))
    check(st == 400 and body["message"].startswith("2 validation errors detected"), "two violations: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.ListStateMachines", "{}", method="GET")
    check(st == 400, "GET: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.CreateStateMachine", '{"definition": "' + "x" * (5 << 20) + '"}')
    check(st == 400 and aws_type(body) == "ValidationException", "oversized body: %r" % body)
    st, _, body = raw(s.url, "AWSStepFunctions.ListStateMachines", "")
    check(st == 200 and body == {"stateMachines": [{"stateMachineArn": arn, "name": "Good", "type": "STANDARD",
                                                     "creationDate": body["stateMachines"][0]["creationDate"]}]},
          "empty body is {}: %r" % body)

    # A client that stalls in the middle of its request holds up nobody.
    u = urllib.parse.urlparse(s.url)
    stalled = socket.create_connection((u.hostname, u.port), timeout=5)
    stalled.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                    b"X-Amz-Target: AWSStepFunctions.ListStateMachines\r\n\r\n{\"ma")
    t0 = time.time()
    for _ in range(10):
        sfn.list_state_machines()
    check(time.time() - t0 < 3, "requests are served while a client stalls")
    stalled.close()

    # The actions.
    nope = "arn:aws:states:us-east-1:123456789012:stateMachine:Nope"
    cases = [
        (sfn.describe_state_machine, {"stateMachineArn": nope}, "StateMachineDoesNotExist"),
        (sfn.describe_state_machine, {"stateMachineArn": "not-an-arn"}, "InvalidArn"),
        (sfn.start_execution, {"stateMachineArn": nope}, "StateMachineDoesNotExist"),
        (sfn.start_execution, {"stateMachineArn": arn, "name": "has space"}, "InvalidName"),
        (sfn.start_execution, {"stateMachineArn": arn, "input": "{oops"}, "InvalidExecutionInput"),
        (sfn.describe_execution, {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:Good:x"},
         "ExecutionDoesNotExist"),
        (sfn.describe_execution, {"executionArn": arn}, "InvalidArn"),
        (sfn.stop_execution, {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:Good:x"},
         "ExecutionDoesNotExist"),
        (sfn.create_state_machine, {"name": "Good", "definition": good.replace("P", "Q"), "roleArn": role},
         "StateMachineAlreadyExists"),
        (sfn.create_state_machine, {"name": "a/b", "definition": good, "roleArn": role}, "InvalidName"),
        (sfn.create_state_machine, {"name": "R", "definition": good, "roleArn": "role"}, "InvalidArn"),
        (sfn.update_state_machine, {"stateMachineArn": arn}, "MissingRequiredParameter"),
        (sfn.list_executions, {"stateMachineArn": nope}, "StateMachineDoesNotExist"),
        (sfn.start_sync_execution, {"stateMachineArn": arn}, "StateMachineTypeNotSupported"),
    ]
    for fn, kw, want in cases:
        code, msg = error_of(fn, **kw)
        check(code == want, "%s(%r): %s (%s), expected %s" % (fn.__name__, kw, code, msg, want))

    # A bad definition: InvalidDefinition with aslc's located diagnostic.
    code, msg = error_of(sfn.create_state_machine, name="Bad", roleArn=role,
                         definition='{"StartAt":"P",\n "States":{"P":{"Type":"Pass","Next":"Nowhere"}}}')
    check(code == "InvalidDefinition" and "definition:2:" in msg and "Nowhere" in msg, "InvalidDefinition: " + msg)
    code, msg = error_of(sfn.create_state_machine, name="Bad", roleArn=role, definition="{")
    check(code == "InvalidDefinition" and "invalid JSON" in msg, "InvalidDefinition (JSON): " + msg)
    # The same name and definition again is not an error (idempotent).
    again = sfn.create_state_machine(name="Good", definition=good, roleArn=role)
    check(again["stateMachineArn"] == arn, "idempotent CreateStateMachine")
    # Tags: at creation, added, removed; the resource must exist.
    tagged = sfn.create_state_machine(name="Tagged", definition=good, roleArn=role,
                                      tags=[{"key": "team", "value": "a"}])["stateMachineArn"]
    sfn.tag_resource(resourceArn=tagged, tags=[{"key": "env", "value": "dev"}, {"key": "team", "value": "b"}])
    got = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=tagged)["tags"]}
    check(got == {"team": "b", "env": "dev"}, "tags: %r" % got)
    sfn.untag_resource(resourceArn=tagged, tagKeys=["team"])
    check(sfn.list_tags_for_resource(resourceArn=tagged)["tags"] == [{"key": "env", "value": "dev"}], "untagged")
    act = sfn.create_activity(name="Worker", tags=[{"key": "k", "value": "v"}])["activityArn"]
    check(sfn.list_tags_for_resource(resourceArn=act)["tags"] == [{"key": "k", "value": "v"}], "activity tags")
    check(error_of(sfn.list_tags_for_resource, resourceArn=nope)[0] == "ResourceNotFound", "tags of nothing")
    sfn.delete_state_machine(stateMachineArn=tagged)
    check(error_of(sfn.tag_resource, resourceArn=tagged, tags=[])[0] == "ResourceNotFound", "deleted: no tags")

    # Delete, then it is gone; deleting again is fine.
    sfn.delete_state_machine(stateMachineArn=arn)
    sfn.delete_state_machine(stateMachineArn=arn)
    check(error_of(sfn.describe_state_machine, stateMachineArn=arn)[0] == "StateMachineDoesNotExist", "deleted")
print("ok")
