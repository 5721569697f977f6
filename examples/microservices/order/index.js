'use strict';
// Order service (the original's "order", with the message publishing the paper added): placing an order stores it
// through the MySQL gateway, PUBLISHes an "orders" event through the Redis gateway (the notifier service subscribes)
// and adds its quantity to the buyer's score in a Redis sorted set; orders are read back by id; the ranking lists
// the best buyers. It calls the gateways with node:http (keep-alive).
const { serve, status, httpJson, env, stopOn } = require('../lib/json-http');

const redisgw = env('REDISGW_URL');
const mysqlgw = env('MYSQLGW_URL');

const server = serve('order', Number(env('PORT', '0')), {
  'GET /health': async () => ({ ok: true }),
  'POST /orders': async ({ body }) => {
    if (!body.userId || !body.item) throw status(400, 'userId and item are needed');
    const qty = Number(body.qty || 1);
    const { id } = await httpJson(mysqlgw, 'POST', '/orders/add', { userId: body.userId, item: body.item, qty });
    const event = { id, userId: body.userId, item: body.item, qty, at: Date.now() };
    const { receivers } = await httpJson(redisgw, 'POST', '/publish', { channel: 'orders', message: event });
    await httpJson(redisgw, 'POST', '/zincrby', { key: 'ranking', member: `user${body.userId}`, by: qty });
    return { status: 201, body: { id, receivers } };
  },
  'GET /orders/:id': async ({ params }) => httpJson(mysqlgw, 'POST', '/orders/get', { id: params.id }),
  'GET /ranking': async ({ query }) => httpJson(redisgw, 'POST', '/ranking', { key: 'ranking', n: Number(query.get('n') || 10) }),
});

stopOn(server);
