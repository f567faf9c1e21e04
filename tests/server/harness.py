"""harness.py: runs `aslc serve` for one test and always stops it.

A test script calls serve(ASLC, args...) as a context manager: the server
starts on a free loopback port (--port 0, the URL read from its first
lines), the test talks to it with real clients (boto3, the AWS CLI, the
JavaScript SDK), and on the way out the server gets SIGTERM and must exit 0
(an ASan build reports leaks through its exit status). Every wait is
bounded; a test that hangs is killed by ctest's TIMEOUT and the server by
the harness's atexit hook.
"""
import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
import botocore.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, "examples")
_running = []


def _kill_all():
    for p in _running:
        if p.poll() is None:
            p.kill()


atexit.register(_kill_all)


class Server:
    def __init__(self, aslc, args, region, account):
        self.region = region
        self.account = account
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([aslc, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=self.log, bufsize=0)
        _running.append(self.proc)
        self.url = None
        self.banner = []
        deadline = time.time() + 20
        out = b""
        # Unbuffered reads: a buffered readline could keep lines that
        # select() then no longer sees.
        while self.url is None:
            while b"\n" in out and self.url is None:
                line, out = out.split(b"\n", 1)
                line = line.decode()
                self.banner.append(line)
                if "listening on " in line:
                    self.url = line.split("listening on ", 1)[1].strip()
            if self.url:
                break
            left = deadline - time.time()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                self.fail("the server did not print its URL within 20 s")
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                self.fail("the server exited before listening")
            out += chunk

    def fail(self, msg):
        self.proc.kill()
        self.proc.wait()
        self.log.seek(0)
        sys.exit("%s\n--- server stderr ---\n%s" % (msg, self.log.read()))

    def client(self):
        cfg = botocore.config.Config(inject_host_prefix=False, retries={"max_attempts": 1},
                                     read_timeout=70, connect_timeout=5)
        sfn = boto3.client("stepfunctions", endpoint_url=self.url, region_name=self.region,
                           aws_access_key_id="aslc", aws_secret_access_key="aslc", config=cfg)
        if os.environ.get("ASLC_RECORD"):
            sfn.meta.events.register("before-send", _record)
        return sfn

    def env(self):
        """Environment for the AWS CLI and the JavaScript SDK."""
        return dict(os.environ, AWS_ACCESS_KEY_ID="aslc", AWS_SECRET_ACCESS_KEY="aslc",
                    AWS_DEFAULT_REGION=self.region, AWS_REGION=self.region, AWS_PAGER="",
                    AWS_EC2_METADATA_DISABLED="true", ASLC_ENDPOINT=self.url)

    def cli(self, *args, ok=True):
        """Runs `aws stepfunctions ARGS --endpoint-url URL`; parsed JSON output."""
        r = subprocess.run(["aws", "stepfunctions", *args, "--endpoint-url", self.url, "--output", "json"],
                           capture_output=True, text=True, env=self.env(), timeout=60)
        if ok and r.returncode:
            raise AssertionError("aws stepfunctions %s failed: %s" % (args[0], r.stderr))
        if not ok:
            return r
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.fail("the server did not stop within 20 s of SIGTERM")
        self.log.seek(0)
        log = self.log.read()
        if self.proc.returncode != 0:
            sys.exit("the server exited with status %d\n--- server stderr ---\n%s" % (self.proc.returncode, log))
        return log

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.stop()
        else:
            self.proc.kill()
            self.proc.wait()
            self.log.seek(0)
            sys.stderr.write("--- server stderr ---\n" + self.log.read())
        return False


def _record(request, **kw):
    """fuzz/seed.py's seeds: each request as fuzz/fuzz_api.c reads one
    (target, a space, the body on one line), appended to $ASLC_RECORD."""
    target = request.headers.get("X-Amz-Target")
    body = request.body or b""
    if isinstance(target, bytes):
        target = target.decode()
    if isinstance(body, str):
        body = body.encode()
    with open(os.environ["ASLC_RECORD"], "ab") as f:
        f.write((target or "-").encode() + b" " + body.replace(b"\n", b" ") + b"\n")
    return None


def serve(aslc, *args, region="us-east-1", account="123456789012"):
    """A server; it keeps nothing (--in-memory) unless args name a --data folder."""
    keep = [] if "--data" in args else ["--in-memory"]
    return Server(aslc, [*keep, *args, "--region", region, "--account", account], region, account)


def error_of(fn, *args, **kw):
    """The AWS error code and message a call fails with (it must fail)."""
    try:
        fn(*args, **kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    raise AssertionError("the call succeeded, an error was expected")


def wait_status(sfn, arn, want=None, timeout=20):
    """Describes the execution until it is no longer RUNNING (or has status
    want); returns the description."""
    deadline = time.time() + timeout
    while True:
        d = sfn.describe_execution(executionArn=arn)
        if (want and d["status"] == want) or (not want and d["status"] != "RUNNING"):
            return d
        if time.time() > deadline:
            raise AssertionError("execution %s still %s after %d s" % (arn, d["status"], timeout))
        time.sleep(0.02)


def events(sfn, arn, **kw):
    return sfn.get_execution_history(executionArn=arn, maxResults=1000, **kw)["events"]


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)
