'use strict';
// JSON over HTTP between the services, as the original application's seneca transport did it (HTTP POST of JSON on
// loopback): a small node:http server with "METHOD /path/:param" routes, and two clients — node:http with a
// keep-alive agent, and fetch.
const http = require('http');

/** Starts a node:http JSON server; routes: { 'GET /users/:id': async ({ params, body, query }) => value }. */
function serve(name, port, routes) {
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ');
    const names = [];
    const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/]+)'; }) + '$');
    return { method, re, names, handler };
  });
  const server = http.createServer((req, res) => {
    const [path, qs] = req.url.split('?');
    const route = table.find((r) => r.method === req.method && r.re.test(path));
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { raw += c; });
    req.on('end', async () => {
      if (!route) return reply(res, 404, { error: `no route ${req.method} ${path}` });
      const m = path.match(route.re);
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
      let body = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return reply(res, 400, { error: 'the body is not JSON' });
      }
      try {
        const out = await route.handler({ params, body, query: new URLSearchParams(qs || '') });
        reply(res, out && out.status ? out.status : 200, out && out.status ? out.body : out);
      } catch (e) {
        reply(res, e.status || 500, { error: e.message });
      }
    });
  });
  server.keepAliveTimeout = 30000;
  server.listen(port, '127.0.0.1', () => {
    console.log(JSON.stringify({ service: name, port: server.address().port, pid: process.pid }));
  });
  return server;
}

function reply(res, status, value) {
  const body = JSON.stringify(value === undefined ? null : value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** An error that a handler throws to answer with a status (404 not found, …). */
function status(code, message) {
  const e = new Error(message);
  e.status = code;
  return e;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** A JSON request with node:http; resolves with { status, body } whatever the status. */
function httpRequest(base, method, path, body) {
  const url = new URL(path, base);
  const data = body === undefined ? null : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent,
      headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
    }, (res) => {
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { raw += c; });
      res.on('end', () => {
        let value = null;
        try { value = raw ? JSON.parse(raw) : null; } catch { value = raw; }
        resolve({ status: res.statusCode, body: value });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** The same, resolving with the body of a 2xx answer and rejecting with the status of any other. */
async function httpJson(base, method, path, body) {
  const r = await httpRequest(base, method, path, body);
  if (r.status >= 200 && r.status < 300) return r.body;
  throw status(r.status, (r.body && r.body.error) || `HTTP ${r.status} from ${base}${path}`);
}

/** The same with fetch (undici). */
async function fetchJson(base, method, path, body) {
  const r = await fetch(new URL(path, base), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const value = await r.json().catch(() => null);
  if (!r.ok) throw status(r.status, (value && value.error) || `HTTP ${r.status} from ${base}${path}`);
  return value;
}

/** The environment variable, or a clear failure naming it. */
function env(name, fallback) {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  if (fallback !== undefined) return fallback;
  console.error(`missing environment variable ${name} (start the services with examples/microservices/start.sh)`);
  process.exit(2);
}

/** Stops on SIGTERM/SIGINT after closing the server (and whatever else `close` closes). */
function stopOn(server, close = async () => {}) {
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await Promise.race([close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

module.exports = { serve, status, httpRequest, httpJson, fetchJson, env, stopOn };
