'use strict';
// Concurrent Redis load through ioredis, traced by the real OpenTelemetry SDK and its ioredis instrumentation: the
// spans a user's own service would emit. Writes them as OTLP/JSON, one ExportTraceServiceRequest per line (what the
// Collector's file exporter writes), and the ground truth: every command carries a unique key; for each key, the
// local port of the connection that sent it and its place among this script's commands on that connection.
//   node otel-load.js PORT SPANS.jsonl TRUTH.json [CONNECTIONS] [ROUNDS]
const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis');
const { setUp } = require('./load-common');

const load = setUp(new IORedisInstrumentation(), 'kvscope-otel-load');
const Redis = require('ioredis'); // after the instrumentation is registered: it patches the module as it loads
const { port, connections, rounds, tracer } = load;

async function worker(c) {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await redis.connect();
  const sent = load.sender(redis.stream.localPort);
  const pause = load.pacer(c);
  // Each round is one "request" of the service: a span of its own, the Redis calls under it (the instrumentation
  // records calls made within a span only, by default).
  for (let i = 0; i < rounds; i++) {
    await pause();
    await tracer.startActiveSpan(`handle ${c}/${i}`, async (span) => {
      try { await round(redis, c, i, sent); } finally { span.end(); }
    });
  }
  await redis.quit();
}

async function round(redis, c, i, sent) {
  {
    const k = (n) => `k:${c}:${i}:${n}`;
    switch (i % 6) {
      case 0: sent('set', k(0)); await redis.set(k(0), 'v'.repeat(10 + i % 50)); break;
      case 1: sent('get', k(0)); await redis.get(k(0)); break;
      case 2: sent('incr', k(0)); await redis.incr(k(0)); break;
      case 3: sent('hset', k(0)); await redis.hset(k(0), 'f', 'v'); break;
      case 4: {
        // A pipeline: four commands in one write, four spans that overlap.
        const p = redis.pipeline();
        for (let n = 0; n < 4; n++) { sent(n % 2 ? 'get' : 'set', k(n)); n % 2 ? p.get(k(n)) : p.set(k(n), 'x'); }
        await p.exec();
        break;
      }
      default: sent('sadd', k(0)); await redis.sadd(k(0), 'm'); break;
    }
  }
}

(async () => {
  await Promise.all(Array.from({ length: connections }, (_, c) => worker(c)));
  await load.finish();
})().catch((e) => { console.error(e); process.exit(1); });
