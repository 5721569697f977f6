'use strict';
// Streaming RESP parsers for the bytes of one Redis connection, one per direction: what the client wrote
// (commands: arrays of bulk strings, or inline commands) and what it read (replies, RESP2 and RESP3). They keep
// their place across chunks (a reply split over reads, a pipeline of 100 commands in one write), never copy a
// payload (bulk strings are skipped by their length), hold at most a few dozen bytes of state, and never throw on
// bad input: `feed` returns false and says why in `error`, and the caller resynchronises at a later chunk.

const CR = 13, LF = 10;
const NAME_MAX = 64;        // command names are cut here (EVENTS.md)
const LINE_MAX = 24;        // "*<count>" / "$<length>" header lines are short; a longer one is garbage
const DEPTH_MAX = 64;       // nested aggregates deeper than this are garbage
const KIND_MAX = 16;        // bytes of a push's first element kept to classify it ("message", "subscribe"…)

// ---- commands (client → server) ------------------------------------------------------------------------------

const C_START = 0, C_COUNT = 1, C_BULK_TYPE = 2, C_BULK_LEN = 3, C_PAYLOAD = 4, C_CR = 5, C_LF = 6, C_INLINE = 7;

class CommandParser {
  constructor() {
    this.nameBytes = Buffer.alloc(NAME_MAX);
    this.reset();
    this.subscribed = false; // a SUBSCRIBE-family command was sent: RESP2 replies may be pub/sub messages
  }

  reset() {
    this.state = C_START;
    this.num = 0;          // digits of the header line being read
    this.digits = 0;
    this.args = 0;         // bulk strings left in the current command
    this.left = 0;         // payload bytes left in the current bulk string
    this.nameLen = 0;      // bytes of the current command's name (lower case) in nameBytes, while it is read
    this.naming = false;
    this.error = '';
  }

  /**
   * Reads buf[start, end). Sets `count` (commands whose name completed in this chunk) and `first` (the first such
   * name, lower case). Returns false on bytes that are not RESP commands (`error` says why; the rest of the chunk
   * is not read).
   */
  feed(buf, start, end) {
    this.count = 0;
    this.first = '';
    let i = start;
    let mark = start; // where the last command of this chunk ended
    let markCount = 0;
    while (i < end) {
      const b = buf[i];
      switch (this.state) {
        case C_START:
          if (b === 42 /* * */) { this.state = C_COUNT; this.num = 0; this.digits = 0; i++; break; }
          if (b === CR || b === LF || b === 32) { i++; break; } // blank lines between inline commands
          this.state = C_INLINE; this.nameLen = 0; this.naming = true;
          break;
        case C_INLINE: // "PING\r\n": the name is the first word
          if (b === LF) { if (this.naming) this.commandNamed(); this.state = C_START; mark = i + 1; markCount = this.count; }
          else if (b === 32 || b === CR || b === 9) { if (this.naming) this.commandNamed(); }
          else if (this.naming && this.nameLen < NAME_MAX) this.nameBytes[this.nameLen++] = lower(b);
          i++;
          break;
        case C_COUNT: case C_BULK_LEN:
          if (b >= 48 && b <= 57) {
            if (++this.digits > LINE_MAX) return this.fail('a length line longer than ' + LINE_MAX + ' digits', mark, markCount);
            this.num = this.num * 10 + (b - 48);
          } else if (b === 45 /* - */ && this.digits === 0 && this.state === C_COUNT) {
            this.digits = -1000; // "*-1": a null array, no command
          } else if (b === CR) {
            // the LF follows
          } else if (b === LF) {
            if (this.digits === 0) return this.fail('an empty length', mark, markCount);
            if (this.state === C_COUNT) {
              if (this.digits < 0 || this.num === 0) { this.state = C_START; mark = i + 1; markCount = this.count; }
              else { this.args = this.num; this.state = C_BULK_TYPE; this.naming = true; this.nameLen = 0; }
            } else {
              this.left = this.num;
              this.state = this.left > 0 ? C_PAYLOAD : C_CR;
            }
          } else {
            return this.fail('byte ' + b + ' in a length', mark, markCount);
          }
          i++;
          break;
        case C_BULK_TYPE:
          if (b !== 36 /* $ */) return this.fail('byte ' + b + " where a bulk string ('$') was expected", mark, markCount);
          this.state = C_BULK_LEN; this.num = 0; this.digits = 0;
          i++;
          break;
        case C_PAYLOAD: {
          const n = Math.min(this.left, end - i);
          if (this.naming) {
            for (let k = 0; k < n && this.nameLen < NAME_MAX; k++) this.nameBytes[this.nameLen++] = lower(buf[i + k]);
          }
          this.left -= n;
          i += n;
          if (this.left === 0) this.state = C_CR;
          break;
        }
        case C_CR:
          if (b !== CR) return this.fail('a bulk string longer than its length', mark, markCount);
          this.state = C_LF;
          i++;
          break;
        case C_LF:
          if (b !== LF) return this.fail('a bulk string not ended by CRLF', mark, markCount);
          i++;
          if (this.naming) this.commandNamed();
          this.state = --this.args > 0 ? C_BULK_TYPE : C_START;
          if (this.state === C_START) { mark = i; markCount = this.count; }
          break;
      }
    }
    return true;
  }

