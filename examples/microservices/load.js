#!/usr/bin/env node
'use strict';
// Drives the gateway of the example with a mix of its routes, from C concurrent clients (node:http, keep-alive),
// until N requests are done or D seconds have passed, whichever comes first, and prints its own measure: per route,
// how many requests, their status codes and latency percentiles. --json FILE writes the same as JSON, --log FILE one
// JSON line per request (route, status, start and end in ns of CLOCK_MONOTONIC — the clock of the LTTng traces).
// Loopback only: it refuses any other address.

const fs = require('fs');
const http = require('http');

const ROUTES = {
  'GET /users/:id': (r) => ({ method: 'GET', path: `/users/${r.int(1, 2000)}` }),
  'GET /orders/:id': (r) => ({ method: 'GET', path: `/orders/${r.int(1, 5000)}` }),
  'GET /ranking': () => ({ method: 'GET', path: '/ranking?n=10' }),
  'POST /orders': (r) => ({ method: 'POST', path: '/orders', body: { userId: r.int(1, 2000), item: `item${r.int(0, 49)}`, qty: r.int(1, 5) } }),
  'POST /login': (r) => { const k = r.int(1, 2000); return { method: 'POST', path: '/login', body: { name: `user${k}`, password: `secret${k}` } }; },
  'POST /users': (r, n) => ({ method: 'POST', path: '/users', body: { name: `load-${r.run}-${n}`, email: `load${n}@example.com`, password: `pw${n}` } }),
};
const DEFAULT_MIX = 'GET /users/:id=40,GET /orders/:id=15,GET /ranking=10,POST /orders=15,POST /login=15,POST /users=5';

const HELP = `usage: load.js (--url URL | --env DIR/env.json) [options]
  --url URL            the gateway, e.g. http://127.0.0.1:38001 (loopback only)
  --env FILE           or the env.json start.sh wrote (its "gateway")
  --requests N         stop after N requests (default 2000)
  --duration S         stop after S seconds (default 60), whichever comes first
  --concurrency C      requests in flight at once (default 8)
  --mix SPEC           route weights (default "${DEFAULT_MIX}")
  --seed N             seed of the choices (default 1): the same seed makes the same requests
  --json FILE          write the summary as JSON ({"routes": {"GET /users/:id": {"count", "status", "p50_ms", …}}, "total"})
  --log FILE           one JSON line per request: route, method, path, status, start_ns, end_ns (CLOCK_MONOTONIC)
  --quiet              no table on stdout`;

function parseArgs(argv) {
  const o = { requests: 2000, duration: 60, concurrency: 8, mix: DEFAULT_MIX, seed: 1, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const num = (min) => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < min) fail(`${a} needs a number ≥ ${min}`);
      return v;
    };
    switch (a) {
      case '--url': o.url = val(); break;
      case '--env': o.env = val(); break;
      case '--requests': o.requests = Math.floor(num(1)); break;
      case '--duration': o.duration = num(0.1); break;
      case '--concurrency': o.concurrency = Math.floor(num(1)); break;
      case '--mix': o.mix = val(); break;
      case '--seed': o.seed = Math.floor(num(0)); break;
      case '--json': o.json = val(); break;
      case '--log': o.log = val(); break;
      case '--quiet': o.quiet = true; break;
      case '-h': case '--help': console.log(HELP); process.exit(0); break;
      default: fail(`unknown option ${a}\n${HELP}`);
    }
  }
  if (o.env) {
    let env;
    try { env = JSON.parse(fs.readFileSync(o.env, 'utf8')); } catch (e) { fail(`cannot read ${o.env}: ${e.message}`); }
    o.url = o.url || env.gateway;
  }
  if (!o.url) fail(`give --url or --env\n${HELP}`);
  let u;
  try { u = new URL(o.url); } catch { fail(`--url ${o.url} is not a URL`); }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || u.protocol !== 'http:') {
    fail(`--url ${o.url}: load.js drives loopback http only (127.0.0.1, localhost, [::1])`);
  }
  o.target = u;
  o.weights = parseMix(o.mix);
  return o;
}

function parseMix(spec) {
  const weights = [];
  for (const part of spec.split(',')) {
    const m = part.trim().match(/^(GET|POST) (\S+)=(\d+(?:\.\d+)?)$/);
    if (!m) fail(`--mix: '${part}' is not ROUTE=WEIGHT (e.g. "GET /users/:id=40")`);
    const route = `${m[1]} ${m[2]}`;
    if (!ROUTES[route]) fail(`--mix: unknown route '${route}' (known: ${Object.keys(ROUTES).join(', ')})`);
    if (Number(m[3]) > 0) weights.push([route, Number(m[3])]);
  }
  if (!weights.length) fail('--mix gives every route weight 0');
  return weights;
}

