// lambda_node.js: runs a Node.js Lambda handler the way AWS's Node.js runtime
// does, as a warm runner for a process task handler
// (--lambda NAME=node:FILE.js[:FUNCTION]):
//
//     node lambda_node.js FILE.js [FUNCTION]
//
// It stays alive between invocations, as a warm Lambda container does: the
// module is loaded once (at the first invocation) and its state persists.
// Each request on stdin is a line "REQUEST_ID DEADLINE_MS TAIL LENGTH" and
// LENGTH bytes of event JSON. FUNCTION (default handler) exported by FILE.js
// (CommonJS or ES module) is called as handler(event, context, callback): an
// async handler's promise, callback(err, result) or context.succeed/fail/done
// give the result. A handler that neither returns a promise nor calls back
// returns null once the event loop is empty, as on AWS. The answer goes to
// descriptor 4 as a line "STATUS LENGTH LOGLENGTH KEEP", then the result as
// JSON (STATUS 0) or AWS's error payload {"errorType", "errorMessage",
// "trace"} (STATUS 1), then (TAIL 1) the last 4 KB the handler logged. An
// uncaught exception or unhandled rejection is answered, then the runner
// exits (KEEP 0), as AWS's runtime restarts. Between invocations the runner
// blocks reading the next request, so nothing of the handler runs: as a
// frozen Lambda container. What the handler logs goes to stderr (stdout is
// stderr too).
// aslc embeds this file (runners.inc, made by embed.py): edit it, then rerun
// embed.py.
'use strict';
const fs = require('fs');
const path = require('path');
const url = require('url');

const argv = process.argv.slice(process.argv[1] && process.argv[1].endsWith('lambda_node.js') ? 2 : 1);
const file = argv[0];
const fnName = argv[1] || 'handler';
const env = process.env;
const ANSWERS = 4;

// While an invocation asks for its log (LogType Tail), what is written to
// stdout and stderr is copied here too.
let copy = null;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream);
  stream.write = (chunk, ...rest) => {
    if (copy) copy.push(String(chunk));
    return write(chunk, ...rest);
  };
}

function pause(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// --------------------------------------------------------------- the wire

let pending = Buffer.alloc(0);

// The next request (blocking), or null at the end of stdin.
function readRequest() {
  const chunk = Buffer.alloc(65536);
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl >= 0) {
      const [id, deadline, tail, length] = pending.subarray(0, nl).toString().split(' ');
      const end = nl + 1 + Number(length);
      if (pending.length >= end) {
        const event = pending.subarray(nl + 1, end).toString('utf8');
        pending = pending.subarray(end);
        return { id, deadline: Number(deadline), tail: tail === '1', event };
      }
    }
    let n;
    try {
      n = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') {
        pause(1);
        continue;
      }
      if (e.code === 'EOF') return null;
      throw e;
    }
    if (n === 0) return null;
    pending = Buffer.concat([pending, chunk.subarray(0, n)]);
  }
}

function writeAll(buf) {
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(ANSWERS, buf, off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      pause(1);
    }
  }
}

// ------------------------------------------------------------ invocations

let current = null; // the invocation under way: {id, deadline, answer, copy}
let handler = null; // loaded at the first invocation (again after a failed load)

function finish(inv, status, text, keep) {
  if (inv !== current) return; // a late answer of an earlier invocation
  current = null;
  const log = Buffer.from(inv.copy ? inv.copy.join('') : '');
  copy = null;
  const tail = log.subarray(Math.max(0, log.length - 4096));
  const body = Buffer.from(text);
  writeAll(Buffer.concat([Buffer.from(`${status} ${body.length} ${tail.length} ${keep ? 1 : 0}\n`), body, tail]));
  if (!keep) process.exit(status);
  setImmediate(next);
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

function fail(inv, e, keep = true) {
  finish(inv, 1, JSON.stringify(errorPayload(e)), keep);
}

function succeed(inv, result) {
  let text;
  try {
    text = result === undefined ? 'null' : JSON.stringify(result);
  } catch (e) {
    return fail(inv, runtimeError('Runtime.MarshalError', 'Unable to stringify response body: ' + e.message));
  }
  finish(inv, 0, text === undefined ? 'null' : text, true);
}

// The callback's answer (or null) once nothing else is left to run.
function deliver(inv) {
  if (inv.answer && inv.answer[0] != null) fail(inv, inv.answer[0]);
  else succeed(inv, inv.answer ? inv.answer[1] : null);
}

process.on('uncaughtException', (e) => (current ? fail(current, e, false) : process.exit(1)));
process.on('unhandledRejection', (reason) => {
  const msg = reason instanceof Error ? reason.name + ': ' + reason.message : String(reason);
  const e = runtimeError('Runtime.UnhandledPromiseRejection', msg);
  return current ? fail(current, e, false) : process.exit(1);
});
process.on('beforeExit', () => current && deliver(current));

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

function makeContext(inv) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || '',
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
    invokedFunctionArn: env.ASLC_FUNCTION_ARN || '',
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '128',
    awsRequestId: inv.id,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME || '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME || '',
    getRemainingTimeInMillis: () => Math.max(0, inv.deadline - Date.now()),
    done: (err, result) => (err ? fail(inv, err) : succeed(inv, result)),
    succeed: (result) => succeed(inv, result),
    fail: (err) => fail(inv, err === undefined ? 'handled' : err),
  };
}

async function run(inv, raw) {
  const event = raw.trim() ? JSON.parse(raw) : null;
  if (!handler) handler = await load();
  const context = makeContext(inv);
  const callback = (err, result) => {
    if (inv.answer) return;
    inv.answer = [err, result];
    if (!context.callbackWaitsForEmptyEventLoop) deliver(inv);
  };
  const ret = handler(event, context, callback);
  if (ret && typeof ret.then === 'function') ret.then((r) => succeed(inv, r), (e) => fail(inv, e));
}

function next() {
  const req = readRequest();
  if (!req) process.exit(0);
  env.ASLC_REQUEST_ID = req.id;
  env.ASLC_DEADLINE_MS = String(req.deadline);
  copy = req.tail ? [] : null;
  const inv = { id: req.id, deadline: req.deadline, answer: null, copy };
  current = inv;
  run(inv, req.event).catch((e) => fail(inv, e));
}

next();
