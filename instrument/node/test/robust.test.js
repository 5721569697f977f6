'use strict';
// The agent never breaks the application: without its addon the application runs and stderr has one line saying
// why; odd bytes on a Redis-looking connection (garbage, a reply split byte by byte, 100 replies in 7-byte pieces,
// a malformed command, RESP3 maps, pushes and attributes) change nothing the application sees and are counted,
// not thrown; a paused socket stays paused; an exception inside a hook is counted and reported, not thrown.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const h = require('./lib/harness');

test.after(h.cleanup);

const sum = (events, field) => events.reduce((s, e) => s + e.fields[field], 0);

test('without its addon the application runs unchanged and stderr has one line saying why', async () => {
  const missing = path.join(h.tmpDir('kvscope-no-addon-'), 'nodejs_tp.node');
  const app = await h.startApp('express-app.js', { KVSCOPE_NODE_ADDON: missing });
  const r = await h.request(app.ready.port, '/users/3');
  assert.strictEqual(r.status, 200);
  assert.deepStrictEqual(r.json, { id: '3', name: 'user-3' });
  await h.stopProcess(app);
  const lines = app.stderr.split('\n').filter(Boolean);
  assert.strictEqual(lines.length, 1, `stderr: ${app.stderr}`);
  assert.match(lines[0], new RegExp(`^kvscope node agent: not tracing kvscope-node-agent-tests \\(pid ${app.pid}\\): `
    + `cannot load ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(.*\\); build it with instrument/node/build.sh$`));
});

test('odd bytes on a Redis-looking connection: counted, never thrown, nothing changed', async () => {
  // The script runs from a directory without package.json: the service is named after the script's file.
  const dir = h.tmpDir('kvscope-odd-');
  const script = path.join(dir, 'odd-client.js');
  fs.copyFileSync(path.join(h.APPS, 'odd.js'), script);
  const session = await h.startSession('odd');
  const app = await h.startProcess(process.execPath, [script]);
  const exit = await new Promise((resolve) => app.child.on('exit', (code) => resolve(code)));
  const events = session.stop();
  assert.strictEqual(exit, 0, app.stderr);
  assert.strictEqual(app.stderr, '');
  const r = app.ready;
  assert.deepStrictEqual(r.paused, { flowing: null, buffered: 7 }, 'the paused socket stayed paused');
  assert.strictEqual(r.firstRead, '+PONG\r\n');
  assert.strictEqual(r.serverGot, r.clientSent, 'every byte the client wrote arrived');
  assert.strictEqual(r.clientGot, r.serverSent, 'every byte the server wrote arrived');

  const ev = h.of(events, app.pid);
  assert.ok(ev.every((e) => e.fields.service === 'odd-client'), 'service = the script\'s base name');
  const sends = ev.filter((e) => e.name === 'nodejs:redis_send');
  const replies = ev.filter((e) => e.name === 'nodejs:redis_reply');
  const unparsed = ev.filter((e) => e.name === 'nodejs:stream_unparsed');
  // PING, ECHO, 100 ECHO, PING (garbage answer), PING, PING, HELLO + 2 GET; the malformed "*x" is no command.
  assert.strictEqual(sum(sends, 'ncommands'), 1 + 1 + 100 + 1 + 1 + 1 + 3);
  const unparsedBytes = (direction) => sum(unparsed.filter((u) => u.fields.direction === direction), 'bytes');
  assert.strictEqual(sum(sends, 'bytes') + unparsedBytes('send'), r.clientSent,
    'every byte written is in a send event or reported unparsed, once');
  assert.deepStrictEqual(sends.filter((s) => s.fields.ncommands === 100).map((s) => s.fields.command), ['echo']);
  // Replies: all but the garbage; the RESP3 push is counted apart, the attribute is no reply, the error is one.
  assert.strictEqual(sum(replies, 'nreplies'), 1 + 1 + 100 + 1 + 1 + 3);
  assert.strictEqual(sum(replies, 'pushes'), 1);
  assert.strictEqual(sum(replies, 'errors'), 1);
  assert.strictEqual(sum(replies, 'bytes') + unparsedBytes('reply'), r.serverSent,
    'every byte read is in a reply event or reported unparsed, once');
  assert.deepStrictEqual(unparsed.map((u) => u.fields.bytes), [19, 4], 'the garbage reply, the malformed "*x\\r\\n"');
  const split = replies.filter((e) => e.fields.bytes === 1);
  assert.ok(split.length >= 11, `the byte-by-byte reply came in ${split.length} reads`);
  assert.deepStrictEqual(unparsed.map((u) => [u.fields.protocol, u.fields.direction]),
    [['resp', 'reply'], ['resp', 'send']], 'the garbage reply and the malformed command, each reported once');
  for (const u of unparsed) assert.ok(u.fields.reason.length > 0 && u.fields.src_port > 0);
  assert.deepStrictEqual(ev.filter((e) => e.name === 'nodejs:agent_error'), []);
});

