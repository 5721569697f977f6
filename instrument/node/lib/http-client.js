'use strict';
// http_client_request / http_client_response for node:http (and https) requests. The request event fires when the
// application issues the request (http.request / http.get of node:http and node:https, wrapped at load: Node 20
// publishes 'http.client.request.start' only once the request has been written, sometimes after the server already
// answered), in the application's context, so its parent is the span current there; the connection is chosen
// later, so its 4-tuple is usually not known yet. A ClientRequest made another way (new http.ClientRequest) is
// seen at 'http.client.request.start' instead. The response event fires when the response body has been read to
// its end, or when the request fails or closes before that.

const dc = require('diagnostics_channel');
const { errorMonitor } = require('events');
const http = require('http');
const https = require('https');
const { performance } = require('perf_hooks');

const kClient = Symbol('kvscope.clientSpan');
// When the application issued a request (performance.now(), ms), kept with or without a session for the snapshot.
const kStart = Symbol('kvscope.clientStart');

function install(trace) {
  const { tp, E, newSpan, current, bind, inherit, Tuple, urlPath, describeError, fault, snapshotNow } = trace;

  /** A request the application just issued (or, for one made another way, that Node says it started). */
  function issued(request) {
    try {
      if (request === null || typeof request !== 'object' || request[kClient] !== undefined) return;
      if (request[kStart] === undefined) request[kStart] = performance.now();
      const parent = current();
      bind(request, parent); // its events ('response', …) continue the work of the span that issued it
      const rq = E.http_client_request[0] !== 0, rs = E.http_client_response[0] !== 0;
      // Only once the request's own event is on: a session's events are switched on one by one as it starts, and a
      // response whose request event was not yet on would name a span no event started (AttachedInFlightTest saw one
      // in a CI run). Such a request is one begun before the session: the snapshot adopts it.
      if (!rq) return;
      const st = { span: newSpan(), parent, status: 0, bytes: 0, tuple: null, error: '', done: false };
      request[kClient] = st;
      const socket = request.socket;
      const t = socket && !socket.connecting && socket.remotePort ? Tuple.outgoing(socket) : Tuple.NONE;
      tp.http_client_request(st.span, st.parent, t.fd, request.method, hostOf(request), urlPath(request.path),
        t.srcAddr, t.srcPort, t.dstAddr, t.dstPort);
      if (rs) {
        // errorMonitor sees 'error' without handling it: an error the application does not handle still throws.
        request.on(errorMonitor, onError);
        request.once('close', onClose);
      }
    } catch (e) {
      fault('http client request', e);
    }
  }

  // The entry points of node:http and node:https. http.get calls the module's own request, not the export: both
  // are wrapped. The wrappers keep the names and arities of what they wrap.
  for (const mod of [http, https]) {
    for (const name of ['request', 'get']) {
      const original = mod[name];
      const wrapped = function () {
        const request = original.apply(this, arguments);
        issued(request);
        return request;
      };
      Object.defineProperty(wrapped, 'name', { value: original.name });
      Object.defineProperty(wrapped, 'length', { value: original.length });
      mod[name] = wrapped;
    }
  }

  dc.subscribe('http.client.request.start', ({ request }) => issued(request));

  // Published when the response's headers arrived, before the application sees the response.
  dc.subscribe('http.client.response.finish', ({ request, response }) => {
    try {
      inherit(response, request); // its events ('data', 'end') continue the work of the span that issued the request
      let st = request[kClient];
      // A request issued before the session whose response comes before the first snapshot: take it now (it adopts
      // this request, whose response is not yet complete).
      if (st === undefined && E.snapshot_socket[0] !== 0 && request[kStart] !== undefined && snapshotNow()) {
        st = request[kClient];
        if (st !== undefined && request.res === response) return; // adopted with this response already
      }
      if (st === undefined) return;
      st.status = response.statusCode | 0;
      if (request.socket) st.tuple = Tuple.outgoing(request.socket);
      countBody(response, st);
      response.once('end', function onEnd() { finish(st, ''); });
    } catch (e) {
      fault('http.client.response.finish', e);
    }
  });

  function onError(err) {
    try {
      const st = this[kClient];
      if (st !== undefined && !st.error) st.error = describeError(err);
    } catch (e) {
      fault('http client error', e);
    }
  }

  function onClose() {
    try {
      const st = this[kClient];
      if (st === undefined || st.done) return;
      if (st.tuple === null && this.socket && this.socket.remotePort) st.tuple = Tuple.outgoing(this.socket);
      finish(st, st.error || (st.status ? 'closed before the response ended' : 'closed before a response'));
    } catch (e) {
      fault('http client close', e);
    }
  }

  function finish(st, error) {
    try {
      if (st.done) return;
      st.done = true;
      if (E.http_client_response[0] === 0) return;
      const t = st.tuple || Tuple.NONE;
      tp.http_client_response(st.span, st.parent, error ? 0 : st.status, st.bytes, t.srcAddr, t.srcPort, t.dstAddr,
        t.dstPort, error);
    } catch (e) {
      fault('http client response', e);
    }
  }

  /**
   * Body bytes as the HTTP parser hands them to the response stream (IncomingMessage.push), seen by an own,
   * non-enumerable `push` on this one response: no 'data' listener, so a paused response stays paused.
   */
  function countBody(response, st) {
    const push = response.push;
    Object.defineProperty(response, 'push', {
      configurable: true, enumerable: false, writable: true,
      value: function push_(chunk, encoding) {
        if (chunk !== null && chunk !== undefined && typeof chunk.length === 'number') st.bytes += chunk.length;
        return push.apply(this, arguments);
      },
    });
  }

  /**
   * The request in flight on an outgoing HTTP connection (snapshot.js), or null: { span, parent, start, method,
   * host, path }. One the session did not see issued gets a span now (its parent is not known: no context was kept
   * without a session) and its http_client_response from here on.
   */
  function inFlight(socket) {
    const request = socket._httpMessage; // the ClientRequest using this socket (node:_http_client), null when idle
    if (request === null || request === undefined || typeof request !== 'object' || request.destroyed) return null;
    const res = request.res;
    if (res && res.complete) return null;
    let st = request[kClient];
    if (st === undefined) {
      st = { span: newSpan(), parent: 0, status: 0, bytes: 0, tuple: Tuple.outgoing(socket), error: '', done: false };
      request[kClient] = st;
      request.on(errorMonitor, onError);
      request.once('close', onClose);
      if (res) {
        st.status = res.statusCode | 0;
        countBody(res, st);
        res.once('end', function onEnd() { finish(st, ''); });
      }
    } else if (st.done) {
      return null;
    }
    return { span: st.span, parent: st.parent, start: request[kStart], method: request.method, host: hostOf(request),
      path: urlPath(request.path) };
  }

  return { inFlight };
}

function hostOf(request) {
  try {
    const h = request.getHeader('host');
    if (typeof h === 'string') return h;
  } catch {
    // headers already sent: fall through
  }
  return typeof request.host === 'string' ? request.host : '';
}

module.exports = { install };
