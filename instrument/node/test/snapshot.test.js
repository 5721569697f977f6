'use strict';
// The snapshot (EVENTS.md): two services started and given work BEFORE the session — HTTP requests held in flight
// through both, idle keep-alive connections, two Redis connections, one blocked in BLPOP. When the session starts,
// each process must write every socket it has open, exactly as `ss` shows that process's TCP connections, each with
// its kind, and every request in flight with its span, method, path and a start before the session; those requests'
// ends then come with the same span ids.

const test = require('node:test');
const assert = require('node:assert');
const http = require('http');
const { execFileSync } = require('child_process');
const h = require('./lib/harness');

test.after(h.cleanup);

/** The established TCP connections of a process, as `ss` sees them: "local->peer". */
function ssTuples(pid) {
  const out = execFileSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  const set = new Set();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const cols = line.trim().split(/\s+/);
    set.add(`${cols[2]}->${cols[3]}`.replace(/::ffff:/g, ''));
  }
  return set;
}

/** A snapshot_socket's tuple, from this process's point of view ("local->peer", as ssTuples). */
function local(f) {
  const src = `${f.src_addr}:${f.src_port}`, dst = `${f.dst_addr}:${f.dst_port}`;
  return f.inbound ? `${dst}->${src}` : `${src}->${dst}`;
}