  commandNamed() {
    this.naming = false;
    const name = this.nameBytes.toString('utf8', 0, this.nameLen);
    if (this.count === 0) this.first = name;
    this.count++;
    if (name === 'subscribe' || name === 'psubscribe' || name === 'ssubscribe') this.subscribed = true;
  }

  /**
   * Bytes from `at` on (the command the offending byte is in) are not commands; what came before was read, and
   * `count` keeps only the commands that ended before `at`.
   */
  fail(why, at, countBefore) {
    this.reset();
    this.error = why;
    this.failedAt = at;
    this.count = countBefore;
    if (countBefore === 0) this.first = '';
    return false;
  }
}

/** Whether a chunk written while the parser had lost its place starts a command ("*<digit>"). */
function startsCommand(buf, start, end) {
  return end - start >= 2 && buf[start] === 42 && buf[start + 1] >= 48 && buf[start + 1] <= 57;
}

// ---- replies (server → client) -------------------------------------------------------------------------------

const R_TYPE = 0, R_LINE = 1, R_PAYLOAD = 2, R_CR = 3, R_LF = 4;

// What a type byte starts: a line ("+OK"), a length then payload ("$5"), or an aggregate of n (or 2n) elements.
const LINE = 1, BULK = 2, AGG = 3, AGG2 = 4;
const TYPES = new Uint8Array(128);
for (const c of '+-:_,#(') TYPES[c.charCodeAt(0)] = LINE;
for (const c of '$!=') TYPES[c.charCodeAt(0)] = BULK;
for (const c of '*~>') TYPES[c.charCodeAt(0)] = AGG;
for (const c of '%|') TYPES[c.charCodeAt(0)] = AGG2;

const PUSH_REPLIES = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
const PUSH_MESSAGES = new Set(['message', 'pmessage', 'smessage']);

class ReplyParser {
  constructor() {
    this.stack = [];       // elements left in each open aggregate, outermost first
    this.reset();
  }

  reset() {
    this.state = R_TYPE;
    this.stack.length = 0;
    this.type = 0;         // type byte of the element being read
    this.top = 0;          // type byte of the top-level element being read
    this.num = 0; this.digits = 0; this.neg = false;
    this.left = 0;
    this.kind = '';        // first element of a top-level aggregate (to tell a pub/sub message from a reply)
    this.keepKind = false;
    this.error = '';
  }