function fail(message) {
  console.error(`load.js: ${message}`);
  process.exit(2);
}

/** mulberry32: a small seeded generator, so that a seed replays the same requests. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), run: `${seed}-${process.pid}` };
}

function pick(r, weights, total) {
  let x = r.next() * total;
  for (const [route, w] of weights) {
    if ((x -= w) < 0) return route;
  }
  return weights[weights.length - 1][0];
}

function send(agent, target, req) {
  const data = req.body ? JSON.stringify(req.body) : null;
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const done = (status, error) => resolve({ status, error, start, end: process.hrtime.bigint() });
    const r = http.request({
      host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: req.path, method: req.method, agent,
      headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
    }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode, null));
      res.on('error', (e) => done(0, e.code || e.message));
    });
    r.setTimeout(30000, () => r.destroy(new Error('timed out after 30 s')));
    r.on('error', (e) => done(0, e.code || e.message));
    if (data) r.write(data);
    r.end();
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function summarize(stats) {
  const round = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
  const one = (s) => {
    const lat = s.latencies.slice().sort((a, b) => a - b);
    return {
      count: s.count, status: s.status, errors: s.errors,
      mean_ms: round(lat.reduce((a, b) => a + b, 0) / (lat.length || 1)),
      p50_ms: round(percentile(lat, 50)), p90_ms: round(percentile(lat, 90)), p99_ms: round(percentile(lat, 99)),
      max_ms: round(lat.length ? lat[lat.length - 1] : null),
    };
  };
  const routes = {};
  const all = { count: 0, status: {}, errors: {}, latencies: [] };
  for (const [route, s] of Object.entries(stats)) {
    routes[route] = one(s);
    all.count += s.count;
    for (const [k, v] of Object.entries(s.status)) all.status[k] = (all.status[k] || 0) + v;
    for (const [k, v] of Object.entries(s.errors)) all.errors[k] = (all.errors[k] || 0) + v;
    all.latencies.push(...s.latencies);
  }
  return { routes, total: one(all) };
}

function table(summary, elapsed) {
  const rows = [['route', 'count', 'status', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']];
  const fmt = (v) => (v === null ? '-' : v.toFixed(1));
  for (const [route, s] of [...Object.entries(summary.routes), ['total', summary.total]]) {
    const st = Object.entries(s.status).map(([k, v]) => `${k}:${v}`)
      .concat(Object.entries(s.errors).map(([k, v]) => `${k}:${v}`)).join(' ');
    rows.push([route, String(s.count), st, fmt(s.p50_ms), fmt(s.p90_ms), fmt(s.p99_ms), fmt(s.max_ms)]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((v, c) => (c === 0 || c === 2 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  '));
  lines.splice(1, 0, w.map((n) => '-'.repeat(n)).join('  '));
  return lines.join('\n') + `\n${summary.total.count} requests in ${elapsed.toFixed(2)} s: `
    + `${(summary.total.count / elapsed).toFixed(1)} requests/s`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const r = rng(o.seed);
  const totalWeight = o.weights.reduce((a, [, w]) => a + w, 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const stats = Object.fromEntries(o.weights.map(([route]) => [route, { count: 0, status: {}, errors: {}, latencies: [] }]));
  const log = o.log ? fs.createWriteStream(o.log) : null;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(o.duration * 1e9));
  let issued = 0;

  async function client() {
    while (issued < o.requests && process.hrtime.bigint() < deadline) {
      const n = issued++;
      const route = pick(r, o.weights, totalWeight);
      const req = ROUTES[route](r, n);
      const res = await send(agent, o.target, req);
      const s = stats[route];
      s.count++;
      if (res.error) s.errors[res.error] = (s.errors[res.error] || 0) + 1;
      else s.status[res.status] = (s.status[res.status] || 0) + 1;
      s.latencies.push(Number(res.end - res.start) / 1e6);
      if (log) {
        log.write(JSON.stringify({ route, method: req.method, path: req.path, status: res.status, error: res.error,
          start_ns: String(res.start), end_ns: String(res.end) }) + '\n');
      }
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, client));
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  if (log) await new Promise((res) => log.end(res));
  const summary = summarize(stats);
  const out = {
    gateway: o.target.origin, requests: summary.total.count, elapsed_s: Math.round(elapsed * 1000) / 1000,
    requests_per_s: Math.round((summary.total.count / elapsed) * 10) / 10, concurrency: o.concurrency,
    seed: o.seed, mix: o.mix, ...summary,
  };
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(out, null, 2) + '\n');
  if (!o.quiet) console.log(table(summary, elapsed));
}

main().catch((e) => fail(e.stack || String(e)));
