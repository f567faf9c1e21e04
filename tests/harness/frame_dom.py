#!/usr/bin/env python3
"""frame_dom.py: the DOM of a page and of the frames in it, as headless
Chromium renders them, printed after every script ran.

    frame_dom.py CHROMIUM URL PROFILE_DIR

`chromium --dump-dom` prints the top document only; a page that shows
another page in an <iframe srcdoc> (aslc test's report) needs the frame's
DOM too. This drives Chromium over its DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers on fd 4, each message
ending in a NUL byte), opens URL, waits until the page and its frames have
loaded and settled, and prints the top document, then each frame's
document after a line "<!-- frame N -->". Nothing reaches a network: every
host name resolves to nothing. Exit 1 when the page does not load in 60 s.
"""
import json
import os
import subprocess
import sys
import time

chrome, url, profile = sys.argv[1:4]

# Runs in the page: null until the page and every frame's own document
# (not the about:blank a new frame starts with) have loaded.
DOMS = r"""(() => {
  if (document.readyState !== "complete") return null;
  const frames = [...document.querySelectorAll("iframe")].filter((f) => f.style.display !== "none");
  const docs = [document];
  for (const f of frames) {
    const d = f.contentDocument;
    if (!d || d.readyState !== "complete" || (f.srcdoc && !d.URL.startsWith("about:srcdoc"))) return null;
    docs.push(d);
  }
  return docs.map((d, i) => (i ? "<!-- frame " + i + " -->\n" : "") + d.documentElement.outerHTML).join("\n");
})()"""

to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()


def child_fds():
    # through fresh descriptors first: the pipes may already be 3 or 4
    r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
    os.dup2(r, 3)
    os.dup2(w, 4)
    os.set_inheritable(3, True)
    os.set_inheritable(4, True)


proc = subprocess.Popen(
    [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
     "--remote-debugging-pipe", "--user-data-dir=" + profile, "--host-resolver-rules=MAP * ~NOTFOUND",
     "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=child_fds)
os.close(to_chrome_r)
os.close(from_chrome_w)
inbox = b""
next_id = 0


def call(method, session=None, **params):
    """Sends one command and returns its result (events are skipped)."""
    global inbox, next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params}
    if session:
        msg["sessionId"] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
    while True:
        while b"\0" not in inbox:
            chunk = os.read(from_chrome_r, 65536)
            if not chunk:
                raise SystemExit("frame_dom: chromium closed the pipe")
            inbox += chunk
        raw, inbox = inbox.split(b"\0", 1)
        answer = json.loads(raw)
        if answer.get("id") == next_id:
            if "error" in answer:
                raise SystemExit("frame_dom: %s: %s" % (method, answer["error"]))
            return answer["result"]


status = 1
try:
    target = call("Target.createTarget", url=url)["targetId"]
    session = call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    deadline, last = time.time() + 60, None
    while time.time() < deadline:
        value = call("Runtime.evaluate", session, expression=DOMS, returnByValue=True)["result"].get("value")
        if value is not None and value == last:   # loaded, and unchanged for a moment: settled
            sys.stdout.write(value + "\n")
            status = 0
            break
        last = value
        time.sleep(0.3)
    else:
        print("frame_dom: %s did not load in 60 s" % url, file=sys.stderr)
    call("Browser.close")
except SystemExit as e:
    print(e, file=sys.stderr)
finally:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
sys.exit(status)
