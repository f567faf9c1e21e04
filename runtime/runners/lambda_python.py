# lambda_python.py: runs a Python Lambda handler the way AWS's Python runtime
# does, as a warm runner for a process task handler
# (--lambda NAME=python:FILE.py[:FUNCTION]):
#
#     python3 lambda_python.py FILE.py [FUNCTION]
#
# It stays alive between invocations, as a warm Lambda container does: the
# module is imported once (at the first invocation) and its state persists.
# Each request on stdin is a line "REQUEST_ID DEADLINE_MS TAIL LENGTH" and
# LENGTH bytes of event JSON; FUNCTION (default handler) is called as
# handler(event, context), and the answer goes to descriptor 4 as a line
# "STATUS LENGTH LOGLENGTH KEEP", then the result as JSON (STATUS 0) or AWS's
# error payload {"errorMessage", "errorType", "requestId", "stackTrace"}
# (STATUS 1), then (TAIL 1) the last 4 KB the handler logged. What the
# handler prints or logs goes to stderr, as it would go to CloudWatch Logs;
# stdout is stderr too. A handler that exits the process (sys.exit) ends the
# runner: aslc reports Runtime.ExitError and starts a new one.
# aslc embeds this file (runners.inc, made by embed.py): edit it, then rerun
# embed.py.
import importlib.util
import json
import os
import sys
import time
import traceback


class LambdaContext:
    """The context object of AWS's Python runtime."""

    def __init__(self, request_id, deadline_ms):
        env = os.environ
        self.aws_request_id = request_id
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("ASLC_FUNCTION_ARN", "")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


class Fault(Exception):
    """A runtime error (Runtime.*) rather than one the handler raised."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace or []


def user_trace(tb):
    # Drop this runner's own frames: AWS shows the handler's frames only.
    frames = traceback.extract_tb(tb)
    while frames and (frames[0].filename == "<string>" or frames[0].filename.startswith("<frozen")
                      or frames[0].filename == globals().get("__file__")):
        frames = frames[1:]
    return traceback.format_list(frames)


def load(path, name):
    module = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    try:
        spec = importlib.util.spec_from_file_location(module, path)
        if spec is None or not os.path.isfile(path):
            raise ImportError(f"No module named '{module}'")
        m = importlib.util.module_from_spec(spec)
        sys.modules[module] = m
        spec.loader.exec_module(m)
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}\n']
        raise Fault("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module}': {e}", trace)
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", f"Unable to import module '{module}': {e}")
    fn = getattr(m, name, None)
    if fn is None:
        raise Fault("Runtime.HandlerNotFound", f"Handler '{name}' missing on module '{module}'")
    return fn


def error_payload(e, request_id):
    if isinstance(e, Fault):
        return {"errorMessage": str(e), "errorType": e.error_type, "requestId": request_id,
                "stackTrace": e.trace}
    return {"errorMessage": str(e), "errorType": type(e).__name__, "requestId": request_id,
            "stackTrace": user_trace(e.__traceback__)}


class StepFunctionsClient:
    """What boto3.client("stepfunctions") gives a function run by aslc: its
    task-token calls go to the running aslc (one JSON line each on the fd
    in ASLC_CALLBACK_FD), not to AWS."""

    def _send(self, action, **fields):
        fd = int(os.environ.get("ASLC_CALLBACK_FD") or -1)
        if fd < 0:
            raise RuntimeError("not run by aslc: no ASLC_CALLBACK_FD")
        os.write(fd, (json.dumps(dict(action=action, **fields)) + "\n").encode("utf-8"))
        return {}

    def send_task_success(self, taskToken, output):
        return self._send("SendTaskSuccess", taskToken=taskToken, output=output)

    def send_task_failure(self, taskToken, error="", cause=""):
        return self._send("SendTaskFailure", taskToken=taskToken, error=error, cause=cause)

    def send_task_heartbeat(self, taskToken):
        return self._send("SendTaskHeartbeat", taskToken=taskToken)


def patch_boto3(boto3, real):
    def client(service_name, *args, **kwargs):
        if service_name == "stepfunctions":
            return StepFunctionsClient()
        if real is None:
            raise ModuleNotFoundError("No module named 'boto3' (aslc serves only its stepfunctions client)")
        return real(service_name, *args, **kwargs)

    boto3.client = client


class Boto3Finder:
    """Imports boto3 only when the handler does (importing it costs about
    half a second), then makes boto3.client("stepfunctions") answer
    locally; every other client is boto3's own, when boto3 is installed."""

    def find_spec(self, name, path=None, target=None):
        if name != "boto3":
            return None
        import importlib.machinery
        return importlib.machinery.ModuleSpec("boto3", self)

    def create_module(self, spec):
        # The real boto3 (if any) is imported here, with this finder out of
        # the way, and handed back patched.
        import types
        sys.meta_path.remove(self)
        try:
            import boto3
            patch_boto3(boto3, boto3.client)
        except ImportError:
            boto3 = types.ModuleType("boto3")
            patch_boto3(boto3, None)
        return boto3

    def exec_module(self, module):
        pass


