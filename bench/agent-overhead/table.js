'use strict';
// The table of bench/agent-overhead/run, from its results file: one line per pair of copies loaded together —
//   config rep | A: requests req/s p50 p99 cpu_ms_per_request | B: the same | events discarded |
//   the first TRANSIENT s after the session started: A's five, B's five
// A runs without the agent; B is the configuration. Each number of B is divided by A's of the same window (the
// same seconds of the same machine), and the median of those ratios over the repetitions is the verdict's number,
// with a bootstrap interval that says how fine a difference the run can resolve. The control (twin: B without the
// agent too) shows the method's own error.
const fs = require('fs');

const [file, reps, duration, concurrency, loadStart, loadEnd, warmup, transient] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
if (!rows.length || rows[0].length < 24) {
  console.error(`${file}: not the results of the side-by-side bench (24 fields a line)`);
  process.exit(1);
}
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const five = (r, i) => ({ requests: +r[i], rps: +r[i + 1], p99: +r[i + 3], cpu: +r[i + 4] });
const runs = (cfg) => rows.filter((r) => r[0] === cfg).map((r) => ({
  rep: r[1], a: five(r, 2), b: five(r, 7), events: r[12] === '-' ? null : +r[12],
  disc: r[13] === '-' || r[13] === '?' ? null : +r[13], ta: five(r, 14), tb: five(r, 19),
}));
const ratios = (cfg, key, win = 'steady') =>
  runs(cfg).map((r) => (win === 'steady' ? r.b[key] / r.a[key] : r.tb[key] / r.ta[key]));

/** 95 % interval of the median ratio, by bootstrap (2000 resamples, a fixed seed: reproducible from the raw file). */
function interval(r) {
  let s = 12345;
  const rand = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const medians = [];
  for (let i = 0; i < 2000; i++) medians.push(median(r.map(() => r[Math.floor(rand() * r.length)])));
  medians.sort((x, y) => x - y);
  return [medians[49], medians[1949]];
}

const names = {
  twin: "(a') B without the agent too (control)", idle: '(b) B: agent, no session',
  nodejs: '(c) B: agent, recording nodejs:*', als: '(c0) as (c), context in an AsyncLocalStorage',
};
const order = ['twin', 'idle', 'nodejs', 'als'];
const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${(100 * (ratio - 1)).toFixed(1)} %`;
const span = (r) => interval(r).map(pct).join(' … ');

const out = [`Node.js agent overhead: two copies of examples/microservices loaded at the same time (load.js, ${concurrency} `
  + `concurrent clients each): A without the agent, B as the row says; both started afresh for each pair, ${warmup} s `
  + `of warm-up, then (the session started) ${transient} s measured apart and ${duration} s measured; ${reps} `
  + `repetitions (order rotated); B/A = the median over repetitions of B's number divided by A's of the same window; `
  + `load average ${loadStart} at the start, ${loadEnd} at the end; ${new Date().toISOString()}`];
const print = (t) => {
  const w = t[0].map((_, c) => Math.max(...t.map((r) => r[c].length)));
  for (const [i, r] of t.entries()) {
    out.push(r.map((v, c) => (c === 0 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  '));
    if (i === 0) out.push(w.map((n) => '-'.repeat(n)).join('  '));
  }
};

const table = [['configuration of B', 'A req/s', 'B req/s', 'req/s B/A', '95 % interval', 'p99 ms A', 'p99 ms B',
  'p99 B/A', 'CPU ms/req A', 'CPU ms/req B', 'CPU B/A', '95 % interval', 'events/req', 'discarded']];
for (const cfg of order) {
  const rr = runs(cfg);
  if (!rr.length) continue;
  const ev = rr.filter((r) => r.events !== null);
  table.push([names[cfg], median(rr.map((r) => r.a.rps)).toFixed(1), median(rr.map((r) => r.b.rps)).toFixed(1),
    pct(median(ratios(cfg, 'rps'))), span(ratios(cfg, 'rps')),
    median(rr.map((r) => r.a.p99)).toFixed(1), median(rr.map((r) => r.b.p99)).toFixed(1), pct(median(ratios(cfg, 'p99'))),
    median(rr.map((r) => r.a.cpu)).toFixed(2), median(rr.map((r) => r.b.cpu)).toFixed(2),
    pct(median(ratios(cfg, 'cpu'))), span(ratios(cfg, 'cpu')),
    // the session recorded both windows
    ev.length ? median(ev.map((r) => r.events / (r.b.requests + r.tb.requests))).toFixed(1) : '-',
    ev.length ? String(ev.reduce((s, r) => s + (r.disc || 0), 0)) : '-']);
}
print(table);

// The first TRANSIENT s after the session started, on their own (no session: the same window, more warm-up).
const tTable = [[`first ${transient} s after the session started`, 'req/s B/A', '95 % interval', 'p99 B/A', 'CPU B/A',
  '95 % interval']];
for (const cfg of order) {
  if (!runs(cfg).length) continue;
  tTable.push([names[cfg], pct(median(ratios(cfg, 'rps', 't'))), span(ratios(cfg, 'rps', 't')),
    pct(median(ratios(cfg, 'p99', 't'))), pct(median(ratios(cfg, 'cpu', 't'))), span(ratios(cfg, 'cpu', 't'))]);
}
out.push('');
print(tTable);

// MET when even the interval's worst end is within the target, NOT MET when the median is beyond it, and otherwise
// the run cannot tell on this machine (its interval is wider than the target): said so, not rounded to a verdict.
// Below MIN_REPS repetitions the bootstrap interval is little more than the range of a few ratios: no verdict.
const MIN_REPS = 5;
const verdict = (cfg, limit) => {
  const r = ratios(cfg, 'rps');
  if (!r.length) return `${names[cfg]}: not measured`;
  const drop = 100 * (1 - median(r));
  const worst = 100 * (1 - interval(r)[0]);
  const said = drop >= 0 ? `${drop.toFixed(1)} % lower` : `${(-drop).toFixed(1)} % higher`;
  const v = r.length < MIN_REPS ? `NOT DECIDED: ${r.length} repetitions, a verdict needs ${MIN_REPS} (REPS=${MIN_REPS} or more)`
    : worst <= limit ? 'MET' : drop > limit ? 'NOT MET'
    : `NOT DECIDED: the 95 % interval reaches ${worst.toFixed(1)} % lower, this run cannot resolve ${limit} %`;
  return `${names[cfg]}: throughput ${said} than A (median of B/A) — target ≤ ${limit} % lower: ${v}`;
};
const control = ratios('twin', 'rps');
const [c0, c1] = control.length ? interval(control) : [1, 1];
out.push('', control.length
  ? `(a') control: B/A ${pct(median(control))}, 95 % interval ${pct(c0)} … ${pct(c1)}: two copies without the agent, `
    + "so this is the method's own error" + (c0 > 1 || c1 < 1 ? ' — NOT zero in this run: read the verdicts below with it in mind.' : '.')
  : "(a') control: not measured",
verdict('idle', 1), verdict('nodejs', 5), verdict('als', 5),
'(c) is the agent\'s own cost while recording; what `kvscope record` adds in Redis (redis:*) is bench/tracing-overhead\'s.');
console.log(out.join('\n'));
