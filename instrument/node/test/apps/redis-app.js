'use strict';
// A node:http service using Redis through ioredis (IOREDIS=ioredis or ioredis5) and node-redis (the `redis`
// package), each route one kind of traffic. Knows nothing about tracing. Prints {"port", "clients"} when ready,
// "clients" naming each client connection's local port (the test joins them with Redis's accept_client).
const http = require('http');
const IORedis = require(process.env.IOREDIS || 'ioredis');
const { createClient } = require('redis');

const port = Number(process.env.REDIS_PORT);
const io = new IORedis({ host: '127.0.0.1', port, lazyConnect: true });
const nr = createClient({ socket: { host: '127.0.0.1', port } });
const ioSub = new IORedis({ host: '127.0.0.1', port, lazyConnect: true });
const nrSub = nr.duplicate();
const received = { io: 0, nr: 0 };
const big = Buffer.alloc(1 << 20, 'b');

const routes = {
  '/get': async () => io.get('k'),
  '/set-get': async () => { await io.set('k', 'v'); return io.get('k'); },
  '/pipeline': async (q) => {
    const n = Number(q.get('n'));
    const p = io.pipeline();
    for (let i = 0; i < n; i++) p.set('p' + i, String(i));
    return (await p.exec()).length;
  },
  '/multi': async (q) => {
    const n = Number(q.get('n'));
    const m = nr.multi();
    for (let i = 0; i < n; i++) m.incr('counter');
    return (await m.exec()).length;
  },
  '/nr-get': async () => nr.get('k'),
  '/error': async () => { try { await io.call('NOSUCHCOMMAND', 'x'); return 'no error?'; } catch (e) { return 'error: ' + e.message; } },
  '/big': async () => (await io.getBuffer('big')).length,
  '/publish': async (q) => {
    const n = Number(q.get('n'));
    for (let i = 0; i < n; i++) await io.publish('news', 'message ' + i);
    return n;
  },
  '/received': async () => received,
};

async function main() {
  await io.connect();
  await ioSub.connect();
  await nr.connect();
  await nrSub.connect();
  await io.set('big', big);
  await ioSub.subscribe('news', 'other');
  ioSub.on('message', () => { received.io++; });
  await nrSub.subscribe('news', () => { received.nr++; });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = routes[url.pathname];
    if (!route) { res.statusCode = 404; return res.end(); }
    try {
      res.end(JSON.stringify({ result: await route(url.searchParams) }));
    } catch (e) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: String(e) }));
    }
  });
  server.listen(0, '127.0.0.1', () => {
    const local = (s) => s && s.localPort;
    console.log(JSON.stringify({
      port: server.address().port,
      clients: { io: local(io.stream), ioSub: local(ioSub.stream) },
    }));
  });
  process.on('SIGTERM', async () => {
    server.close();
    io.disconnect(); ioSub.disconnect();
    await Promise.allSettled([nr.quit(), nrSub.quit()]);
    process.exit(0);
  });
}
main().catch((e) => { console.error(e); process.exit(1); });
setTimeout(() => process.exit(0), 600000).unref();
