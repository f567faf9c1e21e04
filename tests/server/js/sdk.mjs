// The JavaScript SDK (@aws-sdk/client-sfn) against aslc serve, for the
// newest actions: ValidateStateMachineDefinition, StartSyncExecution on an
// EXPRESS machine (disableHostPrefix: the SDK would send it to sync-HOST),
// TestState. The endpoint comes from ASLC_ENDPOINT (tests/server/js.py).
import assert from "node:assert/strict";
import * as sfn from "@aws-sdk/client-sfn";

const client = new sfn.SFNClient({
  endpoint: process.env.ASLC_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "aslc", secretAccessKey: "aslc" },
  disableHostPrefix: true,
  maxAttempts: 1,
});
const send = (name, input) => client.send(new sfn[name + "Command"](input));
const failure = async (name, input) => {
  try {
    await send(name, input);
  } catch (e) {
    return e;
  }
  assert.fail(name + " succeeded, an error was expected");
};
const role = "arn:aws:iam::123456789012:role/r";

// ValidateStateMachineDefinition: OK, and FAIL with AWS's location.
let v = await send("ValidateStateMachineDefinition", {
  definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }),
});
assert.equal(v.result, "OK");
assert.deepEqual(v.diagnostics, []);
v = await send("ValidateStateMachineDefinition", {
  definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "Gone" } } }),
});
assert.equal(v.result, "FAIL");
assert.equal(v.diagnostics[0].severity, "ERROR");
assert.equal(v.diagnostics[0].location, "/States/A/Next");
assert.equal(v.truncated, false);

// EXPRESS: StartSyncExecution answers with the outcome.
const express = JSON.stringify({
  StartAt: "Double",
  States: {
    Double: { Type: "Pass", Parameters: { "v.$": "States.MathAdd($.n, $.n)" }, Next: "Check" },
    Check: {
      Type: "Choice",
      Choices: [{ Variable: "$.v", NumericGreaterThan: 100, Next: "TooBig" }],
      Default: "Done",
    },
    TooBig: { Type: "Fail", Error: "TooBig", Cause: "over 100" },
    Done: { Type: "Succeed" },
  },
});
const { stateMachineArn } = await send("CreateStateMachine", {
  name: "Express", definition: express, roleArn: role, type: "EXPRESS",
});
let r = await send("StartSyncExecution", { stateMachineArn, input: '{"n": 21}' });
assert.equal(r.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(r.output), { v: 42 });
assert.ok(r.startDate instanceof Date && r.stopDate instanceof Date);
assert.ok(r.billingDetails.billedDurationInMilliseconds >= 100);
r = await send("StartSyncExecution", { stateMachineArn, input: '{"n": 60}', name: "big" });
assert.equal(r.status, "FAILED");
assert.equal(r.error, "TooBig");
assert.equal(r.cause, "over 100");
assert.equal(r.name, "big");
assert.match(r.executionArn, /:express:Express:big:/);
const described = await send("DescribeExecution", { executionArn: r.executionArn });
assert.equal(described.status, "FAILED");

// EXPRESS machines refuse .waitForTaskToken.
let e = await failure("CreateStateMachine", {
  name: "ExpressToken", roleArn: role, type: "EXPRESS",
  definition: JSON.stringify({
    StartAt: "T",
    States: { T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", End: true } },
  }),
});
assert.equal(e.name, "InvalidDefinition");
// STANDARD machines refuse StartSyncExecution.
const std = await send("CreateStateMachine", {
  name: "Standard", roleArn: role, definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }),
});
e = await failure("StartSyncExecution", { stateMachineArn: std.stateMachineArn });
assert.equal(e.name, "StateMachineTypeNotSupported");
e = await failure("DescribeExecution", { executionArn: "arn:aws:states:us-east-1:123456789012:execution:Standard:nope" });
assert.equal(e.name, "ExecutionDoesNotExist");
assert.equal(e.$metadata.httpStatusCode, 400);
// TestState at each inspection level, with mocks, Catch, Retry, Choice,
// a state picked from a whole machine with variables.
const test = (input) => send("TestState", { roleArn: role, ...input });
const pass = JSON.stringify({ Type: "Pass", InputPath: "$.a", Parameters: { "x.$": "$.b" }, ResultPath: "$.r", Next: "Later" });
let t = await test({ definition: pass, input: '{"a": {"b": 1}}' });
assert.equal(t.status, "SUCCEEDED");
assert.equal(t.nextState, "Later");
assert.deepEqual(JSON.parse(t.output), { a: { b: 1 }, r: { x: 1 } });
assert.equal(t.inspectionData, undefined, "INFO: no inspectionData");
for (const level of ["DEBUG", "TRACE"]) {
  t = await test({ definition: pass, input: '{"a": {"b": 1}}', inspectionLevel: level });
  const d = t.inspectionData;
  assert.deepEqual(JSON.parse(d.input), { a: { b: 1 } });
  assert.deepEqual(JSON.parse(d.afterInputPath), { b: 1 });
  assert.deepEqual(JSON.parse(d.afterParameters), { x: 1 });
  assert.deepEqual(JSON.parse(d.afterResultPath), { a: { b: 1 }, r: { x: 1 } });
}
const lambda = { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "f" },
                 ResultSelector: { "p.$": "$.Payload" }, End: true };
