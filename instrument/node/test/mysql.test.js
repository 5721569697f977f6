'use strict';
// MariaDB traffic recognised from the socket bytes (the server's MySQL-protocol greeting), with mysql2 against a
// real MariaDB of the test's own: each command's verb and span, the end of each response with its status and rows
// (text and binary result sets, errors, prepared statements, several result sets for one command), and the
// connections' 4-tuples as MariaDB itself lists them.

const test = require('node:test');
const assert = require('node:assert');
const { execFileSync } = require('child_process');
const h = require('./lib/harness');

test.after(h.cleanup);

test('mysql2 against MariaDB: commands, replies, rows, errors, 4-tuples', async () => {
  const db = await h.startMariadb();
  const session = await h.startSession('mysql');
  const app = await h.startApp('mysql-app.js', { DB_PORT: db.port });
  const ap = app.ready.port;

  const calls = [['/select?n=50', 50], ['/insert', 1], ['/bad', 'ER_PARSE_ERROR'], ['/execute', 5], ['/multi', 3],
    ['/sleep?ms=200', 'slept'], ['/comment', 7], ['/fresh', 8]];
  for (const [path, expected] of calls) {
    const r = await h.request(ap, path);
    assert.strictEqual(r.status, 200, `${path}: ${r.body}`);
    assert.deepStrictEqual(r.json.result, expected, path);
  }
  const hosts = execFileSync('mariadb', ['--no-defaults', `--socket=${db.socket}`, '-uroot', '-N', '-e',
    "SELECT HOST FROM information_schema.PROCESSLIST WHERE USER = 'shop'"], { encoding: 'utf8' }).trim().split('\n');
  await h.stopProcess(app);
  const events = session.stop();

  const ev = h.of(events, app.pid);
  const sends = ev.filter((e) => e.name === 'nodejs:mysql_send');
  const replies = ev.filter((e) => e.name === 'nodejs:mysql_reply');
  const receives = ev.filter((e) => e.name === 'nodejs:http_server_receive');

  // The connections are the ones MariaDB lists, and each was announced by net_connect.
  const ports = new Set([...sends, ...replies].map((e) => `${e.fields.src_addr}:${e.fields.src_port}`));
  assert.deepStrictEqual([...ports].sort(), hosts.sort(), 'the agent\'s connections = MariaDB\'s PROCESSLIST');
  for (const e of [...sends, ...replies]) assert.strictEqual(e.fields.dst_port, db.port);
  const connects = ev.filter((e) => e.name === 'nodejs:net_connect' && e.fields.dst_port === db.port);
  assert.deepStrictEqual(connects.map((e) => `${e.fields.src_addr}:${e.fields.src_port}`).sort(), [...ports].sort());

  // Each route's commands, by the span of its request, and the reply that ended each.
  // The k-th command that gets a response, on a connection, is answered by its k-th reply (no pipelining).
  const NO_REPLY = ['quit', 'stmt_close', 'stmt_send_long_data'];
  const pairs = new Map();
  for (const port of new Set(sends.map((s) => s.fields.src_port))) {
    const answered = sends.filter((s) => s.fields.src_port === port && !NO_REPLY.includes(s.fields.command));
    const theirs = replies.filter((r) => r.fields.src_port === port);
    assert.strictEqual(theirs.length, answered.length, `port ${port}: one reply per command`);
    answered.forEach((s, i) => pairs.set(s, theirs[i]));
  }
  const replyTo = (send) => pairs.get(send);
  const expect = {
    '/select': [['select', 1, 50]],
    '/insert': [['insert', 1, 0]],
    '/bad': [['selekt', 0, 0]],
    '/execute': [['stmt_prepare', 1, 0], ['stmt_execute', 1, 1]],
    '/multi': [['select', 1, 4]], // two result sets (1 row + 3 rows) and an OK, one command
    '/sleep': [['select', 1, 1]],
    '/comment': [['select', 1, 1]],
    '/fresh': [['select', 1, 1]], // sent from the login's reply handler: the span of the request that opened it
  };
  for (const [path, cmds] of Object.entries(expect)) {
    const span = receives.find((r) => r.fields.path === path).fields.span;
    const mine = sends.filter((s) => s.fields.span === span);
    assert.deepStrictEqual(mine.map((s) => {
      const r = replyTo(s);
      return [s.fields.command, r.fields.ok, r.fields.rows];
    }), cmds, path);
    for (const s of mine) {
      assert.ok(s.fields.bytes > 4);
      assert.ok(replyTo(s).ts > s.ts);
      assert.ok(replyTo(s).fields.bytes >= 11, 'at least an OK packet');
    }
    if (path === '/sleep') {
      const waited = (replyTo(mine[0]).ts - mine[0].ts) / 1e6;
      assert.ok(waited >= 200 && waited < 1000, `SELECT SLEEP(0.2) took ${waited} ms between send and reply`);
    }
  }
  assert.deepStrictEqual(events.filter((e) => e.name === 'nodejs:agent_error' || e.name === 'nodejs:stream_unparsed'), []);
});

test('a session that starts while a mysql2 query is in flight: its reply is followed, not left unparsed', async () => {
  const db = await h.startMariadb();
  const app = await h.startApp('mysql-app.js', { DB_PORT: db.port });
  const ap = app.ready.port;
  // SELECT SLEEP(1.5) sent before the session: its whole response comes after the session started (issue #21).
  const slow = h.request(ap, '/sleep?ms=1500');
  await h.sleep(500);
  const session = await h.startSession('mysql-attach');
  const r = await slow;
  assert.strictEqual(r.status, 200, r.body);
  const after = await h.request(ap, '/select?n=50'); // the pool's one connection, after the slow query
  assert.deepStrictEqual(after.json.result, 50);
  await h.stopProcess(app);
  const ev = h.of(session.stop(), app.pid);

  assert.deepStrictEqual(ev.filter((e) => e.name === 'nodejs:agent_error' || e.name === 'nodejs:stream_unparsed'), []);
  const mysql = ev.filter((e) => e.name === 'nodejs:mysql_send' || e.name === 'nodejs:mysql_reply');
  const port = mysql.find((e) => e.fields.command === 'select').fields.src_port;
  const mine = mysql.filter((e) => e.fields.src_port === port)
    .map((e) => e.name === 'nodejs:mysql_send' ? ['send', e.fields.command] : ['reply', e.fields.ok, e.fields.rows]);
  // The reply to the query sent before the session (1 row: SLEEP's 0), then the next query with its reply, then the
  // pool's end.
  assert.deepStrictEqual(mine, [['reply', 1, 1], ['send', 'select'], ['reply', 1, 50], ['send', 'quit']]);
});
