'use strict';
// Follows the MySQL client/server protocol (MariaDB speaks it) on one connection, from the bytes each way: the
// server's greeting, the login, then each command the client sends and the end of the server's response to it.
// Only packet headers and the first bytes of each packet are looked at (a result set's rows are skipped by length),
// state is a few numbers and a FIFO of the commands awaiting a response. Never throws on bad input: the caller
// gets onUnparsed(direction, reason, bytes) and the tracker waits for the next command to find its place again.
// Reference: the MariaDB protocol documentation ("Client/Server Protocol": packets, handshake, text and binary
// result sets, OK/ERR/EOF packets, CLIENT_DEPRECATE_EOF).

const HEAD = 128;            // bytes kept from the start of each packet (enough for a greeting or a query's verb)
const MAX_PAYLOAD = 0xffffff;

const CLIENT_COMPRESS = 0x20;
const CLIENT_SSL = 0x800;
const CLIENT_DEPRECATE_EOF = 0x01000000;
const SERVER_MORE_RESULTS_EXISTS = 0x0008;

// How the server answers each command (the ones not listed answer with one OK or ERR packet).
const NONE = 0, SIMPLE = 1, RESULTSET = 2, ROWS = 3, PREPARE = 4, ANY = 5, AUTH = 6;
const COMMANDS = new Map([
  [0x00, ['sleep', SIMPLE]], [0x01, ['quit', NONE]], [0x02, ['init_db', SIMPLE]], [0x03, ['query', RESULTSET]],
  [0x04, ['field_list', ROWS]], [0x05, ['create_db', SIMPLE]], [0x06, ['drop_db', SIMPLE]],
  [0x07, ['refresh', SIMPLE]], [0x08, ['shutdown', SIMPLE]], [0x09, ['statistics', ANY]],
  [0x0a, ['process_info', RESULTSET]], [0x0c, ['process_kill', SIMPLE]], [0x0d, ['debug', SIMPLE]],
  [0x0e, ['ping', SIMPLE]], [0x11, ['change_user', AUTH]], [0x16, ['stmt_prepare', PREPARE]],
  [0x17, ['stmt_execute', RESULTSET]], [0x18, ['stmt_send_long_data', NONE]], [0x19, ['stmt_close', NONE]],
  [0x1a, ['stmt_reset', SIMPLE]], [0x1b, ['set_option', SIMPLE]], [0x1c, ['stmt_fetch', ROWS]],
  [0x1f, ['reset_connection', SIMPLE]], [0xfa, ['stmt_bulk_execute', RESULTSET]],
]);

const GREETING = 0, HANDSHAKE = 1, LOGIN = 2, COMMAND = 3, GAVE_UP = 4;
const FOUND = 0, LOST = 1, NEXT = 2;
// Stages of a response.
const FIRST = 0, COLUMNS = 1, COLUMNS_EOF = 2, RESULT_ROWS = 3, SKIP = 4;

/** Splits one direction's bytes into packets; calls onPacket(seq, length, head, headLength) once per packet. */
class Framer {
  constructor(onHead, onEnd) {
    this.onHead = onHead;     // (seq, length, head, headLength): the packet's first bytes are known
    this.onEnd = onEnd;       // (seq, length, head, headLength): the whole packet went by
    this.head = Buffer.alloc(HEAD);
    this.reset();
  }

  reset() {
    this.hdr = 0;             // header bytes read (0..4)
    this.len = 0; this.seq = 0;
    this.left = 0;            // payload bytes left
    this.got = 0;             // head bytes captured
    this.cont = false;        // this packet continues a previous one (a payload of 16 MiB - 1 came before)
    this.nextCont = false;
  }

  feed(buf, start, end) {
    let i = start;
    while (i < end) {
      if (this.hdr < 4) {
        const b = buf[i++];
        if (this.hdr < 3) this.len |= b << (8 * this.hdr); else this.seq = b;
        if (++this.hdr === 4) {
          this.left = this.len;
          this.got = 0;
          this.cont = this.nextCont;
          this.nextCont = this.len === MAX_PAYLOAD;
          if (this.left === 0) this.packetDone();
        }
        continue;
      }
      const n = Math.min(this.left, end - i);
      if (this.got < HEAD) {
        const k = Math.min(n, HEAD - this.got);
        buf.copy(this.head, this.got, i, i + k);
        this.got += k;
        if (this.got === HEAD || this.got === this.len) this.headDone();
      }
      this.left -= n;
      i += n;
      if (this.left === 0) this.packetDone();
    }
  }

