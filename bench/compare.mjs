// compare.mjs: the side-by-side run behind bench/compare (which installs the
// tools and builds aslc first). For each workload it measures aslc AOT
// (PROG --bench N --json --virtual-time), aslc JIT (aslc run DEF --bench N
// --json --virtual-time) and the aws-local-stepfunctions interpreter
// (interp.mjs), each REPEAT times, keeps the median by transitions/s, then
// measures the extra figures (cold start, compile time, token scale) and
// prints Markdown tables. Results also go to bench/.work/results.{json,md}.
//
//     node compare.mjs --aslc PATH [--only W1,W2] [--scale F] [--repeat R] [--no-extras]
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const bench = dirname(fileURLToPath(import.meta.url));
const root = resolve(bench, '..');
const work = join(bench, '.work');
const WORKLOADS = ['pass10', 'choice-loop', 'map100', 'workflow'];
const TOKENS = 100000;
const startLoad = loadavg()[0]; // other work on the machine skews wall times

function parseArgs(argv) {
  const o = { aslc: join(bench, '.build', 'aslc'), only: null, scale: 1, repeat: 3, extras: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === '--aslc') o.aslc = resolve(value());
    else if (a === '--only') o.only = value().split(',');
    else if (a === '--scale') o.scale = Number(value());
    else if (a === '--repeat') o.repeat = Math.max(1, Number(value()));
    else if (a === '--no-extras') o.extras = false;
    else {
      process.stderr.write(`compare.mjs: unknown option ${a}\n`);
      process.exit(64);
    }
  }
  return o;
}

