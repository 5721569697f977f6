// The services of two-hosts.sh with SERVICES=1 — ordinary code, nothing in it knows about tracing.
//   node services.js serve ADDR:PORT REDIS_ADDR:PORT   an HTTP server; each GET /item/N makes Redis calls (one
//                                                       ECHO, then a pipeline of PING, ECHO, TIME) with ioredis
//   node services.js call URL N                         N GETs of URL/item/i in turn on a keep-alive connection,
//                                                       then prints "calls OK/N"
// Keyless commands only: the Redis is a cluster node that owns half the slots, and a keyless command is never MOVED.
'use strict';
const http = require('http');
const [mode, a, b] = process.argv.slice(2);

if (mode === 'serve') {
  const Redis = require('ioredis');
  const [rhost, rport] = b.split(':');
  const redis = new Redis({ host: rhost, port: Number(rport), enableReadyCheck: false, maxRetriesPerRequest: 1 });
  const server = http.createServer(async (req, res) => {
    try {
      const n = req.url.split('/').pop();
      await redis.echo('item-' + n);
      const r = await redis.pipeline().ping().echo('x' + n).time().exec();
      res.end(JSON.stringify({ n, replies: r.length }));
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  const [host, port] = a.split(':');
  redis.once('connect', () => server.listen(Number(port), host, () => console.log('listening')));
  process.on('SIGTERM', () => { server.close(); redis.disconnect(); });
} else if (mode === 'call') {
  const n = Number(b);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (i) => new Promise((resolve) => {
    http.get(`${a}/item/${i}`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    }).on('error', () => resolve(false));
  });
  (async () => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      if (await get(i)) ok++;
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(`calls ${ok}/${n}`);
    agent.destroy();
  })();
} else {
  console.error('usage: services.js serve ADDR:PORT REDIS_ADDR:PORT | call URL N');
  process.exit(2);
}
