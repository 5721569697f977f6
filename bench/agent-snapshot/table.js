'use strict';
// The table of bench/agent-snapshot/run from its raw file (lines: config workload rep requests req/s cpu).
const fs = require('fs');

const [file, loadStart, loadEnd] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' '));
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const of = (cfg, w) => rows.filter((r) => r[0] === cfg && r[1] === w);
const base = (w, rep, cfg = 'none') => rows.find((r) => r[0] === cfg && r[1] === w && r[2] === rep);
const hasPeer = rows.some((r) => r[0] === 'peer');
// this agent against the peer agent, paired by repetition: what the change costs, beside what the agent costs.
const vsPeer = (w, col) => median(of('agent', w).filter((r) => base(w, r[2], 'peer')).map((r) => +r[col] / +base(w, r[2], 'peer')[col]));
const configs = [...new Set(rows.map((r) => r[0]))];
const pct = (x) => (x >= 1 ? '+' : '') + ((x - 1) * 100).toFixed(1) + ' %';
console.log(`agent snapshot support, no session (${file}); load average ${loadStart} → ${loadEnd}`);
console.log('| configuration | http req/s (median) | vs none (paired median) | CPU µs/request | vs none | idle CPU µs/s | runs |');
console.log('|---|---|---|---|---|---|---|');
for (const c of configs) {
  const h = of(c, 'http'), i = of(c, 'idle');
  const rps = median(h.map((r) => +r[4])), cpu = median(h.map((r) => +r[5]));
  const rr = median(h.map((r) => +r[4] / +base('http', r[2])[4]));
  const cr = median(h.map((r) => +r[5] / +base('http', r[2])[5]));
  const idle = median(i.map((r) => +r[5]));
  console.log(`| ${c} | ${rps.toFixed(0)} | ${c === 'none' ? '—' : pct(rr)} | ${cpu.toFixed(2)} | ${c === 'none' ? '—' : pct(cr)} | ${idle.toFixed(1)} | ${h.length} |`);
}
if (hasPeer) {
  console.log(`agent vs peer (paired medians): http req/s ${pct(vsPeer('http', 4))}, CPU µs/request ${pct(vsPeer('http', 5))}, `
    + `idle CPU µs/s ${pct(vsPeer('idle', 5))} (${(median(of('agent', 'idle').map((r) => +r[5])) - median(of('peer', 'idle').map((r) => +r[5]))).toFixed(0)} µs/s)`);
}
