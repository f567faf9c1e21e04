"""Faults over real sockets (loopback only): malformed HTTP, clients that
go away mid-request (also while their call waits), bodies past the limit,
and many connections at once. After each kind the server still answers a
plain call, and at the end it stops cleanly (exit 0: in the sanitizer
build, no leak). Every socket has a timeout and every count is small."""
import json
import socket
import sys
import threading
import time
import urllib.parse

from harness import check, serve

aslc = sys.argv[1]
role = "arn:aws:iam::123456789012:role/r"
TIMEOUT = 20


def addr(url):
    u = urllib.parse.urlparse(url)
    return u.hostname, u.port


def connect(url):
    s = socket.create_connection(addr(url), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def request(target, body, extra=b""):
    body = body.encode() if isinstance(body, str) else body
    head = ("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: AWSStepFunctions.%s\r\nContent-Length: %d\r\n" % (target, len(body))).encode()
    return head + extra + b"\r\n" + body


def read_response(s):
    """Status and body of one response (Content-Length framed); (None, b"")
    when the server closed the connection without one."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return None, data
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, rest[:length]


def call(url, target, body="{}"):
    with connect(url) as s:
        s.sendall(request(target, body))
        return read_response(s)


def alive(url, what):
    st, body = call(url, "ListStateMachines")
    check(st == 200 and "stateMachines" in json.loads(body), "after %s the server answers: %r %r" % (what, st, body))


def raw(url, data, what, close_early=False):
    """Sends data as it is; the answer's status (None: closed without one)."""
    with connect(url) as s:
        s.sendall(data)
        if close_early:
            return None
        try:
            st, _ = read_response(s)
        except (ConnectionResetError, socket.timeout):
            st = None
    alive(url, what)
    return st


with serve(aslc) as srv:
    url = srv.url
    # Malformed HTTP: each is refused (4xx) or the connection is closed; never a crash.
    bad = {
        "garbage request line": b"HELLO\r\n\r\n",
        "binary noise": bytes(range(256)) * 4 + b"\r\n\r\n",
        "no Host on HTTP/1.1": b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
        "Content-Length not a number": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        "negative Content-Length": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}",
        "two Content-Lengths": b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
        "bad chunk size": b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "header without colon": b"POST / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
        "header of 100 KiB": b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (100 << 10) + b"\r\n\r\n",
        "NUL in the target": request("List\0StateMachines", "{}"),
        "unknown method": b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "HTTP/9.9": b"POST / HTTP/9.9\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    }
    for what, data in bad.items():
        st = raw(url, data, what)
        check(st is None or 400 <= st < 600, "%s: status %r" % (what, st))
        print("%s: %s" % (what, st or "closed"))
    # A well-formed chunked request is an ordinary call.
    st = raw(url, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\n", "chunked")
    check(st == 200, "chunked request: %r" % st)

    # Clients that go away: after the headers, halfway through the body,
    # and with 1 TB announced.
    raw(url, request("ListStateMachines", "{}")[:-2], "closing before the body", close_early=True)
    half = request("CreateStateMachine", json.dumps({"name": "H", "definition": "{}" + " " * 4000, "roleArn": role}))
    raw(url, half[:len(half) // 2], "closing halfway through the body", close_early=True)
    raw(url, b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
        b"Content-Length: 1000000000000\r\n\r\n{}", "a 1 TB body announced", close_early=True)
    alive(url, "clients that went away")

    # A client that goes away while its call waits (GetActivityTask polls
    # for up to a minute): the server answers the others meanwhile and
    # stops cleanly with the call still pending.
    st, body = call(url, "CreateActivity", json.dumps({"name": "work"}))
    check(st == 200, "CreateActivity: %r %r" % (st, body))
    activity = json.loads(body)["activityArn"]
    waiting = []
    for _ in range(3):
        s = connect(url)
        s.sendall(request("GetActivityTask", json.dumps({"activityArn": activity})))
        waiting.append(s)
    time.sleep(0.3)
    for s in waiting:
        s.close()
    alive(url, "clients that left while their call waited")

    # Bodies past the limit (4 MiB): refused with ValidationException, also
    # when sent in many pieces; the server keeps answering.
    big = request("CreateStateMachine", json.dumps({"name": "Big", "definition": "x" * (6 << 20), "roleArn": role}))
    with connect(url) as s:
        for i in range(0, len(big), 1 << 16):
            s.sendall(big[i:i + (1 << 16)])
        st, body = read_response(s)
    check(st == 400 and b"ValidationException" in body, "oversized body: %r %r" % (st, body[:200]))
    alive(url, "an oversized body")

    # Many connections at once: 100 idle ones held open while 100 threads
    # each make a call; every call is answered.
    idle = [connect(url) for _ in range(100)]
    results = []
    lock = threading.Lock()

    def worker():
        try:
            st, body = call(url, "ListStateMachines")
        except OSError as e:
            st, body = None, str(e).encode()
        with lock:
            results.append(st)

    threads = [threading.Thread(target=worker) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    check(len(results) == 100 and all(r == 200 for r in results),
          "100 calls at once: %d answered, statuses %s" % (len(results), sorted(set(map(str, results)))))
    # Half of the idle ones now send a request and leave before the answer.
    for s in idle[:50]:
        try:
            s.sendall(request("ListStateMachines", "{}"))
        except OSError:
            pass
    for s in idle:
        s.close()
    alive(url, "many connections")
    # The same connection serves several calls in a row (keep-alive).
    with connect(url) as s:
        for _ in range(5):
            s.sendall(request("ListStateMachines", "{}"))
            st, _ = read_response(s)
            check(st == 200, "keep-alive call: %r" % st)
print("faults: ok")
