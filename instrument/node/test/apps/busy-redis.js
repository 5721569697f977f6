'use strict';
// Keeps an ioredis connection busy from the start: pipelines of 20 GETs of a 100 KB value (each reply comes in
// several reads), back to back, until killed. Prints {"port"} (the connection's local port) once running.
const IORedis = require('ioredis');

const redis = new IORedis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) });
let rounds = 0;
async function main() {
  await redis.set('big', 'v'.repeat(100 * 1024));
  console.log(JSON.stringify({ port: redis.stream.localPort }));
  for (;;) {
    const p = redis.pipeline();
    for (let i = 0; i < 20; i++) p.get('big');
    const r = await p.exec();
    if (r.length !== 20 || r.some(([err, v]) => err || v.length !== 100 * 1024)) throw new Error('bad replies');
    rounds++;
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
process.on('SIGTERM', () => { console.error(`rounds ${rounds}`); process.exit(0); });
