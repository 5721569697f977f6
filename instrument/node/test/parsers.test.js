'use strict';
// The agent's protocol parsers on their own: whatever the chunking of a stream (every split point, one byte at a
// time), they count the same commands, replies, errors and pushes; bad bytes are refused with a reason and the
// offset where the bad element began, never thrown; state stays bounded.

const test = require('node:test');
const assert = require('node:assert');
const { CommandParser, ReplyParser, startsCommand, startsReply } = require('../lib/resp');
const { MysqlTracker, isGreeting, startsResponse, verb } = require('../lib/mysql');

const cmd = (...args) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

function commandsIn(chunks) {
  const p = new CommandParser();
  let count = 0;
  const names = [];
  for (const c of chunks) {
    assert.ok(p.feed(c, 0, c.length), p.error);
    count += p.count;
    if (p.count) names.push(p.first);
  }
  return { count, names, subscribed: p.subscribed };
}

function repliesIn(chunks, subscribed = false) {
  const p = new ReplyParser();
  const t = { replies: 0, errors: 0, pushes: 0 };
  for (const c of chunks) {
    assert.ok(p.feed(c, 0, c.length, subscribed), p.error);
    t.replies += p.replies; t.errors += p.errors; t.pushes += p.pushes;
  }
  return t;
}

/** The stream cut at one point, at two points, and one byte at a time. */
function splits(buf) {
  const out = [[buf], [...buf].map((b) => Buffer.from([b]))];
  for (let i = 1; i < buf.length; i++) out.push([buf.subarray(0, i), buf.subarray(i)]);
  for (let i = 1; i < buf.length; i += 3) {
    for (let j = i + 1; j < buf.length; j += 5) out.push([buf.subarray(0, i), buf.subarray(i, j), buf.subarray(j)]);
  }
  return out;
}

test('commands: counted and named the same whatever the chunking', () => {
  const stream = Buffer.from(cmd('SET', 'k', 'v'.repeat(300)) + cmd('get', 'k') + 'PING\r\n' + cmd('SUBSCRIBE', 'a', 'b')
    + '*-1\r\n*0\r\n' + cmd('MULTI') + cmd('é', 'ü'));
  for (const chunks of splits(stream)) {
    const r = commandsIn(chunks);
    assert.strictEqual(r.count, 6);
    assert.strictEqual(r.names[0], 'set');
    assert.strictEqual(r.subscribed, true);
  }
  const each = [cmd('SET', 'k', 'v'), cmd('get', 'k'), 'PING\r\n', cmd('SUBSCRIBE', 'a', 'b'), cmd('MULTI'), cmd('ÉTÉ', 'ü')]
    .map((c) => commandsIn([Buffer.from(c)]).names[0]);
  assert.deepStrictEqual(each, ['set', 'get', 'ping', 'subscribe', 'multi', 'ÉtÉ'], 'ASCII in lower case, UTF-8 kept');
});

test('commands: a pipeline of 100 in one chunk is 100 commands', () => {
  let s = '';
  for (let i = 0; i < 100; i++) s += cmd('SET', 'key' + i, String(i));
  const r = commandsIn([Buffer.from(s)]);
  assert.deepStrictEqual([r.count, r.names], [100, ['set']]);
});

test('commands: bad bytes are refused with the offset of the command they broke', () => {
  const p = new CommandParser();
  const good = cmd('PING');
  const buf = Buffer.from(good + '*2\r\n$3\r\nGET\r\nX');
  assert.strictEqual(p.feed(buf, 0, buf.length), false);
  assert.match(p.error, /bulk string/);
  assert.strictEqual(p.failedAt, good.length);
  assert.deepStrictEqual([p.count, p.first], [1, 'ping'], 'the broken GET is not counted');
  const broken = Buffer.from('*2\r\n$3\r\nGET\r\nX');
  const q = new CommandParser();
  assert.strictEqual(q.feed(broken, 0, broken.length), false);
  assert.deepStrictEqual([q.count, q.first, q.failedAt], [0, '', 0]);
  const long = Buffer.from('*' + '9'.repeat(40) + '\r\n');
  assert.strictEqual(new CommandParser().feed(long, 0, long.length), false);
  assert.ok(startsCommand(Buffer.from('*3\r\n'), 0, 4));
  assert.ok(!startsCommand(Buffer.from('GET / HTTP/1.1'), 0, 14));
});

