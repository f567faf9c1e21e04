// compare.mjs: the measuring half of bench/jsonata/compare. For each case
// file: jsonata-js evaluates it (compiled once, warmed up) as many times as
// fit in the budget; aslc evaluates it the same number of times (aslc
// jsonata --repeat N, which reports its mean); three rounds each, the best
// mean of each side kept, printed side by side.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(path.join(process.env.BENCH_TOOLS, 'package.json'));
const jsonata = require('jsonata');

const argv = process.argv.slice(2);
let aslc = '', dir = '', only = '', budget = 40, slowest = 10;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--aslc') aslc = argv[++i];
  else if (a === '-k') only = argv[++i];
  else if (a === '--budget-ms') budget = Number(argv[++i]);
  else if (a === '--slowest') slowest = Number(argv[++i]);
  else dir = a;
}

async function timeJs(expr, data, bindings, times) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < times; i++) {
    try { await expr.evaluate(data, bindings); } catch (e) { /* an error case: its time counts */ }
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / times;
}

function timeAslc(file, times, tmp) {
  const c = JSON.parse(fs.readFileSync(file, 'utf8'));
  const e = path.join(tmp, 'expr'), b = path.join(tmp, 'bindings.json'), d = path.join(tmp, 'data.json');
  fs.writeFileSync(e, c.expr);
  fs.writeFileSync(b, JSON.stringify(c.bindings || {}));
  const args = ['jsonata', '--expr-file', e, '--bindings-file', b, '--repeat', String(times)];
  if ('data' in c) { fs.writeFileSync(d, JSON.stringify(c.data)); args.push('--input-file', d); }
  const p = spawnSync(aslc, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = (p.stderr || '').split('\n').find(l => l.startsWith('{"evaluations"'));
  return line ? JSON.parse(line).mean_us : null;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jsonata-bench-'));
const rows = [];
const groups = fs.readdirSync(dir).sort();
for (const g of groups) {
  for (const f of fs.readdirSync(path.join(dir, g)).sort()) {
    const name = `${g}/${f}`;
    if (only && !name.includes(only)) continue;
    const c = JSON.parse(fs.readFileSync(path.join(dir, g, f), 'utf8'));
    let expr;
    try { expr = jsonata(c.expr); } catch (e) { continue; } // a syntax error: nothing to evaluate
    await timeJs(expr, c.data, c.bindings || {}, 20); // warm Node's JIT up
    const once = await timeJs(expr, c.data, c.bindings || {}, 1);
    const times = Math.max(1, Math.min(2000, Math.floor(budget * 1000 / 3 / Math.max(once, 1))));
    // three rounds each, alternating, the best kept: the machine is shared
    let js = Infinity, ours = Infinity;
    for (let round = 0; round < 3; round++) {
      js = Math.min(js, await timeJs(expr, c.data, c.bindings || {}, times));
      const t = timeAslc(path.join(dir, g, f), times, tmp);
      ours = t === null ? null : Math.min(ours, t);
      if (ours === null) break;
    }
    if (ours !== null) rows.push({ name, times, js, ours });
  }
}
fs.rmSync(tmp, { recursive: true, force: true });

const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
const geo = Math.exp(rows.reduce((s, r) => s + Math.log(r.ours / r.js), 0) / rows.length);
const slower = rows.filter(r => r.ours > r.js);
console.log(`cases timed: ${rows.length}`);
console.log(`sum of mean times: aslc ${(sum('ours') / 1e3).toFixed(2)} ms, jsonata-js ${(sum('js') / 1e3).toFixed(2)} ms`);
console.log(`geometric mean of aslc/jsonata-js: ${geo.toFixed(3)} (${(1 / geo).toFixed(1)}x faster)`);
console.log(`cases where aslc is slower: ${slower.length}`);
rows.sort((a, b) => b.ours / b.js - a.ours / a.js);
console.log(`\n${'case'.padEnd(48)}${'aslc us'.padStart(12)}${'jsonata-js us'.padStart(15)}${'ratio'.padStart(8)}`);
for (const r of rows.slice(0, slowest))
  console.log(`${r.name.padEnd(48)}${r.ours.toFixed(2).padStart(12)}${r.js.toFixed(2).padStart(15)}${(r.ours / r.js).toFixed(2).padStart(8)}`);