  /**
   * Reads buf[start, end) with `subscribed` telling whether RESP2 arrays may be pub/sub messages. Sets `replies`,
   * `errors` and `pushes`: top-level elements completed in this chunk. Returns false on bytes that are not RESP.
   */
  feed(buf, start, end, subscribed) {
    this.replies = 0; this.errors = 0; this.pushes = 0;
    let i = start;
    let mark = start; // where the last top-level reply of this chunk ended
    while (i < end) {
      const b = buf[i];
      switch (this.state) {
        case R_TYPE: {
          const t = b < 128 ? TYPES[b] : 0;
          if (t === 0) return this.fail('byte ' + b + ' where a reply type was expected', mark);
          this.type = b;
          if (this.stack.length === 0) { this.top = b; this.kind = ''; this.keepKind = false; }
          this.num = 0; this.digits = 0; this.neg = false;
          this.state = R_LINE;
          i++;
          break;
        }
        case R_LINE: {
          const t = TYPES[this.type];
          if (t === LINE) { // skip to LF; simple strings in a top-level aggregate may name its kind (RESP3 pushes)
            if (b === LF) { i++; if (this.elementDone()) mark = i; break; }
            if (this.keepKind && b !== CR && this.kind.length < KIND_MAX) this.kind += String.fromCharCode(lower(b));
            i++;
            break;
          }
          if (b >= 48 && b <= 57) {
            if (++this.digits > LINE_MAX) return this.fail('a length line longer than ' + LINE_MAX + ' digits', mark);
            this.num = this.num * 10 + (b - 48);
          } else if (b === 45 && this.digits === 0 && !this.neg) {
            this.neg = true;
          } else if (b === CR) {
            // the LF follows
          } else if (b === LF) {
            if (this.digits === 0) return this.fail('an empty length', mark);
            i++;
            if (this.neg) { if (this.elementDone()) mark = i; break; } // null bulk string / array
            if (t === BULK) {
              this.left = this.num;
              this.state = this.left > 0 ? R_PAYLOAD : R_CR;
            } else {
              const n = t === AGG2 ? 2 * this.num : this.num;
              if (n === 0) { if (this.elementDone()) mark = i; break; }
              if (this.stack.length >= DEPTH_MAX) return this.fail('aggregates nested deeper than ' + DEPTH_MAX, mark);
              if (this.stack.length === 0) this.keepKind = this.type === 62 /* > */ || (this.type === 42 && subscribed);
              this.stack.push(n);
              this.state = R_TYPE;
            }
            break;
          } else {
            return this.fail('byte ' + b + ' in a length', mark);
          }
          i++;
          break;
        }
        case R_PAYLOAD: {
          const n = Math.min(this.left, end - i);
          if (this.keepKind) {
            for (let k = 0; k < n && this.kind.length < KIND_MAX; k++) this.kind += String.fromCharCode(lower(buf[i + k]));
          }
          this.left -= n;
          i += n;
          if (this.left === 0) this.state = R_CR;
          break;
        }
        case R_CR:
          if (b !== CR) return this.fail('a bulk string longer than its length', mark);
          this.state = R_LF;
          i++;
          break;
        case R_LF:
          if (b !== LF) return this.fail('a bulk string not ended by CRLF', mark);
          i++;
          if (this.elementDone()) mark = i;
          break;
      }
    }
    return true;
  }

  /** An element is complete: pop the aggregates it completes; count a top-level one (and return true). */
  elementDone() {
    this.state = R_TYPE;
    const stack = this.stack;
    // Only the first element of a top-level aggregate names its kind.
    if (stack.length === 1) this.keepKind = false;
    while (stack.length > 0) {
      const last = stack.length - 1;
      if (--stack[last] > 0) return false;
      stack.pop();
      if (stack.length === 1) this.keepKind = false;
    }
    this.topDone();
    return true;
  }

  topDone() {
    const top = this.top;
    if (top === 124 /* | */) return; // an attribute: the reply it describes follows
    if (top === 62 /* > */) {
      if (PUSH_REPLIES.has(this.kind)) this.replies++; else this.pushes++;
      return;
    }
    if (top === 42 && PUSH_MESSAGES.has(this.kind)) { this.pushes++; return; }
    this.replies++;
    if (top === 45 /* - */ || top === 33 /* ! */) this.errors++;
  }

  /** Bytes from `at` on (the reply the offending byte is in) are not replies; what came before was read. */
  fail(why, at) {
    this.reset();
    this.error = why;
    this.failedAt = at;
    return false;
  }
}

/**
 * Whether a chunk read while the parser had lost its place starts a reply: a type byte and a well-formed first line
 * (a length where one is due). A heuristic: Redis writes whole replies, so after a session starts the next read
 * almost always begins with one.
 */
function startsReply(buf, start, end) {
  if (end - start < 3) return false;
  const b = buf[start];
  const t = b < 128 ? TYPES[b] : 0;
  if (t === 0) return false;
  let i = start + 1;
  const limit = Math.min(end, start + (t === LINE ? 512 : 1 + LINE_MAX + 2));
  if (t !== LINE) {
    if (buf[i] === 45) i++;
    const d = i;
    while (i < limit && buf[i] >= 48 && buf[i] <= 57) i++;
    if (i === d) return false;
  } else {
    while (i < limit && buf[i] !== CR && buf[i] !== LF) i++;
  }
  return i + 1 < end && buf[i] === CR && buf[i + 1] === LF;
}

function lower(b) { return b >= 65 && b <= 90 ? b + 32 : b; }

module.exports = { CommandParser, ReplyParser, startsCommand, startsReply };
