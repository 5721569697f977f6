'use strict';
// http_client_request / http_client_response for fetch() and every other request made through undici (Node's
// bundled copy publishes the same diagnostics channels as the npm package): the request event when the request is
// created, in the caller's context; the connection's 4-tuple when undici sends the headers on it; the response
// event when the body has been received to its end (trailers) or the request failed.

const dc = require('diagnostics_channel');

const kFetch = Symbol('kvscope.fetchSpan');

function install(trace) {
  const { tp, E, newSpan, current, Tuple, urlPath, describeError, fault } = trace;

  dc.subscribe('undici:request:create', ({ request }) => {
    try {
      const rq = E.http_client_request[0] !== 0, rs = E.http_client_response[0] !== 0;
      if (!rq && !rs) return;
      const st = { span: newSpan(), parent: current(), status: 0, bytes: 0, tuple: null, done: false };
      request[kFetch] = st;
      if (rq) {
        tp.http_client_request(st.span, st.parent, -1, request.method, hostOf(request), urlPath(request.path),
          '', 0, '', 0);
      }
      if (rs) countBody(request, st);
    } catch (e) {
      fault('undici:request:create', e);
    }
  });

  dc.subscribe('undici:client:sendHeaders', ({ request, socket }) => {
    try {
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
