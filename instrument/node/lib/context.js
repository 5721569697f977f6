'use strict';
// The request context: which server request's handler the code running now works for, so that the calls it makes
// (HTTP requests, Redis and MySQL commands, connections) name that request's span as their parent. Two ways, one
// chosen at load:
//
// - 'frame' (Node < 22 with build/node/nodejs_ctx.node, context.cc): the span lives in V8's continuation-preserved
//   embedder data, which V8 saves when a promise reaction is registered (`await`, `.then`) and restores while it
//   runs, so every `await` of a handler keeps it with no hook at all. Callbacks that are not promise reactions get it
//   from the agent at the few boundaries a request's work crosses: the events of the request and response objects
//   themselves ('request' on the server; 'data'/'end' of a body — a handler that reads its body runs from 'end',
//   which Node emits from process.nextTick; 'response' of a client request…), process.nextTick, setImmediate,
//   setTimeout and setInterval (mysql2's pool hands out a connection from nextTick, node-redis writes its batch from
//   setImmediate). Each boundary costs one flag test without a session; with one, two calls into the addon (~20-50 ns
//   each).
//   Not carried (the calls made there have parent 0, and the analysis counts them): callbacks of emitters the agent
//   does not know (an application's own net.Socket 'data', a library's own EventEmitter fired from a socket's read)
//   and queueMicrotask.
// - 'als' (the fallback, and Node >= 22): an AsyncLocalStorage entered at each server request (enterWith). On Node 20
//   it turns on async and promise hooks, which every promise pays for while a session wants parents, and V8
//   deoptimises and recompiles the promise paths when they are turned on: in the first 5 s of a session the six
//   services of examples/microservices spent +17.7 % CPU per request with it, +9.7 % with 'frame'; in steady state
//   both cost +3.4-3.8 % (bench/agent-overhead, side by side, 12 repetitions).
//
// Either way nothing is done without a session that wants an event carrying a parent (`wanted()`, read at each
// server request: a few loads).

const { AsyncLocalStorage } = require('async_hooks');
const { EventEmitter } = require('events');
const http = require('http');
const https = require('https');
const timers = require('timers');

const kCtx = Symbol('kvscope.context'); // the span whose work an object's events continue (requests, responses)

let mode = 'off';
let frame = null; // the addon: get(), set(value) → previous
let als = null;
let on = false;   // a session wants parents (updated at each server request)
let wanted = () => false;

/** Chooses the way (see the top of this file); `ctxAddon` is nodejs_ctx.node or null. */
function init(ctxAddon, wantedFn) {
  wanted = wantedFn;
  const major = Number(process.versions.node.split('.')[0]);
  if (ctxAddon !== null && major < 22 && typeof ctxAddon.get === 'function' && typeof ctxAddon.set === 'function') {
    frame = ctxAddon;
    mode = 'frame';
    carryAcrossCallbacks();
  } else {
    als = new AsyncLocalStorage();
    mode = 'als';
  }
  return mode;
}

/** A server request's handler starts: `span` is current in it (and in what it starts), `req`/`res` carry it. */
function enterRequest(span, req, res) {
  const was = on;
  on = wanted();
  if (mode === 'frame') {
    if (on) { req[kCtx] = span; res[kCtx] = span; }
  } else if (on) {
    als.enterWith(span);
  } else if (was) {
    als.disable();
  }
}

/** The span current where the caller runs, 0 if none (or no session wants parents). */
function current() {
  if (!on) return 0;
  const s = mode === 'frame' ? frame.get() : als.getStore();
  return typeof s === 'number' ? s : 0;
}

/** Makes the current span that of `obj`'s later events (an outgoing request's 'response', its response's 'end'). */
function bind(obj, span) {
  if (on && mode === 'frame' && span !== 0) obj[kCtx] = span;
}

/** `to`'s later events continue the same span as `from`'s (a client request's response). */
function inherit(to, from) {
  if (on && mode === 'frame') {
    const span = from[kCtx];
    if (span !== undefined) to[kCtx] = span;
  }
}

// ---- frame mode: the callback boundaries ----------------------------------------------------------------------

function carryAcrossCallbacks() {
  // The 'request' event of HTTP(S) servers (also 'checkContinue'/'checkExpectation': (req, res) too).
  wrapEmit(http.Server.prototype, (self, args) => {
    const ev = args[0];
    return ev === 'request' || ev === 'checkContinue' || ev === 'checkExpectation' ? ctxOf(args[1]) : undefined;
  });
  if (https.Server.prototype !== http.Server.prototype) {
    wrapEmit(https.Server.prototype, (self, args) => (args[0] === 'request' ? ctxOf(args[1]) : undefined));
  }
  // The events of requests and responses, both directions (IncomingMessage: a server's request, a client's response;
  // OutgoingMessage: a server's response, a client's request).
  wrapEmit(http.IncomingMessage.prototype, (self) => self[kCtx]);
  wrapEmit(http.OutgoingMessage.prototype, (self) => self[kCtx]);
  // Deferred callbacks: the span current when they were scheduled.
  process.nextTick = carrying(process.nextTick, process);
  for (const name of ['setImmediate', 'setTimeout', 'setInterval']) {
    const original = timers[name];
    const wrapped = carrying(original, undefined);
    timers[name] = wrapped;
    if (globalThis[name] === original) globalThis[name] = wrapped;
  }
}

function ctxOf(o) { return o !== null && typeof o === 'object' ? o[kCtx] : undefined; }

/**
 * An own `emit` on `proto` that runs the listeners with the span `ctxFor` names current. The one it shadows is
 * looked up at each call (a later wrapper of EventEmitter.prototype.emit by someone else still runs).
 */
function wrapEmit(proto, ctxFor) {
  const own = Object.prototype.hasOwnProperty.call(proto, 'emit') ? proto.emit : null;
  const up = Object.getPrototypeOf(proto);
  const emit = function emit(type) {
    const base = own !== null ? own : up.emit;
    if (!on) return base.apply(this, arguments);
    const span = ctxFor(this, arguments);
    if (span === undefined) return base.apply(this, arguments);
    const prev = frame.set(span);
    try {
      return base.apply(this, arguments);
    } finally {
      frame.set(prev);
    }
  };
  Object.defineProperty(emit, 'length', { value: (own || EventEmitter.prototype.emit).length });
  Object.defineProperty(proto, 'emit', { configurable: true, enumerable: false, writable: true, value: emit });
}

/**
 * A scheduling function (nextTick, setImmediate, …) whose callback runs with the span current when it was
 * scheduled. Keeps the original's name, length and own properties (util.promisify.custom of setTimeout).
 */
function carrying(original, self) {
  const wrapped = function (callback) {
    if (on && typeof callback === 'function') {
      const span = frame.get();
      if (span !== undefined) arguments[0] = runIn(span, callback);
    }
    return original.apply(self === undefined ? this : self, arguments);
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'prototype') continue;
    const d = Object.getOwnPropertyDescriptor(original, key);
    try { Object.defineProperty(wrapped, key, d); } catch { /* a non-configurable own property: keep ours */ }
  }
  return wrapped;
}

function runIn(span, fn) {
  return function () {
    const prev = frame.set(span);
    try {
      return fn.apply(this, arguments);
    } finally {
      frame.set(prev);
    }
  };
}

module.exports = { init, enterRequest, current, bind, inherit, kCtx, get mode() { return mode; } };