  headDone() { if (!this.cont) this.onHead(this.seq, this.len, this.head, this.got); }

  packetDone() {
    if (this.len === 0) this.headDone();
    if (!this.cont) this.onEnd(this.seq, this.len, this.head, this.got);
    this.hdr = 0; this.len = 0;
  }
}

class MysqlTracker {
  /**
   * sink: onSend(command, bytes), onReply(ok, rows, bytes), onUnparsed(direction, reason, bytes),
   * onGiveUp(reason) (the connection switched to TLS or compression: nothing more can be read).
   */
  constructor(sink) {
    this.sink = sink;
    this.phase = GREETING;
    this.serverCaps = 0; this.clientCaps = 0;
    this.deprecateEof = false;
    this.pending = [];         // commands awaiting their response, oldest first
    this.writeLost = false;    // lost our place (tracing was off); found again at the next command packet
    this.readLost = FOUND;     // … and on the read side, right after that command (LOST → NEXT → FOUND)
    this.sent = new Framer((s, l, h, n) => this.clientHead(s, l, h, n), () => {});
    this.received = new Framer(() => {}, (s, l, h, n) => this.serverPacket(s, l, h, n));
  }

  /** Whether the login is over (the caller may then skip feeding while no session wants the events). */
  get inCommandPhase() { return this.phase === COMMAND; }
  get gaveUp() { return this.phase === GAVE_UP; }

  /** The caller skipped bytes (tracing was off): forget where we were. */
  lose() {
    if (this.phase !== COMMAND) return;
    this.writeLost = true;
    this.readLost = LOST;
    this.pending.length = 0;
  }

  write(buf, start, end) {
    if (this.phase === GAVE_UP) return;
    if (this.writeLost) {
      // A command starts a write: header (length ≥ 1, sequence 0), then the command byte.
      if (end - start < 5 || buf[start + 3] !== 0) {
        this.sink.onUnparsed('send', 'not at a packet boundary yet (tracing started mid-stream)', end - start);
        return;
      }
      this.writeLost = false;
      this.sent.reset();
      // The client sends a command once the previous response is whole (no pipelining): a response found at attach
      // (read) that has not ended by now was misread, and the read side starts over with this command's response.
      if (this.pending.length > 0) {
        this.sink.onUnparsed('reply', 'the reply to a command sent before tracing started did not end where read', 0);
        this.pending.length = 0;
      }
      this.readLost = NEXT;
    }
    this.sent.feed(buf, start, end);
  }

  read(buf, start, end) {
    if (this.phase === GAVE_UP) return;
    if (this.readLost === LOST) {
      // As on Redis connections: a chunk that starts a response is followed from there. The command it answers was
      // sent before tracing started, its kind unknown: read as a query's (OK, ERR or result sets), what mysql2 has in
      // flight at attach. Its reply then has no mysql_send before it on the connection (EVENTS.md).
      if (!startsResponse(buf, start, end)) {
        this.sink.onUnparsed('reply', 'the reply to a command sent before tracing started', end - start);
        return;
      }
      this.readLost = FOUND;
      this.received.reset();
      this.pending.push({ kind: RESULTSET, stage: FIRST, rows: 0, bytes: 0, left: 0 });
    }
    if (this.readLost === NEXT) { this.readLost = FOUND; this.received.reset(); }
    this.received.feed(buf, start, end);
  }

  // ---- client packets ----

