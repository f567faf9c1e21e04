"""--s3-endpoint against a real S3 API server (s3rver, from npm): a
Distributed Map reads a CSV, JSON and a listing (over 1,000 keys: several
ListObjectsV2 pages) from it and writes its results there; the objects it
writes are the ones a --s3 folder gets. S3's errors come back as Step
Functions raises them. aslc run, aslc serve (DescribeMapRun's
resultsWritten) and a program built with --s3-client all use it; one built
without says how to get it.

    endpoint.py ASLC WORKDIR
"""
import concurrent.futures
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import boto3
import botocore.config
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "server"))
from harness import check, serve, wait_status  # noqa: E402

aslc, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
r = subprocess.run([os.path.join(HERE, "install")], capture_output=True, text=True, timeout=300)
check(r.returncode == 0, "installing s3rver failed: " + r.stderr)

# s3rver's default credentials; the region every request is signed for.
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER", AWS_REGION="eu-west-1")
data = tempfile.mkdtemp(dir=work)
server = subprocess.Popen([os.path.join(HERE, "node_modules", ".bin", "s3rver"), "-d", data, "-a", "127.0.0.1",
                           "-p", "0", "--configure-bucket", "items", "--configure-bucket", "results"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          # s3rver makes continuation tokens with DES, which
                          # OpenSSL 3 keeps in its legacy provider
                          env=dict(os.environ, NODE_OPTIONS="--openssl-legacy-provider"))
try:
    line = ""
    deadline = time.time() + 30
    while "listening on" not in line:
        check(time.time() < deadline and server.poll() is None, "s3rver did not start: " + line)
        line = server.stdout.readline()
    url = "http://" + re.search(r"listening on (\S+)", line).group(1)
    s3 = boto3.client("s3", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="S3RVER",
                      aws_secret_access_key="S3RVER",
                      config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    csv = b"id,name\n1,ada\n2,bob\n3,cy \xc3\xa9\n"
    s3.put_object(Bucket="items", Key="in/rows.csv", Body=csv)
    s3.put_object(Bucket="items", Key="in/odd key+\u00e9.json", Body=b'[{"a": 1}, {"a": 2}]')
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket="items", Key="many/%04d" % i, Body=b"x" * (i % 7)),
                      range(1003)))

    def definition(name, reader, writer=True):
        state = {"Type": "Map", "ItemReader": reader, "End": True,
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                   "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        if writer:
            state["ResultWriter"] = {"Resource": "arn:aws:states:::s3:putObject",
                                     "Parameters": {"Bucket": "results", "Prefix": "out"}}
        path = os.path.join(work, name + ".asl.json")
        with open(path, "w") as f:
            json.dump({"StartAt": "Fan", "States": {"Fan": state}}, f)
        return path

    def get(bucket, key):
        return {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": bucket, "Key": key},
                "ReaderConfig": {"InputType": "CSV" if key.endswith(".csv") else "JSON",
                                 "CSVHeaderLocation": "FIRST_ROW"} if key.endswith(".csv") else {"InputType": "JSON"}}

    def run(*args, env=ENV):
        return subprocess.run([aslc, "run", *args], capture_output=True, text=True, env=env, timeout=120)

    def written(out, fetch):
        """The objects a ResultWriter wrote, run ids and dates taken out."""
        details = json.loads(out)["ResultWriterDetails"]
        manifest = json.loads(fetch(details["Bucket"], details["Key"]))
        files = {}
        for kind in ("SUCCEEDED", "FAILED", "PENDING"):
            for f in manifest["ResultFiles"].get(kind, []):
                files[kind] = json.loads(fetch(details["Bucket"], f["Key"]))
        text = json.dumps([manifest, files], sort_keys=True)
        text = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "ID", text)
        return re.sub(r'"(StartDate|StopDate)": "[^"]*"', r'"\1": "T"', text)

    # The CSV, read and written through the endpoint, gives what a folder does.
    csv_def = definition("csv", get("items", "in/rows.csv"))
    r = run(csv_def, "--s3-endpoint", url + "/")
    check(r.returncode == 0, "CSV run: " + r.stderr)
    remote = written(r.stdout, lambda b, k: s3.get_object(Bucket=b, Key=k)["Body"].read())
    folder = {b: tempfile.mkdtemp(dir=work) for b in ("items", "results")}
    os.makedirs(os.path.join(folder["items"], "in"))
    with open(os.path.join(folder["items"], "in", "rows.csv"), "wb") as f:
        f.write(csv)
    r = run(csv_def, "--s3", "items=" + folder["items"], "--s3", "results=" + folder["results"])
    check(r.returncode == 0, "CSV run on folders: " + r.stderr)
    local = written(r.stdout, lambda b, k: open(os.path.join(folder[b], k), "rb").read())
    check(remote == local, "the endpoint's objects differ from a folder's:\n%s\n%s" % (remote, local))
    check("cy \\u00e9" in remote or "cy \u00e9" in remote, "the CSV's rows went through: " + remote)

    # A key that needs escaping, read as JSON; --s3 folders win for their bucket.
    r = run(definition("odd", get("items", "in/odd key+\u00e9.json"), writer=False), "--s3-endpoint", url)
    check(r.returncode == 0 and json.loads(r.stdout) == [{"a": 1}, {"a": 2}], "odd key: %s %s" % (r.stdout, r.stderr))
    r = run(csv_def, "--s3-endpoint", url, "--s3", "items=" + folder["results"])
    check(r.returncode == 1 and "S3.NoSuchKeyException" in r.stderr, "the folder serves 'items': " + r.stderr)

    # listObjectsV2 past one page (1,000 keys), with the Prefix.
    listing = {"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "items", "Prefix": "many/"}}
    r = run(definition("list", listing, writer=False), "--s3-endpoint", url)
    check(r.returncode == 0, "listing: " + r.stderr)
    items = json.loads(r.stdout)
    check([i["Key"] for i in items] == ["many/%04d" % i for i in range(1003)], "every key, in order")
    check(items[5]["Size"] == 5 and items[5]["StorageClass"] == "STANDARD" and isinstance(items[5]["LastModified"], int)
          and items[5]["Etag"] == s3.head_object(Bucket="items", Key="many/0005")["ETag"], "an item: %r" % items[5])

    # S3's errors as Step Functions raises them.
    cases = [(get("items", "in/none.csv"), ENV, "S3.NoSuchKeyException", "Error Code: NoSuchKey"),
             (get("nobucket", "in/rows.csv"), ENV, "S3.NoSuchBucketException", "Error Code: NoSuchBucket"),
             (get("items", "in/rows.csv"), dict(ENV, AWS_ACCESS_KEY_ID="nobody"), "S3.S3Exception",
              "Status Code: 403, Error Code: InvalidAccessKeyId")]
    for i, (reader, env, error, cause) in enumerate(cases):
        r = run(definition("err%d" % i, reader), "--s3-endpoint", url, env=env)
        check(r.returncode == 1 and r.stderr.startswith(error + ": ") and cause in r.stderr,
              "%s: %s" % (error, r.stderr))
    r = run(csv_def, "--s3-endpoint", "http://127.0.0.1:9")
    check(r.returncode == 1 and r.stderr.startswith("S3.SdkClientException: Unable to execute HTTP request"),
          "unreachable: " + r.stderr)
    r = run(csv_def, "--s3-endpoint", "s3://items")
    check(r.returncode == 64 and "http:// or https://" in r.stderr, "bad URL: " + r.stderr)

    # The signature, checked against botocore's (s3rver takes any secret):
    # a request caught by a stand-in server that answers with S3's error.
    caught = {}

    class Catch(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            caught.update(path=self.path, headers={k.lower(): v for k, v in self.headers.items()})
            body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>'
                    b'<Message>The specified key does not exist.</Message><RequestId>REQ1</RequestId></Error>')
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    catcher = http.server.HTTPServer(("127.0.0.1", 0), Catch)
    threading.Thread(target=catcher.serve_forever, daemon=True).start()
    r = run(definition("sig", get("items", "in/a b+c.csv")), "--s3-endpoint",
            "http://127.0.0.1:%d" % catcher.server_port, env=dict(ENV, AWS_SESSION_TOKEN="session-1"))
    catcher.shutdown()
    check(r.stderr.strip() == "S3.NoSuchKeyException: The specified key does not exist. (Service: S3, Status Code: "
          "404, Error Code: NoSuchKey, Request ID: REQ1)", "S3's error document: " + r.stderr)
    h = caught["headers"]
    check(caught["path"] == "/items/in/a%20b%2Bc.csv" and h["x-amz-security-token"] == "session-1", repr(caught))
    m = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=S3RVER/(\d{8})/eu-west-1/s3/aws4_request, "
                     r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", h["authorization"])
    check(m and "x-amz-content-sha256" in m.group(2).split(";"), "Authorization: " + h["authorization"])
    req = AWSRequest(method="GET", url="http://127.0.0.1:%d%s" % (catcher.server_port, caught["path"]),
                     headers={k: h[k] for k in m.group(2).split(";")})
    req.context["timestamp"] = h["x-amz-date"]
    signer = S3SigV4Auth(Credentials("S3RVER", "S3RVER", "session-1"), "s3", "eu-west-1")
    want = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    check(m.group(3) == want, "libcurl's signature %s, botocore's %s" % (m.group(3), want))

    # A compiled program has the client only when it asks for it.
    prog = os.path.join(work, "csv-prog")
    r = subprocess.run([aslc, csv_def, "-o", prog], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, r.stderr)
    r = subprocess.run([prog, "--s3-endpoint", url], capture_output=True, text=True, env=ENV, timeout=60)
    check(r.returncode == 64 and "aslc --s3-client" in r.stderr, "no client: " + r.stderr)
    r = subprocess.run([aslc, csv_def, "-o", prog, "--s3-client"], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, r.stderr)
    r = subprocess.run([prog, "--s3-endpoint", url], capture_output=True, text=True, env=ENV, timeout=60)
    check(r.returncode == 0 and written(r.stdout, lambda b, k: s3.get_object(Bucket=b, Key=k)["Body"].read()) == local,
          "the program with --s3-client: " + r.stderr)

    # aslc serve: the Map Run's results written through the endpoint.
    os.environ.update(AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER", AWS_REGION="eu-west-1")
    with serve(aslc, "--s3-endpoint", url) as s:
        sfn = s.client()
        with open(csv_def) as f:
            m = sfn.create_state_machine(name="Csv", definition=f.read(),
                                         roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        ex = sfn.start_execution(stateMachineArn=m)["executionArn"]
        d = wait_status(sfn, ex)
        check(d["status"] == "SUCCEEDED", "served run: %r" % d)
        run_arn = sfn.list_map_runs(executionArn=ex)["mapRuns"][0]["mapRunArn"]
        counts = sfn.describe_map_run(mapRunArn=run_arn)["itemCounts"]
        check(counts["succeeded"] == 3 and counts["resultsWritten"] == 3, "counts: %r" % counts)
        key = json.loads(d["output"])["ResultWriterDetails"]["Key"]
        check(s3.get_object(Bucket="results", Key=key)["ContentLength"] > 0, "the manifest is there")
finally:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(work, ignore_errors=True)
print("ok")