test('a session started late names every socket and every request in flight', async () => {
  const HELD = 3, IDLE = 2;
  const redis = await h.startRedis();
  const down = await h.startApp('attach-app.js', { ROLE: 'down' });
  const front = await h.startApp('attach-app.js', { ROLE: 'front', DOWN_PORT: down.ready.port, REDIS_PORT: redis.port,
    KVSCOPE_SNAPSHOT_PERIOD_MS: '1000' });
  const fp = front.ready.port;

  // Before the session: idle keep-alive connections, then requests held in flight through both services.
  const idle = new http.Agent({ keepAlive: true });
  const agent = new http.Agent({ keepAlive: true });
  await Promise.all(Array.from({ length: IDLE }, () => get(idle, fp, '/get')));
  const sentAt = process.hrtime.bigint();
  const chains = Array.from({ length: HELD }, () => get(agent, fp, '/chain'));
  chains.push(get(agent, fp, '/fetch-chain'));
  const IN = HELD + 1; // requests in flight through both services: HELD by node:http, one by fetch
  for (let i = 0; i < 100 && ssTuples(down.pid).size < IN; i++) await h.sleep(20);
  await h.sleep(100);
  const truth = { front: ssTuples(front.pid), down: ssTuples(down.pid) };
  assert.strictEqual(truth.down.size, IN, 'the down service holds the chained requests');
  assert.strictEqual(truth.front.size, IDLE + IN + IN + 2, 'front: clients, its calls, two Redis connections');

  const sessionAt = process.hrtime.bigint();
  const session = await h.startSession('snapshot');
  // The first snapshot (at the timer's next tick: within 1 s) and a periodic one (a tick after it), while the
  // requests are still held; 3.5 s leaves a tick of margin for the session to reach the process under load.
  await h.sleep(3500);
  assert.deepStrictEqual(ssTuples(front.pid), truth.front, 'nothing connected or closed meanwhile');
  await h.request(down.ready.port, '/release');
  const answers = await Promise.all(chains);
  for (const a of answers) assert.deepStrictEqual(JSON.parse(a), { status: 200 });
  await get(agent, fp, '/unblock');
  agent.destroy();
  idle.destroy();
  await h.sleep(200);
  await h.stopProcess(front);
  await h.stopProcess(down);
  const events = session.stop();

  for (const [name, proc] of [['front', front], ['down', down]]) {
    const ev = h.of(events, proc.pid);
    const starts = ev.filter((e) => e.name === 'nodejs:snapshot_start');
    assert.ok(starts.length >= 1, `${name}: a snapshot`);
    assert.strictEqual(starts[0].fields.seq, 1);
    assert.strictEqual(starts[0].fields.periodic, 0, `${name}: the first snapshot is the session's start`);
    const first = ev.filter((e) => e.name.startsWith('nodejs:snapshot_') && e.fields.seq === 1);
    const socks = first.filter((e) => e.name === 'nodejs:snapshot_socket');
    assert.deepStrictEqual(new Set(socks.map((e) => local(e.fields))), truth[name], `${name}: the sockets ss shows`);
    assert.strictEqual(socks.length, truth[name].size, `${name}: each socket once`);
    const end = first.find((e) => e.name === 'nodejs:snapshot_end');
    assert.strictEqual(end.fields.sockets, socks.length);
    assert.strictEqual(starts[0].fields.unregistered, 0);
    if (name === 'front') {
      assert.ok(starts.some((e) => e.fields.periodic === 1), 'front: a periodic snapshot (KVSCOPE_SNAPSHOT_PERIOD_MS)');
    }
  }

  // Kinds and requests, front: IDLE + HELD inbound http_server, HELD http_client to down, 2 redis.
  const ev = h.of(events, front.pid);
  const socks = ev.filter((e) => e.name === 'nodejs:snapshot_socket' && e.fields.seq === 1);
  const kinds = {};
  for (const s of socks) kinds[s.fields.kind] = (kinds[s.fields.kind] || 0) + 1;
  assert.deepStrictEqual(kinds, { http_server: IDLE + IN, http_client: IN, redis: 2 });
  for (const s of socks.filter((e) => e.fields.kind === 'redis')) {
    assert.strictEqual(s.fields.dst_port, redis.port);
    assert.strictEqual(s.fields.followed, 0, 'opened before the session: its commands in flight are not known');
  }
  const reqs = ev.filter((e) => e.name === 'nodejs:snapshot_request' && e.fields.seq === 1);
  const servers = reqs.filter((e) => e.fields.kind === 'server'), clients = reqs.filter((e) => e.fields.kind === 'client');
  assert.strictEqual(servers.length, IN, 'front: the held incoming requests');
  assert.strictEqual(clients.length, IN, 'front: their calls to down (node:http and fetch)');
  assert.deepStrictEqual(servers.map((r) => `${r.fields.method} ${r.fields.path}`).sort(),
    [...Array(HELD).fill('GET /chain'), 'GET /fetch-chain'].sort());
  for (const r of clients) {
    assert.deepStrictEqual([r.fields.method, r.fields.path, r.fields.dst_port], ['GET', '/hold', down.ready.port]);
  }
  // Started after the test sent them and before the session started: start_ts and this process's hrtime are both
  // CLOCK_MONOTONIC.
  for (const r of reqs) {
    const startTs = BigInt(r.fields.start_ts);
    assert.ok(startTs >= sentAt && startTs <= sessionAt, `${r.fields.kind} start ${startTs} in [${sentAt}, ${sessionAt}]`);
  }
  // The periodic snapshot names the same requests, still in flight, by the same spans.
  const again = ev.filter((e) => e.name === 'nodejs:snapshot_request' && e.fields.seq === 2);
  assert.deepStrictEqual(again.map((e) => e.fields.span).sort(), reqs.map((e) => e.fields.span).sort());
  const ends = ev.filter((e) => e.name === 'nodejs:http_server_response');
  for (const r of servers) {
    assert.strictEqual(ends.filter((e) => e.fields.span === r.fields.span).length, 1,
      `front: the held request (span ${r.fields.span}) ends with its span`);
  }
  const cends = ev.filter((e) => e.name === 'nodejs:http_client_response');
  for (const r of clients) {
    const e = cends.filter((x) => x.fields.span === r.fields.span);
    assert.strictEqual(e.length, 1, `front: the held call (span ${r.fields.span}) ends with its span`);
    assert.strictEqual(e[0].fields.status, 200);
  }

  const dv = h.of(events, down.pid);
  const dreqs = dv.filter((e) => e.name === 'nodejs:snapshot_request' && e.fields.seq === 1);
  assert.strictEqual(dreqs.length, IN);
  const dends = dv.filter((e) => e.name === 'nodejs:http_server_response');
  for (const r of dreqs) {
    assert.deepStrictEqual([r.fields.kind, r.fields.path], ['server', '/hold']);
    assert.strictEqual(dends.filter((e) => e.fields.span === r.fields.span && e.fields.status === 200).length, 1);
  }
});

function get(agent, port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let d = '';
      res.on('data', (c) => { d += c; });
      res.on('end', () => resolve(d));
    }).on('error', reject);
  });
}
