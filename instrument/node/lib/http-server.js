'use strict';
// http_server_receive / http_server_response: every request an http (or https) server of the process handles,
// from Node's diagnostics channels ('http.server.request.start') and the response's end, whatever framework sits on
// top. The request's span becomes the current span
// of its handler (context.js), so the calls it makes name it as their parent.

const dc = require('diagnostics_channel');
const http = require('http');
const { performance } = require('perf_hooks');

const kServer = Symbol('kvscope.serverSpan');
// Every response's span and start (performance.now(), ms on CLOCK_MONOTONIC), kept with or without a session so
// that a snapshot can name a request already in flight when a session starts (two stores and ~57 ns a request).
const kSpan = Symbol('kvscope.serverSpanId');
const kStart = Symbol('kvscope.serverStart');

function install(trace) {
  const { tp, E, newSpan, enterRequest, Tuple, urlPath, fault, snapshotNow } = trace;

  dc.subscribe('http.server.request.start', ({ request, response, socket }) => {
    try {
      // The first request after a session started: the snapshot first (this request is then the session's own).
      if (E.snapshot_socket[0] !== 0) snapshotNow();
      const receive = E.http_server_receive[0] !== 0, respond = E.http_server_response[0] !== 0;
      const span = newSpan();
      response[kSpan] = span;
      response[kStart] = performance.now();
      enterRequest(span, request, response); // also when neither event is on: a call the handler makes may be
      if (receive) {
        const t = Tuple.incoming(socket);
        tp.http_server_receive(span, t.fd, request.method, urlPath(request.url), t.srcAddr, t.srcPort, t.dstAddr,
          t.dstPort);
      }
      // The response only with its receive: the events are switched on one by one as a session starts; a request
      // that came before its receive event was on is one begun before the session (the snapshot adopts it).
      if (respond && receive) {
        response[kServer] = { span, bytes: 0, done: false };
        response.once('close', onClose);
      }
    } catch (e) {
      fault('http.server.request.start', e);
    }
  });

  // A response that finished without going through OutgoingMessage.prototype.end (not seen so far) is still reported.
  dc.subscribe('http.server.response.finish', ({ request, response }) => {
    try {
      const st = response[kServer];
      if (st === undefined || st.done) return;
      st.done = true;
      tp.http_server_response(st.span, response.statusCode, st.bytes, routeOf(request), 0);
    } catch (e) {
      fault('http.server.response.finish', e);
    }
  });

  /** The response closed: aborted if it had not finished (the client went away, or the socket was destroyed). */
  function onClose() {
    try {
      const st = this[kServer];
      if (st === undefined || st.done) return;
      st.done = true;
      tp.http_server_response(st.span, this.statusCode, st.bytes, routeOf(this.req), this.writableFinished ? 0 : 1);
    } catch (e) {
      fault('http server response close', e);
    }
  }

  // Body bytes: counted where the application hands them over (OutgoingMessage.write/end), only for responses that
  // carry a span. Wrapping the prototype (not each response) keeps later wrappers by others in front of ours.
  const proto = http.OutgoingMessage.prototype;
  const write = proto.write, end = proto.end;
  proto.write = function write_(chunk, encoding, callback) {
    const st = this[kServer];
    if (st !== undefined && !this.writableEnded) count(st, this, chunk, encoding);
    return write.apply(this, arguments);
  };
  // The response event is emitted here, when the application ends the response and before its last bytes are
  // written: 'finish' comes only once they were handed to the kernel, by which time the client may have read them
  // all — the server's span would then end after the client's.
  proto.end = function end_(chunk, encoding, callback) {
    let st = this[kServer];
    // A response of a request begun before the session, ending before the first snapshot adopted it: take the
    // snapshot now (it adopts this response). Without a session: one load more, only on responses without a span.
    if (st === undefined && this[kSpan] !== undefined && E.snapshot_socket[0] !== 0 && !this.writableEnded) {
      try {
        if (snapshotNow()) st = this[kServer];
      } catch (e) {
        fault('http server response end (snapshot)', e);
      }
    }
    if (st !== undefined && !this.writableEnded) {
      if (typeof chunk !== 'function') count(st, this, chunk, encoding);
      respond(st, this);
    }
    return end.apply(this, arguments);
  };

  function respond(st, res) {
    try {
      if (st.done) return;
      st.done = true;
      tp.http_server_response(st.span, res.statusCode, st.bytes, routeOf(res.req), 0);
    } catch (e) {
      fault('http server response end', e);
    }
  }
  Object.defineProperty(proto.write, 'name', { value: write.name });
  Object.defineProperty(proto.end, 'name', { value: end.name });

  /**
   * The request in flight on an accepted HTTP connection (snapshot.js), or null: { span, start (performance.now()
   * ms), method, path }. A request this returns gets its http_server_response from here on, as if the session had
   * been on when it arrived (its body bytes are counted from now: the ones written before are not known).
   */
  function inFlight(socket) {
    const res = socket._httpMessage; // Node's current response on this connection (node:_http_server)
    if (res === null || res === undefined || typeof res !== 'object' || res.writableEnded || res[kSpan] === undefined) {
      return null;
    }
    const req = res.req;
    if (res[kServer] === undefined && E.http_server_response[0] !== 0) {
      res[kServer] = { span: res[kSpan], bytes: 0, done: false };
      res.once('close', onClose);
    }
    // Express rewrites req.url while a router handles the request; originalUrl (Express's) keeps what was received.
    const url = req ? (typeof req.originalUrl === 'string' ? req.originalUrl : req.url) : '';
    return { span: res[kSpan], start: res[kStart], method: req ? req.method : '', path: urlPath(url) };
  }

  function count(st, res, chunk, encoding) {
    try {
      if (chunk === null || chunk === undefined || res._hasBody === false) return; // HEAD, 204, 304: nothing sent
      st.bytes += typeof chunk === 'string'
        ? Buffer.byteLength(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8')
        : typeof chunk.byteLength === 'number' ? chunk.byteLength : 0;
    } catch (e) {
      fault('http server body bytes', e);
    }
  }

  return { inFlight };
}

/** Express's matched route pattern (req.baseUrl + req.route.path, its documented properties), else ''. */
function routeOf(req) {
  const route = req && req.route;
  if (route === undefined || route === null || typeof route !== 'object') return '';
  const p = route.path;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return base + (typeof p === 'string' ? p : String(p));
}

module.exports = { install };