t = await test({ definition: JSON.stringify(lambda), mock: { result: '{"Payload": 5}' }, inspectionLevel: "DEBUG" });
assert.equal(t.status, "SUCCEEDED");
assert.deepEqual(JSON.parse(t.output), { p: 5 });
assert.deepEqual(JSON.parse(t.inspectionData.result), { Payload: 5 });
assert.deepEqual(JSON.parse(t.inspectionData.afterResultSelector), { p: 5 });
assert.equal(t.nextState, undefined);
const failing = (extra) => JSON.stringify({ Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f",
                                            End: true, ...extra });
const oops = { errorOutput: { error: "Oops", cause: "bad" } };
t = await test({ definition: failing({ Catch: [{ ErrorEquals: ["Oops"], Next: "Handle", ResultPath: "$.err" }] }), mock: oops });
assert.equal(t.status, "CAUGHT_ERROR");
assert.equal(t.nextState, "Handle");
assert.equal(t.error, "Oops");
assert.deepEqual(JSON.parse(t.output), { err: { Error: "Oops", Cause: "bad" } });
t = await test({ definition: failing({ Retry: [{ ErrorEquals: ["States.ALL"] }] }), mock: oops });
assert.equal(t.status, "RETRIABLE");
t = await test({ definition: failing({ Retry: [{ ErrorEquals: ["Other"] }, { ErrorEquals: ["Oops"], IntervalSeconds: 3 }] }),
                 mock: oops, inspectionLevel: "DEBUG" });
assert.deepEqual(t.inspectionData.errorDetails, { retryIndex: 1, retryBackoffIntervalSeconds: 3 });
t = await test({ definition: failing({ Catch: [{ ErrorEquals: ["Other"], Next: "A" }, { ErrorEquals: ["States.ALL"], Next: "B" }] }),
                 mock: oops, inspectionLevel: "DEBUG" });
assert.equal(t.status, "CAUGHT_ERROR");
assert.equal(t.nextState, "B");
assert.deepEqual(t.inspectionData.errorDetails, { catchIndex: 1 });
t = await test({ definition: failing({}), mock: oops });
assert.equal(t.status, "FAILED");
assert.equal(t.cause, "bad");
t = await test({ input: '{"n": 5}', definition: JSON.stringify({ Type: "Choice",
  Choices: [{ Variable: "$.n", NumericGreaterThan: 3, Next: "Big" }], Default: "Small" }) });
assert.equal(t.nextState, "Big");
t = await test({ definition: JSON.stringify({ Type: "Wait", Seconds: 3600, Next: "After" }) });
assert.equal(t.nextState, "After", "a Wait does not wait");
t = await test({
  stateName: "Two", variables: '{"greeting": "hi"}', input: '{"name": "ada"}',
  definition: JSON.stringify({ QueryLanguage: "JSONata", StartAt: "One", States: {
    One: { Type: "Pass", Next: "Two" },
    Two: { Type: "Pass", Output: "{% $greeting & ' ' & $states.input.name %}", End: true } } }),
});
assert.equal(JSON.parse(t.output), "hi ada");
e = await failure("TestState", { roleArn: role, definition: pass, stateName: "Missing" });
assert.equal(e.name, "InvalidDefinition");
e = await failure("TestState", { roleArn: role, definition: pass, mock: { result: "{}" } });
assert.equal(e.name, "ValidationException", "a Pass state cannot be mocked");

// Map Runs: ListMapRuns, DescribeMapRun (dates parsed as dates), the
// children by mapRunArn, UpdateMapRun of a finished run, ResourceNotFound.
const fan = JSON.stringify({ StartAt: "Fan", States: { Fan: {
  Type: "Map", ItemsPath: "$.items", ItemBatcher: { MaxItemsPerBatch: 2 }, End: true,
  ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
    StartAt: "P", States: { P: { Type: "Pass", End: true } } } } } });
const fm = await send("CreateStateMachine", { name: "JsFan", definition: fan, roleArn: role });
const fx = await send("StartExecution", { stateMachineArn: fm.stateMachineArn, input: '{"items": [1, 2, 3]}' });
let d;
for (let i = 0; i < 500; i++) {
  d = await send("DescribeExecution", { executionArn: fx.executionArn });
  if (d.status !== "RUNNING") break;
  await new Promise((r) => setTimeout(r, 20));
}
assert.equal(d.status, "SUCCEEDED");
const runs = (await send("ListMapRuns", { executionArn: fx.executionArn })).mapRuns;
assert.equal(runs.length, 1);
assert.match(runs[0].mapRunArn, /^arn:aws:states:us-east-1:123456789012:mapRun:JsFan\/Fan:/);
assert.ok(runs[0].stopDate instanceof Date);
const mr = await send("DescribeMapRun", { mapRunArn: runs[0].mapRunArn });
assert.equal(mr.status, "SUCCEEDED");
assert.ok(mr.startDate instanceof Date && mr.stopDate >= mr.startDate);
assert.equal(mr.itemCounts.succeeded, 3);
assert.equal(mr.executionCounts.total, 2);
const kids = (await send("ListExecutions", { mapRunArn: runs[0].mapRunArn })).executions;
assert.deepEqual(kids.map((k) => k.itemCount).sort(), [1, 2]);
const kid = await send("DescribeExecution", { executionArn: kids[0].executionArn });
assert.equal(kid.mapRunArn, runs[0].mapRunArn);
e = await failure("UpdateMapRun", { mapRunArn: runs[0].mapRunArn, maxConcurrency: 5 });
assert.equal(e.name, "ValidationException");
e = await failure("DescribeMapRun", { mapRunArn: runs[0].mapRunArn + "0" });
assert.equal(e.name, "ResourceNotFound");
console.log("ok");
