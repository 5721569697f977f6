'use strict';
// A plain node:http service in front of the Express app (DOWN_PORT): each route calls it with node:http or fetch,
// from inside its handler. Knows nothing about tracing. Prints {"port"} when listening.
const http = require('http');

const down = Number(process.env.DOWN_PORT);
const base = `http://127.0.0.1:${down}`;

function viaHttp(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: down, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, bytes: Buffer.byteLength(body) }));
    }).on('error', reject);
  });
}

async function viaFetch(path) {
  const r = await fetch(base + path);
  const body = await r.text();
  return { status: r.status, bytes: Buffer.byteLength(body) };
}

const routes = {
  '/via-http': () => viaHttp('/users/7?verbose=1'),
  '/via-fetch': () => viaFetch('/api/items/42'),
  '/both': async () => [await viaHttp('/users/8'), await viaFetch('/stream')],
  '/refused': async () => {
    try { await fetch(`http://127.0.0.1:${process.env.CLOSED_PORT}/nothing`); return 'unexpected'; }
    catch (e) { return 'refused: ' + (e.cause && e.cause.code); }
  },
  '/refused-http': () => new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port: Number(process.env.CLOSED_PORT), path: '/nothing' })
      .on('error', (e) => resolve('refused: ' + e.code));
  }),
};

const server = http.createServer(async (req, res) => {
  const route = routes[req.url.split('?')[0]];
  if (!route) { res.statusCode = 404; return res.end('no route'); }
  try {
    const result = await route();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ result }));
  } catch (e) {
    res.statusCode = 502;
    res.end(String(e));
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
setTimeout(() => process.exit(0), 600000).unref();