function readJSON(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function log(text) {
  process.stderr.write(text + '\n');
}

// Runs a command; returns its stdout, or throws with its stderr.
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${(r.stderr || '').slice(-2000)}`);
  return r.stdout;
}

// The JSON object a --bench --json run prints on its last line.
function lastJSON(stdout) {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Repeats a measurement; keeps the run with the median transitions/s.
function repeated(times, measure) {
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(measure());
  runs.sort((a, b) => a.transitions_per_s - b.transitions_per_s);
  const kept = runs[(runs.length - 1) >> 1];
  kept.all_transitions_per_s = runs.map((r) => r.transitions_per_s);
  return kept;
}

function workload(name, scale) {
  const dir = join(bench, name);
  const w = readJSON(join(dir, 'workload.json'));
  const n = {};
  for (const [engine, count] of Object.entries(w.n)) n[engine] = Math.max(1, Math.round(count * scale));
  return { name, dir, definition: resolve(dir, w.definition), input: resolve(dir, w.input), n, workload: w };
}

function measureWorkload(o, w) {
  const out = join(work, w.name);
  mkdirSync(out, { recursive: true });
  const prog = join(out, 'prog');
  run(o.aslc, [w.definition, '-o', prog]);
  const common = ['--json', '--virtual-time', '--input-file', w.input];
  log(`${w.name}: aslc AOT, N=${w.n.aot}`);
  const aot = repeated(o.repeat, () => lastJSON(run(prog, ['--bench', String(w.n.aot), ...common])));
  log(`${w.name}: aslc JIT, N=${w.n.jit}`);
  const jit = repeated(o.repeat, () =>
    lastJSON(run(o.aslc, ['run', w.definition, '--bench', String(w.n.jit), ...common])),
  );
  log(`${w.name}: interpreter, N=${w.n.interp}`);
  const interp = repeated(o.repeat, () =>
    lastJSON(run(process.execPath, [join(bench, 'interp.mjs'), '--dir', w.dir, '--n', String(w.n.interp)])),
  );
  // The outputs must agree, or the comparison means nothing.
  const expected = JSON.parse(run(o.aslc, ['run', w.definition, '--virtual-time', '--input-file', w.input]));
  const same = JSON.stringify(expected) === JSON.stringify(interp.output);
  delete interp.output;
  const perExecution = aot.transitions / aot.executions;
  const sameCount = perExecution === interp.transitions_per_execution && perExecution === jit.transitions / jit.executions;
  return { aot, jit, interp, same_output: same, same_transitions: sameCount, transitions_per_execution: perExecution };
}

// Wall time of a command, median of `times` runs after one untimed run.
function wallMedian(times, cmd, args, opts) {
  run(cmd, args, opts);
  const ms = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    run(cmd, args, opts);
    ms.push(performance.now() - t0);
  }
  return { median_ms: median(ms), runs_ms: ms.map((x) => Number(x.toFixed(1))) };
}

function measureExtras(o) {
  const example = join(root, 'examples', 'workflow-within-a-workflow');
  const out = join(work, 'extras');
  mkdirSync(out, { recursive: true });
  log('extras: aslc run main.asl.json --virtual-time, 10 cold starts');
  const coldStart = wallMedian(10, o.aslc, ['run', 'main.asl.json', '--virtual-time'], { cwd: example });
  log('extras: aslc main.asl.json -o main, 5 compiles');
  const compile = wallMedian(5, o.aslc, ['main.asl.json', '-o', join(out, 'main')], { cwd: example });
  log(`extras: ${TOKENS} executions suspended on task tokens at once`);
  const tokensDir = join(bench, 'tokens');
  const prog = join(out, 'tokens');
  run(o.aslc, [join(tokensDir, 'definition.asl.json'), '-o', prog]);
  const tokens = lastJSON(
    run(
      prog,
      ['--bench', String(TOKENS), '--concurrency', String(TOKENS), '--virtual-time', '--json', '--input-file',
        join(tokensDir, 'input.json')],
      { env: { ...process.env, BENCH_TOKENS: String(TOKENS) } },
    ),
  );
  return { cold_start: coldStart, compile, tokens };
}

// ------------------------------------------------------------- output

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(a / b >= 10 ? 0 : 1) + '×' : 'n/a');

function machine() {
  const model = cpus()[0]?.model?.trim() || 'unknown CPU';
  const rev = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const interp = readJSON(join(process.env.BENCH_TOOLS || join(bench, '.tools'), 'node_modules',
    'aws-local-stepfunctions', 'package.json')).version;
  return { cpus: cpus().length, model, node: process.version, aslc_rev: rev || 'unknown', interp_version: interp,
    load_at_start: startLoad, load_at_end: loadavg()[0] };
}

function render(m, results, extras, o) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p(`Machine: ${m.cpus} cores (${m.model}); aslc ${m.aslc_rev} (Release); aws-local-stepfunctions ` +
    `${m.interp_version} on Node ${m.node}. Median of ${o.repeat} runs per cell. Load average ` +
    `(1 min) ${m.load_at_start.toFixed(2)} at the start, ${m.load_at_end.toFixed(2)} at the end.`);
  p();
  p('| workload | aslc AOT transitions/s | aslc JIT | interpreter | AOT/interp | JIT/AOT |');
  p('|---|---:|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results)) {
    const mark = name === 'workflow' ? ' ¹' : '';
    const warn = (r.same_output ? '' : ' ²') + (r.same_transitions ? '' : ' ³');
    p(`| ${name}${mark}${warn} | ${fmt(r.aot.transitions_per_s)} | ${fmt(r.jit.transitions_per_s)} | ` +
      `${fmt(r.interp.transitions_per_s)} | ${ratio(r.aot.transitions_per_s, r.interp.transitions_per_s)} | ` +
      `${(r.jit.transitions_per_s / r.aot.transitions_per_s).toFixed(2)} |`);
  }
  p();
  p('All runs: one execution at a time (--concurrency 1), Wait states instant (--virtual-time; the ' +
    'interpreter: waitTimeOverrides of 0 ms). Transitions = states entered, child executions included.');
  if ('workflow' in results)
    p('¹ workflow: the interpreter has no child executions and no task tokens; bench/workflow/interp.mjs ' +
      'emulates them with its local task handlers (the nested definition runs as a second StateMachine ' +
      'inside the handler for startExecution and .sync:2; the callback resolves the waiting task directly).');
  if (Object.values(results).some((r) => !r.same_output))
    p('² the interpreter\'s output differs from aslc\'s for this workload.');
  if (Object.values(results).some((r) => !r.same_transitions))
    p('³ the engines count a different number of transitions per execution for this workload.');
  p();
  p('| workload | engine | N | seconds | executions/s | transitions/execution | peak RSS KiB | p50 µs |');
  p('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, r] of Object.entries(results))
    for (const [engine, x] of [['AOT', r.aot], ['JIT', r.jit], ['interpreter', r.interp]])
      p(`| ${name} | ${engine} | ${x.executions} | ${x.seconds.toFixed(2)} | ${fmt(x.executions_per_s)} | ` +
        `${x.transitions / x.executions} | ${fmt(x.peak_rss_kb)} | ${x.p50_us === undefined ? '' : x.p50_us.toFixed(1)} |`);
  if (extras) {
    const t = extras.tokens;
    p();
    p(`- \`aslc run main.asl.json --virtual-time\` (reference workflow, JIT, cold process): ` +
      `${extras.cold_start.median_ms.toFixed(1)} ms wall, median of 10`);
    p(`- \`aslc main.asl.json -o main\` (AOT compile with the system C compiler): ` +
      `${extras.compile.median_ms.toFixed(0)} ms wall, median of 5`);
    p(`- token scale (bench/tokens): ${fmt(t.executions)} executions suspended on task tokens at once in one ` +
      `process, ${t.failed} failed, ${t.seconds.toFixed(2)} s, peak RSS ${fmt(t.peak_rss_kb)} KiB ` +
      `(${(t.peak_rss_kb / t.executions).toFixed(1)} KiB per suspended execution)`);
  }
  return lines.join('\n') + '\n';
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(work, { recursive: true });
  const names = o.only || WORKLOADS;
  const results = {};
  for (const name of names) results[name] = measureWorkload(o, workload(name, o.scale));
  const extras = o.extras ? measureExtras(o) : null;
  const m = machine();
  const text = render(m, results, extras, o);
  writeFileSync(join(work, 'results.json'), JSON.stringify({ machine: m, results, extras }, null, 2) + '\n');
  writeFileSync(join(work, 'results.md'), text);
  process.stdout.write(text);
}

main();
