'use strict';
// User service (the original's "user"): profiles read cache-aside — the Redis gateway first, the MySQL gateway on a
// miss, then the profile is put back into Redis for CACHE_TTL seconds —, sign-up and login. It calls the gateways
// with fetch.
//
// Injected problem (off by default): BURN_MS=N makes POST /login — and only it — spin on the CPU for N ms of
// wall-clock time before answering, as a too-expensive password hash would: N ms of this service's own time per
// request, whatever else the machine runs (on a busy machine the spin gets less CPU than that). GET /admin/stats
// reports how many burns, and the wall-clock and CPU milliseconds they took, measured here.
const crypto = require('crypto');
const fs = require('fs');
const { serve, status, fetchJson, env, stopOn } = require('../lib/json-http');

const redisgw = env('REDISGW_URL');
const mysqlgw = env('MYSQLGW_URL');
const ttl = Number(env('CACHE_TTL', '10'));
const burnMs = Number(env('BURN_MS', '0'));
const injected = { burnMs, burns: 0, burnCpuMs: 0, burnWallMs: 0 };
const cache = { hits: 0, misses: 0 };

const hash = (password) => crypto.createHash('sha256').update(String(password)).digest('hex');

// The spinning thread's own CPU time, ns: the first field of its schedstat (the scheduler's sum_exec_runtime).
// Not process.cpuUsage(): that counts every thread of the process, and V8's GC helpers running beside a spin made a
// run's 23 burns use 357.4 ms of CPU in 353.6 ms of wall-clock. Falls back to it where schedstat is missing.
const SCHEDSTAT = '/proc/thread-self/schedstat';
const threadCpuNs = fs.existsSync(SCHEDSTAT)
  ? () => Number(fs.readFileSync(SCHEDSTAT, 'latin1').split(' ', 1)[0])
  : () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };

function burn(ms) {
  const start = process.hrtime.bigint();
  const cpu = threadCpuNs(); // read inside the wall-clock interval, so the CPU interval lies within it
  const end = start + BigInt(Math.round(ms * 1e6));
  let now = process.hrtime.bigint();
  while (now < end) now = process.hrtime.bigint();
  const used = threadCpuNs() - cpu;
  now = process.hrtime.bigint();
  injected.burns++;
  injected.burnWallMs += Number(now - start) / 1e6;
  injected.burnCpuMs += used / 1e6;
}

const server = serve('user', Number(env('PORT', '0')), {
  'GET /health': async () => ({ ok: true }),
  'GET /admin/stats': async () => ({ ...injected, cache }),
  'GET /users/:id': async ({ params }) => {
    const key = `user:${params.id}`;
    const cached = await fetchJson(redisgw, 'POST', '/get', { key });
    if (cached.value !== null) {
      cache.hits++;
      return JSON.parse(cached.value);
    }
    cache.misses++;
    const user = await fetchJson(mysqlgw, 'POST', '/users/get', { id: params.id });
    await fetchJson(redisgw, 'POST', '/set', { key, value: JSON.stringify(user), ttl });
    return user;
  },
  'POST /users': async ({ body }) => {
    if (!body.name || !body.password) throw status(400, 'name and password are needed');
    const { id } = await fetchJson(mysqlgw, 'POST', '/users/add',
      { name: body.name, email: body.email, passwordHash: hash(body.password) });
    return { status: 201, body: { id } };
  },
  'POST /login': async ({ body }) => {
    const user = await fetchJson(mysqlgw, 'POST', '/users/find', { name: body.name });
    const ok = crypto.timingSafeEqual(Buffer.from(user.passwordHash), Buffer.from(hash(body.password)));
    if (burnMs > 0) burn(burnMs);
    if (!ok) throw status(401, 'wrong password');
    return { token: crypto.randomBytes(16).toString('hex'), id: user.id };
  },
});

stopOn(server);
