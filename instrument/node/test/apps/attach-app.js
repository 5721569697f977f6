'use strict';
// A node:http service for the snapshot test, started before any session: it holds requests in flight on demand.
// ROLE=down: GET /hold waits until GET /release. ROLE=front: GET /chain calls the down service's /hold (so the front
// has the incoming request and its outgoing call in flight), GET /fetch-chain the same through fetch, and keeps two ioredis connections, one of them blocked
// in BLPOP (a Redis command in flight). Knows nothing about tracing. Prints {"port"} when ready.
const http = require('http');

const role = process.env.ROLE;
const held = [];
let redis = null;

const server = http.createServer((req, res) => {
  const done = (status, body) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
  if (req.url === '/hold') { held.push(() => done(200, { held: true })); return; }
  if (req.url === '/release') { const n = held.length; while (held.length) held.shift()(); done(200, { released: n }); return; }
  if (req.url === '/chain') {
    const out = http.get({ host: '127.0.0.1', port: Number(process.env.DOWN_PORT), path: '/hold' }, (r) => {
      r.resume();
      r.on('end', () => done(200, { status: r.statusCode }));
    });
    out.on('error', (e) => done(502, { error: e.message }));
    return;
  }
  if (req.url === '/fetch-chain') {
    fetch(`http://127.0.0.1:${process.env.DOWN_PORT}/hold`).then((r) => r.text().then(() => done(200, { status: r.status })),
      (e) => done(502, { error: e.message }));
    return;
  }
  if (req.url === '/get') { redis.get('k').then((v) => done(200, { v }), (e) => done(500, { error: e.message })); return; }
  if (req.url === '/unblock') { redis.lpush('never', 'x').then(() => done(200, {})); return; }
  done(404, {});
});

async function main() {
  if (role === 'front') {
    const IORedis = require('ioredis');
    redis = new IORedis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) });
    const blocker = new IORedis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) });
    await redis.set('k', 'v');
    await blocker.ping();
    blocker.blpop('never', 0).catch(() => {});
  }
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
}
main();
