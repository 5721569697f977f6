'use strict';
// The table of bench/agent-overhead/run, from its results file (one line per run: config pair requests req/s p50
// p99 cpu_ms_per_request events discarded). Throughput on a shared 2-core machine swings with what else runs — by
// 2x between runs of one configuration — but slowly next to one pair of runs (a configuration and (a), back to
// back): so each configuration is compared with the (a) of its pair, and the median of those paired ratios is the
// verdict's number. The least-disturbed run of each (the best: delays only ever subtract) is shown beside it, and
// the six services' CPU time per request, which is the agent's cost itself and steadier than throughput. A
// bootstrap interval says how fine a difference the run can resolve.
const fs = require('fs');

const [file, reps, duration, concurrency, loadStart, loadEnd] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));

const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const runs = (cfg) => rows.filter((r) => r[0] === cfg).map((r) => ({
  rep: r[1], requests: +r[2], rps: +r[3], p99: +r[5], cpu: +r[6],
  events: r[7] === '-' ? null : +r[7], disc: r[8] === '-' || r[8] === '?' ? null : +r[8],
}));
const base = Object.fromEntries(runs('none').map((r) => [r.rep, r])); // the (a) run of each pair, by pair
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
  none: '(a) none', twin: "(a') none, a second copy (control)", idle: '(b) agent, no session', nodejs: '(c) agent, recording nodejs:*',
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

const out = [`Node.js agent overhead: examples/microservices gateway, load.js ${concurrency} concurrent clients, `
  + `${duration} s per run, ${reps} repetitions of 4 pairs (a configuration and (a)); load average ${loadStart} at the `
  + `start, ${loadEnd} at the end; ${new Date().toISOString()}`];
const w = head.map((_, c) => Math.max(...table.map((r) => r[c].length)));
for (const [i, r] of table.entries()) {
  out.push(r.map((v, c) => (c === 0 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  '));
  if (i === 0) out.push(w.map((n) => '-'.repeat(n)).join('  '));
}
// MET when even the interval's worst end is within the target, NOT MET when the median is beyond it, and otherwise
// the run cannot tell on this machine (its interval is wider than the target): said so, not rounded to a verdict.
const verdict = (cfg, limit) => {
  const drop = 100 * (1 - paired(cfg, 'rps'));
  const worst = 100 * (1 - interval(cfg, 'rps')[0]);
  const said = drop >= 0 ? `${drop.toFixed(1)} % lower` : `${(-drop).toFixed(1)} % higher`;
  const v = worst <= limit ? 'MET' : drop > limit ? 'NOT MET'
    : `NOT DECIDED: the 95 % interval reaches ${worst.toFixed(1)} % lower, this run cannot resolve ${limit} %`;
  return `${names[cfg]}: throughput ${said} than (a) (median of paired ratios) — target ≤ ${limit} % lower: ${v}`;
};
out.push('', `(a') is a control: the same services as (a), a second copy; its difference from (a) is the method's own.`,
  verdict('idle', 1), verdict('nodejs', 5),
  '(d) is for information: it adds every Redis event (redis:*), whose cost bench/tracing-overhead measures.');
console.log(out.join('\n'));