test('an exception inside a hook is counted and reported, never thrown at the application', async () => {
  const session = await h.startSession('fault');
  const app = await h.startApp('express-app.js', { KVSCOPE_SERVICE: 'faulty' });
  const r1 = await h.request(app.ready.port, '/boom');
  const r2 = await h.request(app.ready.port, '/boom');
  const r3 = await h.request(app.ready.port, '/users/1');
  const events = session.stop();
  assert.deepStrictEqual([r1.status, r1.body, r2.status, r3.status], [200, 'still fine', 200, 200]);
  const ev = h.of(events, app.pid);
  const errors = ev.filter((e) => e.name === 'nodejs:agent_error');
  assert.deepStrictEqual(errors.map((e) => [e.fields.where, e.fields.message, e.fields.count]), [
    ['http server response end', 'route getter exploded', 1],
    ['http server response end', 'route getter exploded', 2],
  ]);
  // The request after them is traced as usual.
  assert.strictEqual(ev.filter((e) => e.name === 'nodejs:http_server_response').pop().fields.route, '/users/:id');
  await h.stopProcess(app);
  assert.strictEqual(app.stderr, '');
});

test('a session that starts while a Redis connection is busy: the agent finds its place, counts stay right', async () => {
  const redis = await h.startRedis();
  const app = await h.startApp('busy-redis.js', { REDIS_PORT: redis.port });
  await h.sleep(500); // pipelines and 100 KB replies in flight when the session starts
  const session = await h.startSession('midstream');
  await h.sleep(1500);
  const events = session.stop();
  await h.stopProcess(app);
  assert.match(app.stderr, /^rounds \d+\n$/, 'the client saw only right replies');
  const ev = h.of(events, app.pid);
  assert.deepStrictEqual(ev.filter((e) => e.name === 'nodejs:agent_error'), []);
  for (const u of ev.filter((e) => e.name === 'nodejs:stream_unparsed')) {
    assert.match(u.fields.reason, /tracing started mid-stream/, 'only the bytes before the agent found its place');
  }
  const sends = ev.filter((e) => e.name === 'nodejs:redis_send');
  const replies = ev.filter((e) => e.name === 'nodejs:redis_reply');
  assert.ok(sends.length > 10, `${sends.length} pipelines traced`);
  assert.ok(sends.every((s) => s.fields.ncommands === 20 && s.fields.command === 'get' && s.fields.src_port === app.ready.port));
  // The replies the agent counted answer the commands it counted, give or take the pipeline in flight when the
  // session started (its replies may be counted or not) and the one in flight when it stopped.
  const nCommands = sends.reduce((s, e) => s + e.fields.ncommands, 0);
  const nReplies = replies.reduce((s, e) => s + e.fields.nreplies, 0);
  assert.ok(nReplies <= nCommands + 20 && nReplies >= nCommands - 40, `${nReplies} replies for ${nCommands} commands`);
});
