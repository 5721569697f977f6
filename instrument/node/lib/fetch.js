'use strict';
// http_client_request / http_client_response for fetch() and every other request made through undici (Node's
// bundled copy publishes the same diagnostics channels as the npm package): the request event when the request is
// created, in the caller's context; the connection's 4-tuple when undici sends the headers on it; the response
// event when the body has been received to its end (trailers) or the request failed.

const dc = require('diagnostics_channel');
const { performance } = require('perf_hooks');

const kFetch = Symbol('kvscope.fetchSpan');
// Kept with or without a session, for the snapshot: when a request was created (performance.now(), ms), and on each
// connection the request whose headers it sent last (undici sends one request at a time per connection unless it
// pipelines, which fetch's default does not).
const kStart = Symbol('kvscope.fetchStart');
const kCurrent = Symbol('kvscope.fetchCurrent');

function install(trace) {
  const { tp, E, newSpan, current, Tuple, urlPath, describeError, fault } = trace;

  dc.subscribe('undici:request:create', ({ request }) => {
    try {
      request[kStart] = performance.now();
      const rq = E.http_client_request[0] !== 0, rs = E.http_client_response[0] !== 0;
      // Only once the request's own event is on: a session's events are switched on one by one as it starts, and a
      // response whose request event was not yet on would name a span no event started (AttachedInFlightTest saw one
      // in a CI run). Such a request is one begun before the session: the snapshot adopts it.
      if (!rq) return;
      const st = { span: newSpan(), parent: current(), status: 0, bytes: 0, tuple: null, done: false };
      request[kFetch] = st;
      tp.http_client_request(st.span, st.parent, -1, request.method, hostOf(request), urlPath(request.path),
        '', 0, '', 0);
      if (rs) countBody(request, st);
    } catch (e) {
      fault('undici:request:create', e);
    }
  });

  dc.subscribe('undici:client:sendHeaders', ({ request, socket }) => {
    try {
      if (socket) socket[kCurrent] = request;
      const st = request[kFetch];
      if (st !== undefined && socket) st.tuple = Tuple.outgoing(socket);
    } catch (e) {
      fault('undici:client:sendHeaders', e);
    }
  });

  dc.subscribe('undici:request:headers', ({ request, response }) => {
    try {
      const st = request[kFetch];
      if (st !== undefined && response) st.status = response.statusCode | 0;
    } catch (e) {
      fault('undici:request:headers', e);
    }
  });

  dc.subscribe('undici:request:trailers', ({ request }) => {
    try {
      finish(request[kFetch], '');
    } catch (e) {
      fault('undici:request:trailers', e);
    }
  });

  dc.subscribe('undici:request:error', ({ request, error }) => {
    try {
      finish(request[kFetch], describeError(error));
    } catch (e) {
      fault('undici:request:error', e);
    }
  });

  function finish(st, error) {
    if (st === undefined || st.done) return;
    st.done = true;
    if (E.http_client_response[0] === 0) return;
    const t = st.tuple || Tuple.NONE;
    tp.http_client_response(st.span, st.parent, error ? 0 : st.status, st.bytes, t.srcAddr, t.srcPort, t.dstAddr,
      t.dstPort, error);
  }

  /**
   * The fetch/undici request in flight on an outgoing connection (snapshot.js), or null: { span, parent, start,
   * method, host, path }. One the session did not see created gets a span now (parent 0: no context was kept) and
   * its http_client_response from here on (its status is 0 when its headers came before the snapshot: only the end
   * is seen then).
   */
  function inFlight(socket) {
    const request = socket[kCurrent];
    if (request === undefined || request === null || request.completed || request.aborted) return null;
    let st = request[kFetch];
    if (st === undefined) {
      st = { span: newSpan(), parent: 0, status: 0, bytes: 0, tuple: Tuple.outgoing(socket), done: false };
      request[kFetch] = st;
      countBody(request, st);
    } else if (st.done) {
      return null;
    }
    return { span: st.span, parent: st.parent, start: request[kStart], method: request.method, host: hostOf(request),
      path: urlPath(request.path) };
  }

  return { inFlight };

  /** Body bytes as undici's parser hands them to this request (its onData), by an own property of the request. */
  function countBody(request, st) {
    const onData = request.onData;
    if (typeof onData !== 'function') return;
    Object.defineProperty(request, 'onData', {
      configurable: true, enumerable: false, writable: true,
      value: function onData_(chunk) {
        if (chunk && typeof chunk.length === 'number') st.bytes += chunk.length;
        return onData.apply(this, arguments);
      },
    });
  }
}

function hostOf(request) {
  if (typeof request.host === 'string' && request.host) return request.host;
  const o = typeof request.origin === 'string' ? request.origin : String(request.origin || '');
  const s = o.indexOf('//');
  return s < 0 ? o : o.slice(s + 2);
}

module.exports = { install };
