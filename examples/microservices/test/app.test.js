'use strict';
// The example application as its users (and the scenarios) run it: start.sh, load.js, stop.sh. Every route answers;
// load.js's own counts add up; the published order events reach the subscriber; each injected problem applies to
// its one route, every request of it, at its size — measured by Redis's SLOWLOG, MariaDB's slow query log and the
// services' own /admin/stats —, and to no other route; stop.sh leaves nothing running.

const test = require('node:test');
const assert = require('node:assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const HERE = path.resolve(__dirname, '..');
const ROOT = path.resolve(HERE, '..', '..');
const AGENT = path.join(ROOT, 'instrument', 'node', 'agent.js');
const dirs = [];

test.after(() => {
  for (const d of dirs) {
    try { execFileSync(path.join(HERE, 'stop.sh'), [d], { stdio: 'ignore' }); } catch { /* already stopped */ }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

function start(args, env = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvscope-microservices-'));
  dirs.push(dir);
  execFileSync(path.join(HERE, 'start.sh'), ['--dir', dir, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  return { dir, env: JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8')) };
}

function load(run, requests) {
  const out = path.join(run.dir, 'load.json');
  execFileSync(process.execPath, [path.join(HERE, 'load.js'), '--env', path.join(run.dir, 'env.json'), '--requests',
    String(requests), '--concurrency', '4', '--json', out, '--log', path.join(run.dir, 'requests.jsonl'), '--quiet'],
  { env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

async function get(url) {
  const r = await fetch(url);
  assert.strictEqual(r.status, 200, url);
  return r.json();
}

function redisCli(run, ...args) {
  const [, port] = run.env.redis.address.split(':');
  return execFileSync(path.join(ROOT, 'build', 'redis', 'bin', 'redis-cli'), ['-p', port, ...args], { encoding: 'utf8' });
}

/** Durations (ms) of the EVALs in Redis's SLOWLOG. */
function slowEvals(run) {
  const entries = JSON.parse(redisCli(run, '--json', 'SLOWLOG', 'GET', '100000'));
  return entries.filter((e) => String(e[3][0]).toLowerCase() === 'eval').map((e) => e[2] / 1000);
}

/** Query_time (ms) of the statements in MariaDB's slow query log that match `re`. */
function slowQueries(run, re) {
  const log = fs.readFileSync(run.env.mariadb.slowLog, 'utf8');
  const out = [];
  let time = null;
  for (const line of log.split('\n')) {
    const m = line.match(/^# Query_time: ([\d.]+)/);
    if (m) time = Number(m[1]) * 1000;
    else if (re.test(line) && time !== null) { out.push(time); time = null; }
  }
  return out;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function allPids(run) {
  return [...Object.values(run.env.services).map((s) => s.pid), run.env.redis.pid, run.env.mariadb.pid];
}

test('start, load, stop: every route answers, counts add up, events reach the subscriber, nothing is left', async () => {
  const run = start([]);
  assert.match(run.env.gateway, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepStrictEqual(run.env.problems, { slowRedisMs: 0, slowSqlMs: 0, burnMs: 0 });
  const r = load(run, 240);
  assert.strictEqual(r.requests, 240);
  assert.deepStrictEqual(Object.keys(r.routes).sort(),
    ['GET /orders/:id', 'GET /ranking', 'GET /users/:id', 'POST /login', 'POST /orders', 'POST /users']);
  let sum = 0;
  for (const [route, s] of Object.entries(r.routes)) {
    sum += s.count;
    assert.deepStrictEqual(s.errors, {}, route);
    assert.deepStrictEqual(Object.keys(s.status), [route.startsWith('POST /orders') || route === 'POST /users' ? '201' : '200'], route);
    assert.ok(s.p50_ms > 0 && s.p50_ms <= s.p90_ms && s.p90_ms <= s.p99_ms && s.p99_ms <= s.max_ms, route);
  }
  assert.strictEqual(sum, 240);
  const lines = fs.readFileSync(path.join(run.dir, 'requests.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.strictEqual(lines.length, 240);
  assert.ok(lines.every((l) => BigInt(l.end_ns) > BigInt(l.start_ns)));

  // Every order event reached the subscriber (node-redis, through Redis pub/sub).
  let stats;
  for (let i = 0; i < 50; i++) {
    stats = await get(`${run.env.services.notifier.url}/stats`);
    if (stats.received >= r.routes['POST /orders'].count) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.strictEqual(stats.received, r.routes['POST /orders'].count);
  // The cache works: a profile read twice in a row is a hit the second time.
  const user = `${run.env.services.user.url}`;
  const before = (await get(`${user}/admin/stats`)).cache;
  await get(`${run.env.gateway}/users/1999`);
  await get(`${run.env.gateway}/users/1999`);
  const after = (await get(`${user}/admin/stats`)).cache;
  assert.strictEqual(after.hits - before.hits, 1);
  // No problem was injected: no spinning EVAL, no SLEEP, no burn.
  assert.deepStrictEqual(slowEvals(run), []);
  assert.deepStrictEqual(slowQueries(run, /SLEEP/), []);
  assert.strictEqual((await get(`${user}/admin/stats`)).burns, 0);

  execFileSync(path.join(HERE, 'stop.sh'), [run.dir], { stdio: 'pipe' });
  for (const pid of allPids(run)) assert.ok(!alive(pid), `pid ${pid} still runs after stop.sh`);
});

test('each injected problem: on its route only, on every request of it, at its size (agent loaded, no session)', async () => {
  const run = start(['--slow-redis-ms', '20', '--slow-sql-ms', '30', '--burn-ms', '15'],
    { NODE_OPTIONS: `--require ${AGENT}` });
  assert.deepStrictEqual(run.env.problems, { slowRedisMs: 20, slowSqlMs: 30, burnMs: 15 });
  for (const s of Object.values(run.env.services)) {
    assert.strictEqual(fs.readFileSync(s.log, 'utf8').includes('kvscope node agent'), false, 'the agent loaded silently');
  }
  const r = load(run, 200);
  const count = (route) => r.routes[route].count;
  assert.ok(count('GET /ranking') > 0 && count('GET /orders/:id') > 0 && count('POST /login') > 0);

  const evals = slowEvals(run);
  assert.strictEqual(evals.length, count('GET /ranking'), 'one slow EVAL per GET /ranking');
  assert.ok(evals.every((ms) => ms >= 20), `every EVAL took 20 ms or more: ${evals}`);
  assert.strictEqual((await get(`${run.env.services.redisgw.url}/admin/stats`)).slowCommands, count('GET /ranking'));

  const sleeps = slowQueries(run, /SELECT SLEEP\(0\.03\)/);
  assert.strictEqual(sleeps.length, count('GET /orders/:id'), 'one SELECT SLEEP per GET /orders/:id');
  assert.ok(sleeps.every((ms) => ms >= 30), `every SLEEP took 30 ms or more: ${sleeps}`);
  assert.strictEqual((await get(`${run.env.services.mysqlgw.url}/admin/stats`)).slowQueries, count('GET /orders/:id'));

  const u = await get(`${run.env.services.user.url}/admin/stats`);
  assert.strictEqual(u.burns, count('POST /login'), 'one burn per POST /login');
  // At least 15 ms each: the spin ends on the clock. More when the machine preempts the spinning process right before
  // its end (on a loaded 2-core machine, tens of ms): what the service measured is the truth to compare with.
  assert.ok(u.burnWallMs >= 15 * u.burns, `${u.burns} burns took ${u.burnWallMs} ms`);
  assert.ok(u.burnCpuMs > 0 && u.burnCpuMs <= u.burnWallMs + 1, `CPU ${u.burnCpuMs} ms, wall-clock ${u.burnWallMs} ms`);
  // The problem routes are slower than they would be by at least their injected time.
  assert.ok(r.routes['GET /ranking'].p50_ms >= 20);
  assert.ok(r.routes['GET /orders/:id'].p50_ms >= 30);
  assert.ok(r.routes['POST /login'].p50_ms >= 15);
});
