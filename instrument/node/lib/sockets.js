'use strict';
// Outgoing TCP connections: net_connect when one is established, and for those that turn out to speak RESP
// (Redis) or the MySQL protocol (MariaDB) the commands sent and the replies received, recognised from the bytes
// themselves, whatever client library wrote them.
//
// How the bytes are seen without changing what the socket does:
// - writes: net.Socket.prototype.write is wrapped once, at load. (An own `write` on the socket would not do: Node's
//   Socket.prototype.connect replaces any own `write` that differs from the prototype's, and net.connect publishes
//   'net.client.socket' before it calls connect.) The wrapper runs in the caller's context, so a command is
//   attributed to the span that wrote it, and before the bytes reach the kernel. Writes made while the socket is
//   corked (node-redis corks around each batch of commands) are gathered and emitted when it is uncorked, as one
//   event per span: what leaves together.
// - reads: an own, non-enumerable `push` on each outgoing socket sees each chunk Node read, before the client's
//   'data' listener and whatever mode the stream is in. No 'data' listener is added (it would switch a paused
//   stream to flowing mode).
// A connection is classified by its first bytes: a first write "*<digit>" is RESP; a first read that is a MySQL
// protocol-10 greeting is MySQL; anything else (HTTP, …) is let go: its socket loses the `push` and the write
// wrapper returns at once for it. The parsers only run while a session enables their events; after a gap they find
// their place again at the next chunk that starts a command (or a reply) and say so with stream_unparsed.

const dc = require('diagnostics_channel');
const net = require('net');
const { CommandParser, ReplyParser, startsCommand, startsReply } = require('./resp');
const { MysqlTracker, isGreeting } = require('./mysql');
const registry = require('./registry');

const kWatch = Symbol('kvscope.socket');
const kKind = Symbol('kvscope.socketKind'); // what a let-go socket turned out to be, for the snapshot

const UNKNOWN = 0, REDIS = 1, MYSQL = 2;

