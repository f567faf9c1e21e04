// lambda_node.js: runs a Node.js Lambda handler the way AWS's Node.js runtime
// does, as a process task handler (--lambda NAME=node:FILE.js[:FUNCTION]).
//
//     node lambda_node.js FILE.js [FUNCTION]
//
// The event arrives as JSON on stdin. FUNCTION (default handler) exported by
// FILE.js (CommonJS or ES module) is called as handler(event, context,
// callback): an async handler's promise, callback(err, result) or
// context.succeed/fail/done give the result. A handler that neither returns a
// promise nor calls back returns null once the event loop is empty, as on AWS.
// The result goes to stdout as JSON with exit status 0; an error goes to
// stdout as AWS's error payload {"errorType", "errorMessage", "trace"} with
// exit status 1. What the handler logs goes to stderr.
// aslc embeds this file (runners.inc, made by embed.py): edit it, then rerun
// embed.py.
'use strict';
const fs = require('fs');
const path = require('path');
const url = require('url');
const crypto = require('crypto');

const argv = process.argv.slice(process.argv[1] && process.argv[1].endsWith('lambda_node.js') ? 2 : 1);
const file = argv[0];
const fnName = argv[1] || 'handler';
const env = process.env;
const requestId = env.ASLC_REQUEST_ID || crypto.randomUUID();
const deadline = Number(env.ASLC_DEADLINE_MS) || Date.now() + 900000;

// Keep stdout for the result: the handler's output goes to stderr.
process.stdout.write = process.stderr.write.bind(process.stderr);

let finished = false;
function finish(status, text) {
  if (finished) return;
  finished = true;
  fs.writeSync(1, text);
  process.exit(status);
}

function runtimeError(type, message) {
  const e = new Error(message);
  e.name = type;
  return e;
}

// AWS's error payload for what a handler threw or passed to its callback.
function errorPayload(e) {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e && 'name' in e)) {
    // Lines of this runner (run with node -e) are not the handler's.
    const trace = typeof e.stack === 'string' ? e.stack.split('\n').filter((l) => !l.includes('[eval]')) : [];
    return { errorType: e.name, errorMessage: e.message, trace };
  }
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

function fail(e) {
  finish(1, JSON.stringify(errorPayload(e)));
}

function succeed(result) {
  let text;
  try {
    text = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    return fail(runtimeError('Runtime.MarshalError', 'Unable to stringify response body: ' + e.message));
  }
  finish(0, text === undefined ? 'null' : text);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', (reason) => {
  const msg = reason instanceof Error ? reason.name + ': ' + reason.message : String(reason);
  fail(runtimeError('Runtime.UnhandledPromiseRejection', msg));
});

async function load() {
  const full = path.resolve(file);
  const base = path.basename(file).replace(/\.[^.]*$/, '');
  if (!fs.existsSync(full))
    throw runtimeError('Runtime.ImportModuleError', `Error: Cannot find module '${base}'`);
  let mod;
  try {
    if (full.endsWith('.mjs')) {
      mod = await import(url.pathToFileURL(full).href);
    } else {
      try {
        mod = require(full);
      } catch (e) {
        if (e.code !== 'ERR_REQUIRE_ESM') throw e;
        mod = await import(url.pathToFileURL(full).href);
      }
    }
  } catch (e) {
    if (e instanceof SyntaxError)
      throw runtimeError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
    if (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')
      throw runtimeError('Runtime.ImportModuleError', `${e.name}: ${e.message}`);
    throw e;
  }
  const fn = mod[fnName] !== undefined ? mod[fnName] : mod.default && mod.default[fnName];
  if (typeof fn !== 'function')
    throw runtimeError('Runtime.HandlerNotFound', `${base}.${fnName} is undefined or not exported`);
  return fn;
}

function makeContext() {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
    invokedFunctionArn: env.ASLC_FUNCTION_ARN || '',
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME || '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME || '',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => (err ? fail(err) : succeed(result)),
    succeed: (result) => succeed(result),
    fail: (err) => fail(err === undefined ? 'handled' : err),
  };
}

async function main() {
  const raw = fs.readFileSync(0, 'utf8');
  const event = raw.trim() ? JSON.parse(raw) : null;
  const handler = await load();
  let answer = null; // [err, result] once the callback was called
  const context = makeContext();
  const callback = (err, result) => {
    if (answer) return;
    answer = [err, result];
    if (!context.callbackWaitsForEmptyEventLoop) deliver();
  };
  const deliver = () => (answer && answer[0] != null ? fail(answer[0]) : succeed(answer ? answer[1] : null));
  // The callback's answer (or null) goes out once nothing else is left to run.
  process.on('beforeExit', deliver);
  const ret = handler(event, context, callback);
  if (ret && typeof ret.then === 'function') ret.then(succeed, fail);
}

main().catch(fail);