test('replies: RESP2 and RESP3 counted the same whatever the chunking', () => {
  const stream = Buffer.from('+OK\r\n-ERR no\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n*2\r\n$1\r\na\r\n*1\r\n:1\r\n'
    + '%2\r\n+a\r\n:1\r\n+b\r\n_\r\n~1\r\n,1.5\r\n#t\r\n(12345678901234567890\r\n=8\r\ntxt:abcd\r\n!3\r\nbad\r\n'
    + '|1\r\n+key\r\n+val\r\n+OK\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
  for (const chunks of splits(stream)) {
    // 16 replies (the attribute is none; the subscribe confirmation push is one), 2 errors, 1 message push
    assert.deepStrictEqual(repliesIn(chunks), { replies: 16, errors: 2, pushes: 1 });
  }
});

test('replies: RESP2 pub/sub messages are pushes only on a subscribed connection', () => {
  const stream = Buffer.from('*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n'
    + '*4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n');
  for (const chunks of splits(stream)) {
    assert.deepStrictEqual(repliesIn(chunks, true), { replies: 1, errors: 0, pushes: 2 });
    assert.deepStrictEqual(repliesIn(chunks, false), { replies: 3, errors: 0, pushes: 0 });
  }
});

test('replies: garbage is refused at the reply it broke; a new reply is recognised', () => {
  const p = new ReplyParser();
  const buf = Buffer.from('+OK\r\n$5\r\nhelloXX');
  assert.strictEqual(p.feed(buf, 0, buf.length, false), false);
  assert.strictEqual(p.replies, 1);
  assert.strictEqual(p.failedAt, 5);
  const deep = Buffer.from('*1\r\n'.repeat(100));
  assert.strictEqual(new ReplyParser().feed(deep, 0, deep.length, false), false, 'nesting is bounded');
  assert.ok(startsReply(Buffer.from('$5\r\nhello\r\n'), 0, 11));
  assert.ok(startsReply(Buffer.from('-ERR unknown command\r\n'), 0, 22));
  assert.ok(!startsReply(Buffer.from('llo\r\n+OK\r\n'), 0, 10));
  assert.ok(!startsReply(Buffer.from([0, 255, 1]), 0, 3));
});

test('mysql: a COM_QUERY is named by its first keyword', () => {
  const q = (sql) => { const b = Buffer.from('\x03' + sql, 'latin1'); return verb(b, b.length); };
  assert.strictEqual(q('SELECT 1'), 'select');
  assert.strictEqual(q('  /* c */ -- x\n # y\n (select 1)'), 'select');
  assert.strictEqual(q('insert into t values (1)'), 'insert');
  assert.strictEqual(q('/* unterminated'), 'query');
  assert.strictEqual(q(''), 'query');
});

// A MySQL packet: 3-byte length, sequence, payload.
const mysqlPacket = (seq, payload) => {
  const p = Buffer.from(payload, 'latin1');
  return Buffer.concat([Buffer.from([p.length & 255, (p.length >> 8) & 255, p.length >> 16, seq]), p]);
};
// Server caps: PROTOCOL_41 | DEPRECATE_EOF (high word 0x0100); client asks for the same.
const GREETING = mysqlPacket(0, '\x0a5.5.5-10.11.19-MariaDB\x00\x01\x00\x00\x00abcdefgh\x00\x00\xa2\x21\x02\x00\x00\x01'
  + '\x15' + '\x00'.repeat(10) + 'ijklmnopqrst\x00mysql_native_password\x00');
const LOGIN = mysqlPacket(1, '\x00\xa2\x00\x01' + '\x00\x00\x00\x01\x21' + '\x00'.repeat(23) + 'shop\x00');
const mysqlOk = (seq) => mysqlPacket(seq, '\x00\x00\x00\x02\x00\x00\x00');

test('mysql: greeting, login, commands and responses followed from packets, whatever the chunking', () => {
  const packet = mysqlPacket, greeting = GREETING, login = LOGIN, ok = mysqlOk;
  assert.ok(isGreeting(greeting, 0, greeting.length));
  const query = packet(0, '\x03SELECT seq FROM seq_1_to_3');
  const result = Buffer.concat([packet(1, '\x01'), packet(2, '\x03def\x00\x00\x00\x03seq\x00\x0c?\x00\x00\x00\x00\x00'),
    packet(3, '\x011'), packet(4, '\x012'), packet(5, '\x013'), packet(6, '\xfe\x00\x00\x02\x00\x00\x00')]);
  const bad = packet(0, '\x03SELEKT');
  const err = packet(1, '\xff\x28\x04#42000You have an error');
  const server = Buffer.concat([greeting, ok(2), result, err]);
  for (const chunks of splits(server).slice(0, 400)) {
    const seen = [];
    const t = new MysqlTracker({
      onSend: (c, b) => seen.push(['send', c, b]), onReply: (o, r, b) => seen.push(['reply', o, r, b]),
      onUnparsed: (d, r) => seen.push(['unparsed', d, r]), onGiveUp: (r) => seen.push(['gave up', r]),
    });
    let at = 0;
    const feedServer = (upTo) => {
      for (const c of chunks) {
        const start = at, end = at + c.length;
        if (end <= upTo.from || start >= upTo.to) { at = end; continue; }
        t.read(c, Math.max(0, upTo.from - start), Math.min(c.length, upTo.to - start));
        at = end;
      }
      at = 0;
    };
    const g = greeting.length, o = g + ok(2).length, r = o + result.length;
    feedServer({ from: 0, to: g });
    t.write(login, 0, login.length);
    feedServer({ from: g, to: o });
    assert.ok(t.inCommandPhase);
    t.write(query, 0, query.length);
    feedServer({ from: o, to: r });
    t.write(bad, 0, bad.length);
    feedServer({ from: r, to: server.length });
    assert.deepStrictEqual(seen, [['send', 'select', query.length], ['reply', true, 3, result.length],
      ['send', 'selekt', bad.length], ['reply', false, 0, err.length]]);
  }
});

test('mysql: at attach, a response that starts after tracing did is followed; one begun before waits for a command', () => {
  const packet = mysqlPacket, greeting = GREETING, login = LOGIN, ok = mysqlOk;
  const rows = (n) => Array.from({ length: n }, (_, i) => packet(3 + i, '\x01' + String(i % 10)));
  const result = (n) => Buffer.concat([packet(1, '\x01'), packet(2, '\x03def\x00\x00\x00\x03seq\x00\x0c?\x00\x00\x00\x00\x00'),
    ...rows(n), packet(3 + n, '\xfe\x00\x00\x02\x00\x00\x00')]);
  const query = packet(0, '\x03SELECT seq FROM seq_1_to_3');
  assert.ok(startsResponse(result(3), 0, result(3).length));
  assert.ok(startsResponse(ok(1), 0, ok(1).length));
  assert.ok(startsResponse(packet(1, '\xff\x28\x04#42000You have an error'), 0, 30));
  assert.ok(!startsResponse(result(3), 5, result(3).length), 'a column definition');
  assert.ok(!startsResponse(ok(2), 0, 11), 'sequence 2');
  assert.ok(!startsResponse(Buffer.concat([packet(1, '\x01'), packet(3, '\x011')]), 0, 11), 'then sequence 3');

  const seen = [];
  const t = new MysqlTracker({
    onSend: (c, b) => seen.push(['send', c, b]), onReply: (o, r, b) => seen.push(['reply', o, r, b]),
    onUnparsed: (d, r, b) => seen.push(['unparsed', d, r, b]), onGiveUp: (r) => seen.push(['gave up', r]),
  });
  t.read(greeting, 0, greeting.length);
  t.write(login, 0, login.length);
  t.read(ok(2), 0, 11);
  // Tracing off while a query is sent; on before its response comes (in two chunks): the response is followed.
  t.lose();
  const r5 = result(5);
  t.read(r5, 0, 20);
  t.read(r5, 20, r5.length);
  assert.deepStrictEqual(seen, [['reply', true, 5, r5.length]]);
  t.write(query, 0, query.length);
  t.read(result(3), 0, result(3).length);
  assert.deepStrictEqual(seen.slice(1), [['send', 'select', query.length], ['reply', true, 3, result(3).length]]);
  // Off while the first bytes of a response came: the rest is not followed, the next command finds the place.
  seen.length = 0;
  t.lose();
  const r300 = result(300);
  t.read(r300, 30, r300.length);
  t.write(query, 0, query.length);
  t.read(result(3), 0, result(3).length);
  assert.deepStrictEqual(seen, [['unparsed', 'reply', 'the reply to a command sent before tracing started', r300.length - 30],
    ['send', 'select', query.length], ['reply', true, 3, result(3).length]]);
  // A response misread at attach (here: a chunk that only looks like one) is dropped, said, at the next command.
  seen.length = 0;
  t.lose();
  t.read(packet(1, '\x02'), 0, 5);
  t.write(query, 0, query.length);
  t.read(result(3), 0, result(3).length);
  assert.deepStrictEqual(seen, [['unparsed', 'reply', 'the reply to a command sent before tracing started did not end where read', 0],
    ['send', 'select', query.length], ['reply', true, 3, result(3).length]]);
});

test('mysql: a server that is not MySQL is let go; TLS is given up, not misread', () => {
  assert.ok(!isGreeting(Buffer.from('+PONG\r\n'), 0, 7));
  assert.ok(!isGreeting(Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), 0, 21));
});