function install(trace) {
  const { tp, E, current, Tuple, fault } = trace;

  class Watch {
    constructor(socket) {
      this.socket = socket;
      this.kind = UNKNOWN;
      this.tuple = null;
      this.tupleEarly = false;
      // RESP
      this.commands = null; this.replies = null;
      this.sendLost = false; this.replyLost = false;
      this.batch = null;     // corked writes waiting for uncork: { span, command, count, bytes }
      // MySQL
      this.mysql = null;
      // A write made while a reply is being handled (reading > 0: the client's 'data' listener runs inside our
      // push) runs in the socket's async context, not the request's: mysql2 sends a prepared statement's EXECUTE
      // from the PREPARE reply's handler. Such a write continues the work of the last command sent (lastSpan).
      this.reading = 0;
      // Before any command, the span of the code that opened the connection: a pool that opens one for a waiting
      // query sends that query from the login's reply handler (mysql2), for the request that made the pool open it.
      this.lastSpan = current();
      // For the snapshot's in-flight Redis commands: counted only while the agent followed the connection both ways
      // from its first byte (a session was on when it opened); `followed` is false once either side was lost.
      this.followed = true;
      this.sent = 0; this.answered = 0;
    }

    span() {
      if (this.reading > 0) return this.lastSpan;
      this.lastSpan = current();
      return this.lastSpan;
    }

    /** The connection's 4-tuple, read once it is connected (a unix socket's stays empty). */
    t() {
      if (this.tuple === null || this.tupleEarly) {
        this.tuple = Tuple.outgoing(this.socket);
        this.tupleEarly = this.socket.connecting === true;
      }
      return this.tuple;
    }

    letGo(firstWrite) {
      const was = this.kind;
      this.kind = -1;
      const s = this.socket;
      s[kWatch] = undefined;
      s[kKind] = was === MYSQL ? 'mysql'
        : firstWrite !== undefined && startsHttpRequest(firstWrite) ? 'http_client' : 'other';
      if (Object.prototype.hasOwnProperty.call(s, 'push')) delete s.push;
    }

    unparsed(protocol, direction, reason, bytes) {
      if (E.stream_unparsed[0] === 0) return;
      const t = this.t();
      tp.stream_unparsed(t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, protocol, direction, reason, bytes);
    }

    // ---- writes ----

    written(chunk, encoding) {
      if (this.kind === UNKNOWN) {
        if (!firstWriteIsResp(chunk)) { this.letGo(chunk); return; }
        this.kind = REDIS;
        this.commands = new CommandParser();
        this.replies = new ReplyParser();
      }
      if (this.kind === REDIS) {
        if (E.redis_send[0] === 0 && E.redis_reply[0] === 0) { this.lose(); return; }
        const buf = bytes(chunk, encoding);
        if (buf !== null && buf.length > 0) this.redisWrite(buf);
      } else if (this.kind === MYSQL) {
        const m = this.mysql;
        if (m.inCommandPhase && E.mysql_send[0] === 0 && E.mysql_reply[0] === 0) { m.lose(); return; }
        const buf = bytes(chunk, encoding);
        if (buf !== null && buf.length > 0) m.write(buf, 0, buf.length);
        if (m.gaveUp) this.letGo();
      }
    }

    lose() { this.sendLost = true; this.replyLost = true; this.followed = false; }

    redisWrite(buf) {
      const len = buf.length;
      if (this.sendLost) {
        if (!startsCommand(buf, 0, len)) {
          this.unparsed('resp', 'send', 'not at a command boundary yet (tracing started mid-stream)', len);
          return;
        }
        this.sendLost = false;
        this.commands.reset();
      }
      const p = this.commands;
      const ok = p.feed(buf, 0, len);
      const good = ok ? len : p.failedAt; // bytes read as commands; the rest is reported unparsed
      this.sent += p.count;
      if (E.redis_send[0] !== 0 && good > 0) {
        const span = this.span();
        if (this.socket.writableCorked > 0) {
          const b = this.batch;
          if (b !== null && b.span === span) {
            if (b.count === 0) b.command = p.first;
            b.count += p.count;
            b.bytes += good;
          } else {
            if (b !== null) this.flush();
            this.batch = { span, command: p.first, count: p.count, bytes: good };
          }
        } else {
          if (this.batch !== null) this.flush();
          const t = this.t();
          tp.redis_send(span, t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, p.first, p.count, good);
        }
      }
      if (!ok) {
        this.unparsed('resp', 'send', p.error, len - good);
        this.sendLost = true;
        this.followed = false;
      }
    }

    flush() {
      const b = this.batch;
      this.batch = null;
      if (b === null || E.redis_send[0] === 0) return;
      const t = this.t();
      tp.redis_send(b.span, t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, b.command, b.count, b.bytes);
    }

    // ---- reads ----

    received(chunk) {
      const buf = bytes(chunk, undefined);
      if (buf === null || buf.length === 0) return;
      if (this.kind === UNKNOWN) {
        if (!isGreeting(buf, 0, buf.length)) { this.letGo(); return; }
        this.kind = MYSQL;
        this.mysql = new MysqlTracker(this);
      }
      if (this.kind === REDIS) this.redisRead(buf);
      else if (this.kind === MYSQL) this.mysqlRead(buf);
    }

    redisRead(buf) {
      if (E.redis_send[0] === 0 && E.redis_reply[0] === 0) { this.lose(); return; }
      const len = buf.length;
      if (this.replyLost) {
        if (!startsReply(buf, 0, len)) {
          this.unparsed('resp', 'reply', 'not at a reply boundary yet (tracing started mid-stream)', len);
          return;
        }
        this.replyLost = false;
        this.replies.reset();
      }
      const p = this.replies;
      const ok = p.feed(buf, 0, len, this.commands.subscribed);
      const good = ok ? len : p.failedAt; // bytes read as replies; the rest is reported unparsed
      this.answered += p.replies;
      if (E.redis_reply[0] !== 0 && good > 0) {
        const t = this.t();
        tp.redis_reply(t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, p.replies, p.errors, p.pushes, good);
      }
      if (!ok) {
        this.unparsed('resp', 'reply', p.error, len - good);
        this.replyLost = true;
        this.followed = false;
      }
    }

    mysqlRead(buf) {
      const m = this.mysql;
      if (m.inCommandPhase && E.mysql_send[0] === 0 && E.mysql_reply[0] === 0) { m.lose(); return; }
      m.read(buf, 0, buf.length);
      if (m.gaveUp) this.letGo();
    }

    // ---- MysqlTracker's sink ----

    onSend(command, bytes) {
      if (E.mysql_send[0] === 0) return;
      const t = this.t();
      tp.mysql_send(this.span(), t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, command, bytes);
    }

    onReply(ok, rows, bytes) {
      if (E.mysql_reply[0] === 0) return;
      const t = this.t();
      tp.mysql_reply(t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort, ok ? 1 : 0, rows, bytes);
    }

    onUnparsed(direction, reason, bytes) { this.unparsed('mysql', direction, reason, bytes); }

    onGiveUp(reason) { this.unparsed('mysql', 'reply', reason + ': not followed further', 0); }
  }

  dc.subscribe('net.client.socket', ({ socket }) => {
    try {
      const w = new Watch(socket);
      socket[kWatch] = w;
      Object.defineProperty(socket, 'push', { configurable: true, enumerable: false, writable: true, value: push });
      // net_connect's span: the one current where net.connect was called (the 'connect' callback runs later, in no
      // request's context unless the context is an AsyncLocalStorage).
      const span = w.lastSpan;
      socket.once('connect', function onConnect_() { onConnect(this, span); });
      registry.add(socket, false);
    } catch (e) {
      fault('net.client.socket', e);
    }
  });

  function onConnect(socket, span) {
    try {
      if (E.net_connect[0] === 0 || !socket.remotePort) return; // not TCP (a unix socket): no 4-tuple
      const t = Tuple.outgoing(socket);
      tp.net_connect(span, t.fd, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort);
    } catch (e) {
      fault('net connect', e);
    }
  }

  // The own `push` of watched sockets (see the top of this file). In flowing mode the client's 'data' listener runs
  // inside this call: `reading` tells the write wrapper that a write comes from a reply handler.
  function push(chunk, encoding) {
    const w = this[kWatch];
    if (w === undefined) return Object.getPrototypeOf(this).push.apply(this, arguments);
    if (chunk !== null && chunk !== undefined) {
      try {
        w.received(chunk);
      } catch (e) {
        fault('socket read', e);
      }
    }
    w.reading++;
    try {
      return Object.getPrototypeOf(this).push.apply(this, arguments);
    } finally {
      w.reading--;
    }
  }

  // The wrappers keep the names and arities of what they wrap (nothing the application can inspect changes).
  const proto = net.Socket.prototype;
  const write = proto.write, uncork = proto.uncork;
  proto.write = function write_(chunk, encoding, callback) {
    const w = this[kWatch];
    if (w !== undefined) {
      try {
        w.written(chunk, encoding);
      } catch (e) {
        fault('socket write', e);
      }
    }
    return write.apply(this, arguments);
  };
  proto.uncork = function uncork_() {
    const w = this[kWatch];
    if (w !== undefined && w.batch !== null && this.writableCorked === 1) {
      try {
        w.flush();
      } catch (e) {
        fault('socket uncork', e);
      }
    }
    return uncork.apply(this, arguments);
  };
  Object.defineProperty(proto.write, 'name', { value: write.name });
  Object.defineProperty(proto.uncork, 'name', { value: uncork.name });

  return {
    /**
     * What an outgoing socket is, for the snapshot: { kind: 'redis' | 'mysql' | 'http_client' | 'other', followed,
     * pending } — pending: Redis commands sent and not yet answered, known only when followed (see Watch).
     */
    describe(socket) {
      const w = socket[kWatch];
      if (w === undefined) return { kind: socket[kKind] || 'other', followed: false, pending: 0 };
      if (w.kind === REDIS) {
        const followed = w.followed && !w.sendLost && !w.replyLost;
        return { kind: 'redis', followed, pending: followed ? Math.max(0, w.sent - w.answered) : 0 };
      }
      if (w.kind === MYSQL) return { kind: 'mysql', followed: false, pending: 0 };
      // Nothing written nor read yet: an HTTP client socket still connecting says so by the request it carries.
      return { kind: socket._httpMessage ? 'http_client' : 'other', followed: false, pending: 0 };
    },
  };
}

/** A first write that is an HTTP/1 request line: a method token (upper-case letters) then a space. */
function startsHttpRequest(chunk) {
  const n = Math.min(typeof chunk === 'string' ? chunk.length : chunk && chunk.length | 0, 8);
  let i = 0;
  for (; i < n; i++) {
    const c = typeof chunk === 'string' ? chunk.charCodeAt(i) : chunk[i];
    if (c === 32) return i >= 3;
    if (c < 65 || c > 90) return false;
  }
  return false;
}

/** A socket's first write starts a RESP command: "*" then a digit (string or bytes). */
function firstWriteIsResp(chunk) {
  if (typeof chunk === 'string') {
    const d = chunk.charCodeAt(1);
    return chunk.charCodeAt(0) === 42 && d >= 48 && d <= 57;
  }
  return chunk instanceof Uint8Array && startsCommand(chunk, 0, chunk.length);
}

/** The bytes a write call hands over. */
function bytes(chunk, encoding) {
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8');
  }
  if (Buffer.isBuffer(chunk)) return chunk;
  return chunk instanceof Uint8Array ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : null;
}

module.exports = { install };
