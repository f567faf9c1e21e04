"""Runs tests/server/js/sdk.mjs (the JavaScript SDK) against aslc serve,
installing @aws-sdk/client-sfn first (tests/server/js/install)."""
import os
import subprocess
import sys

from harness import HERE, check, serve

aslc = sys.argv[1]
js = os.path.join(HERE, "js")
r = subprocess.run([os.path.join(js, "install")], capture_output=True, text=True, timeout=300)
check(r.returncode == 0, "installing @aws-sdk/client-sfn failed: " + r.stderr)
with serve(aslc) as s:
    r = subprocess.run(["node", os.path.join(js, "sdk.mjs")], capture_output=True, text=True, env=s.env(), timeout=120)
    sys.stdout.write(r.stdout)
    check(r.returncode == 0, "sdk.mjs failed:\n" + r.stderr)
print("ok")
