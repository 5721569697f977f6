'use strict';
// Redis traffic recognised from the socket bytes, with ioredis (6.x, then 5.x) and node-redis against the
// instrumented Redis, all recorded by one LTTng session. Checked against Redis's own events of the same run: each
// connection's 4-tuple is the peer Redis accepted, the commands the agent counted on it are the commands Redis
// processed on it, a pipeline's depth is its ncommands, pub/sub messages are counted apart from replies.

const test = require('node:test');
const assert = require('node:assert');
const h = require('./lib/harness');

test.after(h.cleanup);

const sum = (events, field) => events.reduce((s, e) => s + e.fields[field], 0);

for (const ioredis of ['ioredis', 'ioredis5']) {
  test(`${ioredis} and node-redis: 4-tuples, commands, pipelines, replies, pushes`, async () => {
    const session = await h.startSession('redis');
    const redis = await h.startRedis();
    const app = await h.startApp('redis-app.js', { REDIS_PORT: redis.port, IOREDIS: ioredis });
    const ap = app.ready.port;

    const calls = [['/set-get', 'v'], ['/get', 'v'], ['/pipeline?n=100', 100], ['/multi?n=10', 10],
      ['/nr-get', 'v'], ['/error', /unknown command/], ['/big', 1 << 20], ['/publish?n=5', 5]];
    for (const [path, expected] of calls) {
      const r = await h.request(ap, path);
      assert.strictEqual(r.status, 200, `${path}: ${r.body}`);
      if (expected instanceof RegExp) assert.match(r.json.result, expected);
      else assert.deepStrictEqual(r.json.result, expected, path);
    }
    let got;
    for (let i = 0; i < 50; i++) {
      got = (await h.request(ap, '/received')).json.result;
      if (got.io === 5 && got.nr === 5) break;
      await h.sleep(50);
    }
    assert.deepStrictEqual(got, { io: 5, nr: 5 }, 'both subscribers received the 5 messages');
    const errorReplies = Number((await h.redisCommand(redis.port, 'INFO stats')).match(/total_error_replies:(\d+)/)[1]);
    await h.stopProcess(app); // the clients say QUIT / close: every reply is in
    const events = session.stop();

    const ev = h.of(events, app.pid);
    const rv = h.of(events, redis.pid);
    const accepts = rv.filter((e) => e.name === 'redis:accept_client');
    const sends = ev.filter((e) => e.name === 'nodejs:redis_send');
    const replies = ev.filter((e) => e.name === 'nodejs:redis_reply');
    const key = (f) => `${f.src_addr}:${f.src_port}`;

    // ---- connections: one per client, each a peer Redis accepted ----
    const conns = new Map();
    for (const e of [...sends, ...replies]) {
      if (!conns.has(key(e.fields))) conns.set(key(e.fields), { sends: [], replies: [] });
      conns.get(key(e.fields))[e.name === 'nodejs:redis_send' ? 'sends' : 'replies'].push(e);
    }
    assert.strictEqual(conns.size, 4, 'ioredis, its subscriber, node-redis, its subscriber');
    const connects = ev.filter((e) => e.name === 'nodejs:net_connect');
    for (const [k, c] of conns) {
      const f = c.sends[0].fields;
      assert.strictEqual(f.dst_port, redis.port);
      const a = accepts.filter((x) => `${x.fields.peer_addr}:${x.fields.peer_port}` === k);
      assert.strictEqual(a.length, 1, `${k}: Redis accepted exactly this peer`);
      assert.strictEqual(a[0].fields.local_port, f.dst_port);
      assert.strictEqual(connects.filter((x) => key(x.fields) === k && x.fields.dst_port === redis.port).length, 1,
        `${k}: one net_connect`);
      for (const e of [...c.sends, ...c.replies]) assert.strictEqual(e.fields.fd, f.fd, 'one fd per connection');
      // Every command the agent saw is one Redis processed on that connection, and none is missing.
      const processed = rv.filter((x) => x.name === 'redis:end_process_command' && x.fields.id === a[0].fields.id);
      assert.strictEqual(sum(c.sends, 'ncommands'), processed.length, `${k}: commands sent = commands Redis processed`);
      c.pushes = sum(c.replies, 'pushes');
    }
    const ioConn = conns.get(`127.0.0.1:${app.ready.clients.io}`);
    const ioSubConn = conns.get(`127.0.0.1:${app.ready.clients.ioSub}`);
    assert.ok(ioConn && ioSubConn);

    // ---- spans: each command carries the server span of the request that sent it ----
    const receives = ev.filter((e) => e.name === 'nodejs:http_server_receive');
    const spanOf = (path) => receives.find((r) => r.fields.path === path).fields.span;
    const sendsOf = (path) => sends.filter((s) => s.fields.span === spanOf(path));
    assert.deepStrictEqual(sendsOf('/set-get').map((s) => [s.fields.command, s.fields.ncommands]), [['set', 1], ['get', 1]]);
    assert.deepStrictEqual(sendsOf('/nr-get').map((s) => [s.fields.command, s.fields.ncommands]), [['get', 1]]);

    // ---- a pipeline of 100: one write, ncommands 100, answered by 100 replies ----
    const pipe = sendsOf('/pipeline');
    assert.deepStrictEqual(pipe.map((s) => [s.fields.command, s.fields.ncommands]), [['set', 100]]);
    let resp = 0;
    for (let i = 0; i < 100; i++) resp += `*3\r\n$3\r\nSET\r\n$${('p' + i).length}\r\np${i}\r\n$${String(i).length}\r\n${i}\r\n`.length;
    assert.strictEqual(pipe[0].fields.bytes, resp, 'bytes = the RESP the pipeline wrote');
    const pipeDone = receives.find((r) => r.fields.path === '/multi').ts;
    const pipeReplies = ioConn.replies.filter((r) => r.ts > pipe[0].ts && r.ts < pipeDone);
    assert.strictEqual(sum(pipeReplies, 'nreplies'), 100);

    // ---- node-redis MULTI of 10: corked writes leave as one batch: MULTI, 10 INCR, EXEC ----
    assert.deepStrictEqual(sendsOf('/multi').map((s) => [s.fields.command, s.fields.ncommands]), [['multi', 12]]);

    // ---- an error reply is counted as one ----
    const err = sendsOf('/error');
    assert.deepStrictEqual(err.map((s) => s.fields.command), ['nosuchcommand']);
    const errReply = ioConn.replies.find((r) => r.ts > err[0].ts);
    assert.deepStrictEqual([errReply.fields.nreplies, errReply.fields.errors], [1, 1]);
    // Every error reply Redis sent (its own count: INFO's total_error_replies; ioredis's CLIENT SETINFO is one on
    // Redis 7.0) is counted once.
    assert.strictEqual(sum(replies, 'errors'), errorReplies);

    // ---- a 1 MiB reply arrives in several reads; only the last completes it ----
    const bigSend = sendsOf('/big')[0];
    const nextSend = ioConn.sends.find((s) => s.ts > bigSend.ts);
    const bigReads = ioConn.replies.filter((r) => r.ts > bigSend.ts && r.ts < nextSend.ts);
    assert.ok(bigReads.length > 1, `the 1 MiB reply came in ${bigReads.length} reads`);
    assert.deepStrictEqual(bigReads.map((r) => r.fields.nreplies), [...Array(bigReads.length - 1).fill(0), 1]);
    assert.strictEqual(sum(bigReads, 'bytes'), (1 << 20) + `$${1 << 20}\r\n\r\n`.length);

    // ---- replies answer commands one for one, except the subscribers' confirmations and messages ----
    for (const [k, c] of conns) {
      if (c === ioSubConn || c.pushes > 0) continue;
      assert.strictEqual(sum(c.replies, 'nreplies'), sum(c.sends, 'ncommands'), `${k}: one reply per command`);
      assert.strictEqual(c.pushes, 0);
    }
    const subs = [...conns.values()].filter((c) => c.pushes > 0);
    assert.strictEqual(subs.length, 2, 'two subscriber connections received pushes');
    for (const c of subs) assert.strictEqual(c.pushes, 5, 'each subscriber: 5 messages, counted as pushes');
    // ioredis subscribed to two channels with one SUBSCRIBE: Redis confirmed each channel (2 replies, 1 command).
    const subscribe = ioSubConn.sends.find((s) => s.fields.command === 'subscribe');
    assert.ok(subscribe);
    assert.strictEqual(sum(ioSubConn.replies, 'nreplies'), sum(ioSubConn.sends, 'ncommands') + 1);

    assert.deepStrictEqual(events.filter((e) => e.name === 'nodejs:agent_error' || e.name === 'nodejs:stream_unparsed'), []);
  });
}
