'use strict';
// What every hook shares: the addon's emitters and per-event enabled flags, the span ids and the request context
// (context.js), the TCP 4-tuple of a socket, and the count of the agent's own failures.

const context = require('./context');
const { threadId } = require('worker_threads');

let tp = null;    // the addon: one emitter per event (EVENTS.md argument order, without service and pid)
let E = null;     // E.<event>[0] !== 0 while a session enables the event (aliases LTTng-UST's tracepoint state)

/** `ctxAddon`: nodejs_ctx.node, or null (then the context is an AsyncLocalStorage: context.js). */
function init(addon, ctxAddon) {
  tp = addon;
  E = addon.enabled;
  return context.init(ctxAddon, contextWanted);
}

// ---- spans and context ----------------------------------------------------------------------------------------

// Unique within the process: worker threads load the agent too, each with its own counter, so the thread id
// fills the high bits (2^40 spans per thread, and ids stay below 2^53: exact as JavaScript numbers).
const spanBase = threadId * 2 ** 40;
let spanCount = 0;
function newSpan() { return spanBase + ++spanCount; }

// The request context (context.js): which server request's span is current where a hook runs.
function contextWanted() {
  return E.http_client_request[0] !== 0 || E.http_client_response[0] !== 0 || E.net_connect[0] !== 0 ||
    E.redis_send[0] !== 0 || E.mysql_send[0] !== 0;
}

// ---- sockets --------------------------------------------------------------------------------------------------

/** Node reports IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; EVENTS.md writes them as a.b.c.d. */
function addr(a) {
  if (typeof a !== 'string') return '';
  return a.startsWith('::ffff:') && a.indexOf('.') > 0 ? a.slice(7) : a;
}

function fdOf(socket) {
  const h = socket && socket._handle;
  const fd = h ? h.fd : undefined;
  return typeof fd === 'number' ? fd : -1;
}

/** A connection's ends, as EVENTS.md orders them: src = the side that connected, dst = the side that accepted. */
class Tuple {
  constructor(srcAddr, srcPort, dstAddr, dstPort, fd) {
    this.srcAddr = srcAddr; this.srcPort = srcPort; this.dstAddr = dstAddr; this.dstPort = dstPort; this.fd = fd;
  }

  /** For a socket this process opened. */
  static outgoing(socket) {
    return new Tuple(addr(socket.localAddress), socket.localPort | 0, addr(socket.remoteAddress),
      socket.remotePort | 0, fdOf(socket));
  }

  /** For a socket this process accepted. */
  static incoming(socket) {
    return new Tuple(addr(socket.remoteAddress), socket.remotePort | 0, addr(socket.localAddress),
      socket.localPort | 0, fdOf(socket));
  }
}
Tuple.NONE = new Tuple('', 0, '', 0, -1);

// ---- HTTP helpers ---------------------------------------------------------------------------------------------

/** A URL's path without its query string (EVENTS.md: paths carry no query). */
function urlPath(url) {
  if (typeof url !== 'string') return '';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Why a request failed, for http_client_response.error: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:80". */
function describeError(err) {
  if (!err) return 'error';
  const code = typeof err.code === 'string' ? err.code
    : err.cause && typeof err.cause.code === 'string' ? err.cause.code : '';
  return (code ? code + ': ' : '') + (typeof err.message === 'string' ? err.message : String(err));
}

// ---- the agent's own failures ---------------------------------------------------------------------------------

let failures = 0;

/** An exception inside the agent: counted, reported as an agent_error event when a session wants it, swallowed. */
function fault(where, e) {
  failures++;
  try {
    if (E !== null && E.agent_error[0] !== 0) {
      const message = e && typeof e.message === 'string' ? e.message : String(e);
      tp.agent_error(where, message, failures);
    }
  } catch {
    // nothing more can be done without risking the application
  }
}

function failureCount() { return failures; }

// ---- the snapshot (snapshot.js) --------------------------------------------------------------------------------

// Set by snapshot.js: writes the session's first snapshot now if the session enabled it and the timer has not
// written it yet. Called by a hook about to lose a request that began before the session (its end would otherwise
// come with no event: the request was never adopted), so nothing in flight at attach falls between the session's
// start and the timer's next tick.
let snapshotIfDue = () => false;
function setSnapshotIfDue(fn) { snapshotIfDue = fn; }
function snapshotNow() { return snapshotIfDue(); }

module.exports = {
  init, get tp() { return tp; }, get E() { return E; }, newSpan, enterRequest: context.enterRequest,
  current: context.current, bind: context.bind, inherit: context.inherit, Tuple, urlPath, describeError, fault,
  failureCount, setSnapshotIfDue, snapshotNow,
};
