#!/usr/bin/env python3
"""Seeds a fuzz target's corpus from the tests: fuzz/seed.py TARGET DIR.

definition: every definition under tests/ and fuzz/machines/;
paths: each case of tests/unit/jsonpath.test, intrinsics.test and
choice.test as "expression\\ninput"; jsonata: the same from
tests/unit/jsonata.test and jsonata/tests/*.test; runtime: every tests/cases/*/*/input.json,
once per machine in fuzz/machines/ (the first byte picks the machine);
api: a session per tests/cases/*/* (create the machine, start it on its
input, describe, history, page) and, when an aslc is built (ASLC, else
build/aslc), every request the tests in tests/server/ send through boto3,
a session per test (tests/server/harness.py records them).
"""
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def unit_cases(pattern):
    """(expression, input) of every case in the unit files (pattern under ROOT)."""
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        lines = []
        for line in open(path, encoding="utf-8", errors="surrogateescape"):
            line = line.rstrip("\n")
            if not lines and (not line or line.startswith("#") or line.startswith("%")):
                continue
            lines.append(line)
            if len(lines) == 3:
                yield lines[0], lines[1]
                lines = []


def case_sessions():
    """A session per test case: its definition created, run on its input."""
    role = "arn:aws:iam::123456789012:role/r"
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:m"
    execution = "arn:aws:states:us-east-1:123456789012:execution:m:x"
    for d in sorted(glob.glob(os.path.join(ROOT, "tests", "cases", "*", "*"))):
        try:
            definition = open(os.path.join(d, "definition.asl.json"), encoding="utf-8").read()
            given = open(os.path.join(d, "input.json"), encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        calls = [("CreateStateMachine", {"name": "m", "definition": definition, "roleArn": role}),
                 ("StartExecution", {"stateMachineArn": machine, "name": "x", "input": given}),
                 ("DescribeExecution", {"executionArn": execution}),
                 ("GetExecutionHistory", {"executionArn": execution, "includeExecutionData": True})]
        calls.append(("ValidateStateMachineDefinition", {"definition": definition}))
        try:  # TestState of the first state, on the case's input
            parsed = json.loads(definition)
            state = parsed["States"][parsed["StartAt"]]
            calls.append(("TestState", {"definition": json.dumps(state), "roleArn": role, "input": given,
                                        "inspectionLevel": "DEBUG"}))
        except (ValueError, KeyError, TypeError):
            pass
        lines = ["%s %s" % (a, json.dumps(b, separators=(",", ":"))) for a, b in calls]
        yield ("\n".join(lines) + "\nGET /execution " + execution + "\n").encode()


def recorded_sessions():
    """The requests the server tests send, a session per test (needs an
    aslc and boto3; none without them)."""
    aslc = os.environ.get("ASLC") or os.path.join(ROOT, "build", "aslc")
    if not os.access(aslc, os.X_OK):
        print("seed.py: no aslc at %s (set ASLC): only the cases' sessions" % aslc)
        return
    with tempfile.TemporaryDirectory() as tmp:
        for t in sorted(glob.glob(os.path.join(ROOT, "tests", "server", "*.py"))):
            name = os.path.basename(t)[:-3]
            if name == "harness":
                continue
            record = os.path.join(tmp, name)
            env = dict(os.environ, ASLC_RECORD=record, PYTHONDONTWRITEBYTECODE="1")
            try:
                subprocess.run([sys.executable, t, aslc], env=env, cwd=tmp, timeout=300,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                pass
            if os.path.exists(record):
                data = open(record, "rb").read()
                # A long session is also cut into pieces a fuzzer can take in (64 KiB).
                yield data
                lines = data.splitlines(keepends=True)
                for i in range(0, len(lines), 20):
                    yield b"".join(lines[i:i + 20])


def main():
    target, out = sys.argv[1], sys.argv[2]
    seeds = []
    if target == "definition":
        files = glob.glob(os.path.join(ROOT, "tests", "**", "*.asl.json"), recursive=True)
        files += glob.glob(os.path.join(ROOT, "fuzz", "machines", "*.asl.json"))
        seeds = [open(f, "rb").read() for f in sorted(files)]
    elif target in ("paths", "jsonata"):
        patterns = (["tests/unit/jsonpath.test", "tests/unit/intrinsics.test", "tests/unit/choice.test"]
                    if target == "paths" else ["tests/unit/jsonata.test", "jsonata/tests/*.test"])
        for p in patterns:
            seeds += [(e + "\n" + i).encode("utf-8", "surrogateescape") for e, i in unit_cases(p)]
    elif target == "runtime":
        machines = len(glob.glob(os.path.join(ROOT, "fuzz", "machines", "*.asl.json")))
        inputs = [open(f, "rb").read() for f in sorted(glob.glob(os.path.join(ROOT, "tests", "cases", "*", "*", "input.json")))]
        seeds = [bytes([m]) + i for m in range(machines) for i in inputs]
    elif target == "api":
        seeds = list(case_sessions()) + list(recorded_sessions())
    else:
        sys.exit("seed.py: unknown target " + target)
    for s in seeds:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print("seeded %d inputs" % len(seeds))


if __name__ == "__main__":
    main()
