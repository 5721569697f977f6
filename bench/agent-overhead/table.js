'use strict';
// The table of bench/agent-overhead/run, from its results file (one line per run: config rep requests req/s p50 p99
// cpu_ms_per_request events discarded). Throughput on a shared 2-core machine swings with what else runs — by 2x
// between runs of one configuration — but slowly next to one repetition (the five runs back to back, order
// rotated): so each configuration is compared with the (a) of its repetition, and the median of those paired
// ratios is the verdict's number, with a bootstrap interval that says how fine a difference the run can resolve.
// The least-disturbed run of each (the best: delays only ever subtract) is shown beside it, and the six services'
// CPU time per request, which is the agent's cost itself. The control (a') — the same services as (a), measured
// again — shows the method's own error.
const fs = require('fs');

const [file, reps, duration, concurrency, loadStart, loadEnd, warmup] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));

if (!rows.some((r) => r[0] === 'none')) {
  console.error(`${file}: no run of (a) (configuration none): nothing to compare with`);
  process.exit(1);
}
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const runs = (cfg) => rows.filter((r) => r[0] === cfg).map((r) => ({
  rep: r[1], requests: +r[2], rps: +r[3], p99: +r[5], cpu: +r[6],
  events: r[7] === '-' ? null : +r[7], disc: r[8] === '-' || r[8] === '?' ? null : +r[8],
}));
const base = Object.fromEntries(runs('none').map((r) => [r.rep, r])); // the (a) run of each repetition
const ratios = (cfg, key) => runs(cfg).filter((r) => base[r.rep]).map((r) => r[key] / base[r.rep][key]);
const paired = (cfg, key) => median(ratios(cfg, key));

/**
 * 95 % interval of the median paired ratio, by bootstrap (2000 resamples of the repetitions, a fixed seed so the
 * table is reproducible from its raw file): how finely this run on this machine can tell a difference.
 */
function interval(cfg, key) {
  const r = ratios(cfg, key);
  let a = 12345;
  const rand = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const medians = [];
  for (let i = 0; i < 2000; i++) medians.push(median(r.map(() => r[Math.floor(rand() * r.length)])));
  medians.sort((x, y) => x - y);
  return [medians[49], medians[1949]];
}

const names = {
  none: '(a) none', twin: "(a') none again (control)", idle: '(b) agent, no session', nodejs: '(c) agent, recording nodejs:*',
  record: '(d) agent, recording redis:*,nodejs:*',
};
const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${(100 * (ratio - 1)).toFixed(1)} %`;
const range = (a, d = 1) => `${Math.min(...a).toFixed(d)}–${Math.max(...a).toFixed(d)}`;

const head = ['configuration', 'req/s median', 'min–max', 'vs (a) paired', '95 % interval', 'best', 'best vs (a)', 'p99 ms median',
  'vs (a) paired', 'CPU ms/req', 'vs (a) paired', 'events/req', 'discarded'];
const table = [head];
const bestBase = Math.max(...runs('none').map((r) => r.rps));
for (const cfg of ['none', 'twin', 'idle', 'nodejs', 'record']) {
  const rr = runs(cfg);
  if (!rr.length) continue;
  const a = cfg === 'none';
  const best = Math.max(...rr.map((r) => r.rps));
  const ev = rr.filter((r) => r.events !== null);
  table.push([names[cfg], median(rr.map((r) => r.rps)).toFixed(1), range(rr.map((r) => r.rps)),
    a ? '' : pct(paired(cfg, 'rps')), a ? '' : interval(cfg, 'rps').map(pct).join(' … '), best.toFixed(1),
    a ? '' : pct(best / bestBase),
    median(rr.map((r) => r.p99)).toFixed(1), a ? '' : pct(paired(cfg, 'p99')),
    median(rr.map((r) => r.cpu)).toFixed(2), a ? '' : pct(paired(cfg, 'cpu')),
    ev.length ? median(ev.map((r) => r.events / r.requests)).toFixed(1) : '-',
    ev.length ? String(ev.reduce((s, r) => s + (r.disc || 0), 0)) : '-']);
}

const out = [`Node.js agent overhead: examples/microservices gateway, load.js ${concurrency} concurrent clients; `
  + `services started afresh for each run, ${warmup || '?'} s of warm-up, ${duration} s measured; ${reps} repetitions `
  + `of the 5 runs (order rotated); load average ${loadStart} at the start, ${loadEnd} at the end; `
  + `${new Date().toISOString()}`];
const w = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
for (const [i, r] of table.entries()) {
  out.push(r.map((v, c) => (c === 0 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  '));
  if (i === 0) out.push(w.map((n) => '-'.repeat(n)).join('  '));
}
// MET when even the interval's worst end is within the target, NOT MET when the median is beyond it, and otherwise
// the run cannot tell on this machine (its interval is wider than the target): said so, not rounded to a verdict.
// Below MIN_REPS repetitions the bootstrap interval is little more than the range of a few ratios: no verdict.
const MIN_REPS = 5;
const verdict = (cfg, limit) => {
  const n = ratios(cfg, 'rps').length;
  if (!n) return `${names[cfg]}: not measured`;
  const drop = 100 * (1 - paired(cfg, 'rps'));
  const worst = 100 * (1 - interval(cfg, 'rps')[0]);
  const said = drop >= 0 ? `${drop.toFixed(1)} % lower` : `${(-drop).toFixed(1)} % higher`;
  const v = n < MIN_REPS ? `NOT DECIDED: ${n} repetitions, a verdict needs ${MIN_REPS} (REPS=${MIN_REPS} or more)`
    : worst <= limit ? 'MET' : drop > limit ? 'NOT MET'
    : `NOT DECIDED: the 95 % interval reaches ${worst.toFixed(1)} % lower, this run cannot resolve ${limit} %`;
  return `${names[cfg]}: throughput ${said} than (a) (median of paired ratios) — target ≤ ${limit} % lower: ${v}`;
};
const [c0, c1] = ratios('twin', 'rps').length ? interval('twin', 'rps') : [1, 1];
const biased = c0 > 1 || c1 < 1; // the control's interval leaves out 0 %
const control = ratios('twin', 'rps').length
  ? `(a') control: ${pct(paired('twin', 'rps'))} vs (a), 95 % interval ${pct(c0)} … ${pct(c1)}: the same services `
    + "measured again, so this is the method's own error"
    + (biased ? ' — NOT zero in this run: read the verdicts below with it in mind.' : '.')
  : "(a') control: not measured";
out.push('', control,
  verdict('idle', 1), verdict('nodejs', 5), verdict('record', 5),
  '(c) is the agent\'s own cost while recording; (d) is what `kvscope record` (profile full) records, so it adds the '
  + 'cost of every Redis event (redis:*), which bench/tracing-overhead measures on its own.');
console.log(out.join('\n'));
