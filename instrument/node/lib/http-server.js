'use strict';
// http_server_receive / http_server_response: every request an http (or https) server of the process handles,
// from Node's diagnostics channels ('http.server.request.start') and the response's end, whatever framework sits on
// top. The request's span becomes the current span
// of its handler (AsyncLocalStorage), so the calls it makes name it as their parent.

const dc = require('diagnostics_channel');
const http = require('http');

const kServer = Symbol('kvscope.serverSpan');

function install(trace) {
  const { tp, E, newSpan, enter, Tuple, urlPath, fault } = trace;

  dc.subscribe('http.server.request.start', ({ request, response, socket }) => {
    try {
      const receive = E.http_server_receive[0] !== 0, respond = E.http_server_response[0] !== 0;
      const span = newSpan();
      enter(span); // also when neither event is on: a client call or a Redis command below may be
      if (receive) {
        const t = Tuple.incoming(socket);
        tp.http_server_receive(span, t.fd, request.method, urlPath(request.url), t.srcAddr, t.srcPort, t.dstAddr,
          t.dstPort);
      }
      if (respond) {
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
    const st = this[kServer];
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
