'use strict';
// Redis gateway (the original's "redisgw"): the other services reach Redis through it, over HTTP + JSON. Cache
// commands go to REDIS (host:port); order events are published on PUB_REDIS (the same server by default).
//
// Injected problem (off by default): SLOW_REDIS_MS=N makes POST /ranking — and only it — run its ZREVRANGE inside a
// Lua script that first spins N ms in Redis's event loop: one slow command (EVAL) on the server, which blocks every
// other client meanwhile. Redis's SLOWLOG records each such EVAL with its duration (the independent measure).
const Redis = require('ioredis');
const { serve, status, env, stopOn } = require('../lib/json-http');

const [host, port] = env('REDIS').split(':');
const [pubHost, pubPort] = env('PUB_REDIS', env('REDIS')).split(':');
const slowMs = Number(env('SLOW_REDIS_MS', '0'));

const redis = new Redis({ host, port: Number(port), maxRetriesPerRequest: 2 });
const pub = pubHost === host && pubPort === port ? redis : new Redis({ host: pubHost, port: Number(pubPort) });

// Spins until N ms have passed (Redis's own clock, checked every 20 000 iterations: ~0.15 ms), then answers the
// ranking. Redis 7.0's Lua has no os.clock; checking TIME on every iteration would add a nested command per µs.
const SLOW_RANKING = `
local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
local deadline = now() + tonumber(ARGV[2]) * 1000
repeat
  for i = 1, 20000 do end
until now() >= deadline
return redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')`;

const injected = { slowRedisMs: slowMs, slowCommands: 0 };

const server = serve('redisgw', Number(env('PORT', '0')), {
  'GET /health': async () => ({ ok: true, redis: redis.status }),
  'GET /admin/stats': async () => injected,
  'POST /get': async ({ body }) => ({ value: await redis.get(key(body)) }),
  'POST /set': async ({ body }) => {
    if (body.ttl) await redis.set(key(body), String(body.value), 'EX', Number(body.ttl));
    else await redis.set(key(body), String(body.value));
    return { ok: true };
  },
  'POST /del': async ({ body }) => ({ deleted: await redis.del(key(body)) }),
  'POST /zincrby': async ({ body }) => ({ score: Number(await redis.zincrby(key(body), Number(body.by || 1), String(body.member))) }),
  'POST /ranking': async ({ body }) => {
    const n = Math.max(1, Math.min(100, Number(body.n || 10)));
    let flat;
    if (slowMs > 0) {
      injected.slowCommands++;
      flat = await redis.eval(SLOW_RANKING, 1, key(body), n, slowMs);
    } else {
      flat = await redis.zrevrange(key(body), 0, n - 1, 'WITHSCORES');
    }
    const top = [];
    for (let i = 0; i < flat.length; i += 2) top.push({ member: flat[i], score: Number(flat[i + 1]) });
    return { top };
  },
  'POST /publish': async ({ body }) => {
    if (typeof body.channel !== 'string') throw status(400, 'channel missing');
    return { receivers: await pub.publish(body.channel, JSON.stringify(body.message)) };
  },
});

function key(body) {
  if (typeof body.key !== 'string' || !body.key) throw status(400, 'key missing');
  return body.key;
}

stopOn(server, async () => { redis.disconnect(); if (pub !== redis) pub.disconnect(); });
