'use strict';
// Notifier: subscribes to the "orders" channel on SUB_REDIS (host:port: the Redis the orders are published on, or a node
// of its cluster) with node-redis and counts the events it receives; GET /stats says how many, and how late the
// last one arrived after it was placed.
const { createClient } = require('redis');
const { serve, env, stopOn } = require('../lib/json-http');

const [host, port] = env('SUB_REDIS').split(':');
const stats = { received: 0, lastOrder: null, lastDelayMs: null, malformed: 0 };
const client = createClient({ socket: { host, port: Number(port) } });
client.on('error', (e) => console.error('notifier: redis:', e.message));

async function main() {
  await client.connect();
  await client.subscribe('orders', (message) => {
    try {
      const event = JSON.parse(message);
      stats.received++;
      stats.lastOrder = event.id;
      stats.lastDelayMs = Date.now() - event.at;
    } catch {
      stats.malformed++;
    }
  });
  const server = serve('notifier', Number(env('PORT', '0')), {
    'GET /health': async () => ({ ok: true, subscribed: client.isReady }),
    'GET /stats': async () => stats,
  });
  stopOn(server, () => client.quit());
}
main().catch((e) => { console.error('notifier:', e.message); process.exit(1); });