  clientHead(seq, len, head, n) {
    switch (this.phase) {
      case HANDSHAKE: {
        if (n >= 4) this.clientCaps = head.readUInt32LE(0);
        if (this.clientCaps & CLIENT_SSL) return this.giveUp('the connection switched to TLS');
        if (this.clientCaps & this.serverCaps & CLIENT_COMPRESS) return this.giveUp('the connection is compressed');
        this.deprecateEof = (this.clientCaps & this.serverCaps & CLIENT_DEPRECATE_EOF) !== 0;
        this.phase = LOGIN;
        return;
      }
      case COMMAND: {
        if (seq !== 0 || n === 0) return; // LOCAL INFILE data, or the rest of a long command
        const spec = COMMANDS.get(head[0]);
        const name = head[0] === 0x03 ? verb(head, n) : spec ? spec[0] : 'command_' + head[0].toString(16);
        const kind = spec ? spec[1] : SIMPLE;
        if (kind !== NONE) this.pending.push({ kind, stage: FIRST, rows: 0, bytes: 0, left: 0 });
        this.sink.onSend(name, len + 4);
        return;
      }
      default:
        return; // login exchanges
    }
  }

  // ---- server packets ----

  serverPacket(seq, len, head, n) {
    switch (this.phase) {
      case GREETING:
        if (seq !== 0 || n < 1 || head[0] !== 10) {
          return this.giveUp('not a MySQL greeting');
        }
        this.serverCaps = greetingCaps(head, n);
        this.phase = HANDSHAKE;
        return;
      case HANDSHAKE:
        return; // the server does not speak before the client's handshake response
      case LOGIN:
        if (n > 0 && head[0] === 0x00) this.phase = COMMAND;
        return; // ERR ends the connection; 0xFE switches the auth method; 0x01 carries more auth data
      case COMMAND:
        return this.response(len, head, n);
    }
  }

  response(len, head, n) {
    const r = this.pending[0];
    if (r === undefined) {
      this.sink.onUnparsed('reply', 'a packet answering no command', len + 4);
      return;
    }
    r.bytes += len + 4;
    const first = n > 0 ? head[0] : -1;
    switch (r.kind) {
      case SIMPLE:
        return this.done(r, first !== 0xff);
      case ANY:
        return this.done(r, first !== 0xff);
      case AUTH:
        if (first === 0x00 || first === 0xff) this.done(r, first === 0x00);
        return;
      case PREPARE:
        if (r.stage === FIRST) {
          if (first !== 0x00 || n < 9) return this.done(r, false);
          const columns = head.readUInt16LE(5), params = head.readUInt16LE(7);
          r.left = params + columns + (this.deprecateEof ? 0 : (params > 0) + (columns > 0));
          if (r.left === 0) return this.done(r, true);
          r.stage = SKIP;
          return;
        }
        if (--r.left === 0) this.done(r, true);
        return;
      case ROWS:
        if (first === 0xff) return this.done(r, false);
        if (first === 0xfe && len < 9) return this.done(r, true);
        r.rows++;
        return;
      case RESULTSET:
        return this.resultSet(r, len, head, n, first);
    }
  }

  resultSet(r, len, head, n, first) {
    switch (r.stage) {
      case FIRST:
        if (first === 0xff) return this.done(r, false);
        if (first === 0x00 || (first === 0xfe && len < 9)) {
          if (okStatus(head, n, first === 0xfe && !this.deprecateEof) & SERVER_MORE_RESULTS_EXISTS) return;
          return this.done(r, true);
        }
        if (first === 0xfb) return; // LOCAL INFILE: the client sends the file, then the server says OK or ERR
        r.left = lenenc(head, 0, n);
        r.stage = r.left > 0 ? COLUMNS : RESULT_ROWS;
        return;
      case COLUMNS:
        if (--r.left === 0) r.stage = this.deprecateEof ? RESULT_ROWS : COLUMNS_EOF;
        return;
      case COLUMNS_EOF:
        r.stage = RESULT_ROWS;
        return;
      case RESULT_ROWS:
        if (first === 0xff) return this.done(r, false);
        if (first === 0xfe && len < MAX_PAYLOAD) {
          const status = okStatus(head, n, !this.deprecateEof);
          if (status & SERVER_MORE_RESULTS_EXISTS) { r.stage = FIRST; return; }
          return this.done(r, true);
        }
        r.rows++;
        return;
    }
  }

  done(r, ok) {
    this.pending.shift();
    this.sink.onReply(ok, r.rows, r.bytes);
  }

  giveUp(reason) {
    this.phase = GAVE_UP;
    this.pending.length = 0;
    this.sink.onGiveUp(reason);
  }
}