class LogTee:
    """sys.stdout and sys.stderr of the handler: text goes to stderr and,
    while an invocation asks for its log (LogType Tail), into a copy."""

    def __init__(self, stream):
        self._stream = stream
        self.copy = None

    def write(self, text):
        if self.copy is not None:
            self.copy.append(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class Invocation:
    request_id = ""


def install_logging(tee):
    # As AWS's Python runtime: the root logger writes, to the function's
    # log (stderr here), "[LEVEL]\ttime\trequest id\tmessage".
    import logging

    class RequestId(logging.Filter):
        def filter(self, record):
            record.aws_request_id = Invocation.request_id
            return True

    h = logging.StreamHandler(tee)
    h.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                                     "%Y-%m-%dT%H:%M:%S"))
    h.addFilter(RequestId())
    logging.getLogger().addHandler(h)


def invoke(handler, path, name, request_id, deadline_ms, raw):
    """One invocation: (status, answer text, handler); the handler is
    imported at the first invocation, and again after a failed import."""
    try:
        event = json.loads(raw) if raw.strip() else None
        if handler is None:
            handler = load(path, name)
        result = handler(event, LambdaContext(request_id, deadline_ms))
        try:
            return 0, json.dumps(result), handler
        except (TypeError, ValueError) as e:
            raise Fault("Runtime.MarshalError", f"Unable to marshal response: {e}")
    except Exception as e:
        return 1, json.dumps(error_payload(e, request_id)), handler


def main():
    sys.meta_path.insert(0, Boto3Finder())
    path = sys.argv[1]
    name = sys.argv[2] if len(sys.argv) > 2 else "handler"
    # Requests and answers get descriptors of their own that processes the
    # handler starts do not inherit; its stdin is /dev/null.
    os.set_inheritable(4, False)
    answers = os.fdopen(4, "wb")
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sys.stdin = open(os.devnull)
    tee = LogTee(sys.stderr)
    sys.stdout = sys.stderr = tee
    install_logging(tee)
    handler = None
    while True:
        head = requests.readline()
        if not head:
            return
        request_id, deadline, tail, length = head.decode().split()
        raw = requests.read(int(length)).decode("utf-8")
        Invocation.request_id = request_id
        os.environ["ASLC_REQUEST_ID"] = request_id
        os.environ["ASLC_DEADLINE_MS"] = deadline
        tee.copy = [] if tail == "1" else None
        status, text, handler = invoke(handler, path, name, request_id, int(deadline), raw)
        tee.flush()
        log = "".join(tee.copy or []).encode("utf-8")[-4096:]
        tee.copy = None
        body = text.encode("utf-8")
        answers.write(b"%d %d %d 1\n" % (status, len(body), len(log)) + body + log)
        answers.flush()


main()
