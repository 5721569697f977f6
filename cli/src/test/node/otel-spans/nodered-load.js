'use strict';
// The same load as otel-load.js through node-redis v4 (redis 4.7.1, @redis/client 1.x), traced by the real
// OpenTelemetry SDK and its node-redis instrumentation (@opentelemetry/instrumentation-redis: its v4-v5 part).
// node-redis pipelines by itself: the commands a round issues in one tick go out in one write. Writes the spans as
// OTLP/JSON, one ExportTraceServiceRequest per line, and the ground truth: for each command's unique key, the local
// port of the connection that sent it and its place among this script's commands on that connection.
//   node nodered-load.js PORT SPANS.jsonl TRUTH.json [CONNECTIONS] [ROUNDS]
const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis');
const { setUp } = require('./load-common');
const net = require('net');

const load = setUp(new RedisInstrumentation(), 'kvscope-nodered-load');
const { createClient } = require('redis'); // after the instrumentation is registered: it patches the module as it loads
const { port, connections, rounds, tracer } = load;

// node-redis keeps its socket private: the sockets it opens are noted here, to know each connection's local port.
const opened = [];
const connect = net.connect;
net.connect = function (...args) {
  const s = connect.apply(this, args);
  opened.push(s);
  return s;
};

/** Connects one client; its connection's local port is that of the one socket connect() opened (one at a time). */
async function open() {
  const client = createClient({ socket: { host: '127.0.0.1', port } });
  client.on('error', (e) => { console.error(e); process.exit(1); });
  const before = opened.length;
  await client.connect();
  if (opened.length !== before + 1) throw new Error(`connect opened ${opened.length - before} sockets`);
  return { client, local: opened[before].localPort };
}

async function worker(c, { client, local }) {
  const sent = load.sender(local);
  const pause = load.pacer(c);
  for (let i = 0; i < rounds; i++) {
    await pause();
    await tracer.startActiveSpan(`handle ${c}/${i}`, async (span) => {
      try { await round(client, c, i, sent); } finally { span.end(); }
    });
  }
  await client.quit();
}

async function round(client, c, i, sent) {
  const k = (n) => `k:${c}:${i}:${n}`;
  switch (i % 6) {
    case 0: sent('set', k(0)); await client.set(k(0), 'v'.repeat(10 + i % 50)); break;
    case 1: sent('get', k(0)); await client.get(k(0)); break;
    case 2: sent('incr', k(0)); await client.incr(k(0)); break;
    case 3: sent('hset', k(0)); await client.hSet(k(0), 'f', 'v'); break;
    case 4: {
      // Four commands in one tick: node-redis writes them at once, four spans that overlap.
      const pending = [];
      for (let n = 0; n < 4; n++) {
        sent(n % 2 ? 'get' : 'set', k(n));
        pending.push(n % 2 ? client.get(k(n)) : client.set(k(n), 'x'));
      }
      await Promise.all(pending);
      break;
    }
    default: sent('sadd', k(0)); await client.sAdd(k(0), 'm'); break;
  }
}

(async () => {
  const clients = [];
  for (let c = 0; c < connections; c++) clients.push(await open());
  await Promise.all(clients.map((x, c) => worker(c, x)));
  await load.finish();
})().catch((e) => { console.error(e); process.exit(1); });