/** Capability flags of a protocol-10 greeting: version string, NUL, id(4), scramble(8), filler, caps low(2),
 * charset, status(2), caps high(2). */
function greetingCaps(head, n) {
  let i = 1;
  while (i < n && head[i] !== 0) i++;
  i += 1 + 4 + 8 + 1;
  if (i + 2 > n) return 0;
  let caps = head.readUInt16LE(i);
  if (i + 7 <= n) caps |= head.readUInt16LE(i + 5) << 16;
  return caps >>> 0;
}

/** Status flags of an OK packet (header, affected rows, last insert id, status) or of an EOF packet. */
function okStatus(head, n, eofPacket) {
  if (eofPacket) return n >= 5 ? head.readUInt16LE(3) : 0;
  let i = 1;
  i = skipLenenc(head, i, n);
  i = skipLenenc(head, i, n);
  return i + 2 <= n ? head.readUInt16LE(i) : 0;
}

function skipLenenc(head, i, n) {
  if (i >= n) return n;
  const b = head[i];
  return i + (b < 0xfb ? 1 : b === 0xfc ? 3 : b === 0xfd ? 4 : b === 0xfe ? 9 : 1);
}

function lenenc(head, i, n) {
  if (i >= n) return 0;
  const b = head[i];
  if (b < 0xfb) return b;
  if (b === 0xfc && i + 3 <= n) return head.readUInt16LE(i + 1);
  if (b === 0xfd && i + 4 <= n) return head.readUIntLE(i + 1, 3);
  if (b === 0xfe && i + 9 <= n) return Number(head.readBigUInt64LE(i + 1));
  return 0;
}

/** The first keyword of a COM_QUERY statement, lower case: comments, blanks and '(' skipped. */
function verb(head, n) {
  let i = 1;
  for (;;) {
    while (i < n && (head[i] === 32 || head[i] === 9 || head[i] === 10 || head[i] === 13 || head[i] === 40)) i++;
    if (i + 1 < n && head[i] === 47 && head[i + 1] === 42) { // /* … */
      i += 2;
      while (i + 1 < n && !(head[i] === 42 && head[i + 1] === 47)) i++;
      i += 2;
      continue;
    }
    if ((i + 1 < n && head[i] === 45 && head[i + 1] === 45) || (i < n && head[i] === 35)) { // -- …, # …
      while (i < n && head[i] !== 10) i++;
      continue;
    }
    break;
  }
  let word = '';
  while (i < n && word.length < 64) {
    let b = head[i];
    if (b >= 65 && b <= 90) b += 32;
    if (b < 97 || b > 122) break;
    word += String.fromCharCode(b);
    i++;
  }
  return word || 'query';
}

/**
 * Whether a chunk starts the response to a command: a packet with sequence 1 (the command was 0) whose first byte
 * is OK (0x00), ERR (0xff), LOCAL INFILE (0xfb) or a result set's column count (length-encoded, in a packet of just
 * that), and, when the chunk holds more, a next packet with sequence 2. A row in the middle of a result set has
 * sequence 1 only after 256 packets, and then rarely a length and first byte that fit.
 */
function startsResponse(buf, start, end) {
  if (end - start < 5 || buf[start + 3] !== 1) return false;
  const len = buf[start] | (buf[start + 1] << 8) | (buf[start + 2] << 16);
  const b = buf[start + 4];
  const fits = b === 0x00 ? len >= 7 : b === 0xff ? len >= 3 : b === 0xfb ? len >= 1
    : b === 0xfc ? len === 3 : b >= 1 && b < 0xfb && len === 1;
  if (!fits) return false;
  const next = start + 4 + len;
  return next + 4 > end || buf[next + 3] === 2;
}

/** Whether the first bytes a server sent look like a MySQL protocol-10 greeting (sequence 0, version 10). */
function isGreeting(buf, start, end) {
  if (end - start < 6) return false;
  const len = buf[start] | (buf[start + 1] << 8) | (buf[start + 2] << 16);
  return buf[start + 3] === 0 && buf[start + 4] === 10 && len >= 20 && len < 4096 && buf[start + 5] >= 48 && buf[start + 5] <= 57;
}

module.exports = { MysqlTracker, isGreeting, startsResponse, verb };
