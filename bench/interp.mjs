// interp.mjs: runs one workload N times with the aws-local-stepfunctions
// interpreter, in this one Node process, one execution after the other
// (like `--bench N` with the default --concurrency 1), and prints one JSON
// object in the shape of aslc's `--bench --json` line.
//
//     node interp.mjs --dir bench/WORKLOAD --n N [--warmup W]
//
// Transitions are counted the way aslc counts them: states entered, child
// executions included. The interpreter reports them as StateEntered events;
// reading its event log costs time, so one untimed execution counts them and
// the timed executions (all alike) do not read the log.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const tools = process.env.BENCH_TOOLS || join(here, '.tools');

function usage(message) {
  process.stderr.write(`interp.mjs: ${message}\nusage: node interp.mjs --dir WORKLOAD_DIR --n N [--warmup W]\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const o = { dir: null, n: 0, warmup: -1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--dir') o.dir = value();
    else if (a === '--n') o.n = Number(value());
    else if (a === '--warmup') o.warmup = Number(value());
    else usage(`unknown option ${a}`);
  }
  if (!o.dir || !(o.n > 0)) usage('--dir and --n are required');
  return o;
}

export function readJSON(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// Every Wait state's name, branches and item processors included: the
// waitTimeOverrides that make them instant, as --virtual-time does for aslc.
export function instantWaits(definition, out = {}) {
  for (const [name, state] of Object.entries(definition.States || {})) {
    if (state.Type === 'Wait') out[name] = 0;
    for (const branch of state.Branches || []) instantWaits(branch, out);
    const processor = state.ItemProcessor || state.Iterator;
    if (processor) instantWaits(processor, out);
  }
  return out;
}

// Adds the execution's StateEntered events (Map iterations and Parallel
// branches are forwarded into it) to counter.n; resolves at its end.
export async function countEntered(eventLogs, counter) {
  for await (const event of eventLogs) if (event.type === 'StateEntered') counter.n++;
}

// The plain workload: one machine, Wait states made instant, no tasks.
function plainRunner({ StateMachine, definition }) {
  const machine = new StateMachine(definition);
  const overrides = { waitTimeOverrides: instantWaits(definition) };
  return {
    run(input, index, counter) {
      const execution = machine.run(input, { overrides });
      if (!counter) return execution.result;
      return Promise.all([execution.result, countEntered(execution.eventLogs, counter)]).then(([out]) => out);
    },
    settle: async () => {},
  };
}

async function loadInterpreter() {
  const pkg = join(tools, 'node_modules', 'aws-local-stepfunctions');
  const manifest = readJSON(join(pkg, 'package.json'));
  const entry = manifest.exports?.import || manifest.module;
  return import(pathToFileURL(join(pkg, entry)).href);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const dir = resolve(o.dir);
  const workload = readJSON(join(dir, 'workload.json'));
  const definitionFile = resolve(dir, workload.definition || 'definition.asl.json');
  const definition = readJSON(definitionFile);
  const input = readJSON(resolve(dir, workload.input || 'input.json'));
  const { StateMachine } = await loadInterpreter();

  let runner;
  if (workload.interp) {
    const mod = await import(pathToFileURL(resolve(dir, workload.interp)).href);
    runner = mod.default({ StateMachine, definition, definitionFile, dir, helpers: { readJSON, instantWaits, countEntered } });
  } else {
    runner = plainRunner({ StateMachine, definition });
  }

  // One counted execution: its output and its transitions.
  const counter = { n: 0 };
  const output = await runner.run(input, 0, counter);
  await runner.settle();

  // Warm-up, untimed: lets V8 compile the hot paths, as a long-running
  // interpreter process would have.
  const warmup = o.warmup >= 0 ? o.warmup : Math.ceil(o.n / 10);
  for (let i = 0; i < warmup; i++) await runner.run(input, i + 1, null);
  await runner.settle();

  let failed = 0;
  const t0 = performance.now();
  for (let i = 0; i < o.n; i++) {
    try {
      await runner.run(input, warmup + 1 + i, null);
    } catch {
      failed++;
    }
  }
  await runner.settle();
  const seconds = (performance.now() - t0) / 1000;

  const transitions = counter.n * o.n;
  process.stdout.write(
    JSON.stringify({
      executions: o.n,
      failed,
      concurrency: 1,
      seconds: Number(seconds.toFixed(6)),
      executions_per_s: Number((o.n / seconds).toFixed(1)),
      transitions,
      transitions_per_s: Number((transitions / seconds).toFixed(1)),
      transitions_per_execution: counter.n,
      warmup,
      peak_rss_kb: Math.round(process.resourceUsage().maxRSS),
      output,
    }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`interp.mjs: ${error?.stack || error}\n`);
  process.exit(1);
});
