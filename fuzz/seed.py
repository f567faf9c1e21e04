#!/usr/bin/env python3
"""Seeds a fuzz target's corpus from the tests: fuzz/seed.py TARGET DIR.

definition: every definition under tests/ and fuzz/machines/;
paths: each case of tests/unit/jsonpath.test, intrinsics.test and
choice.test as "expression\\ninput"; jsonata: the same from
tests/unit/jsonata.test and jsonata/tests/*.test; runtime: every tests/cases/*/*/input.json,
once per machine in fuzz/machines/ (the first byte picks the machine).
"""
import glob
import hashlib
import os
import sys

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
    else:
        sys.exit("seed.py: unknown target " + target)
    for s in seeds:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print("seeded %d inputs" % len(seeds))


if __name__ == "__main__":
    main()
