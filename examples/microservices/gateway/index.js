'use strict';
// API gateway (the original's "gateway", Express): the only service users call. Forwards each route to the user or
// order service over HTTP (node:http, keep-alive) and answers with their status and body.
const express = require('express');
const { httpRequest, env, stopOn } = require('../lib/json-http');

const users = env('USER_URL');
const orders = env('ORDER_URL');

const app = express();
app.use(express.json());

// Answers with the service's own status and body; 502 when the service cannot be reached.
const forward = (base, method, path) => async (req, res) => {
  try {
    const target = typeof path === 'function' ? path(req) : path;
    const r = await httpRequest(base, method, target, method === 'POST' ? req.body : undefined);
    res.status(r.status).json(r.body);
  } catch (e) {
    res.status(502).json({ error: e.message });
  }
};

app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/users/:id', forward(users, 'GET', (req) => `/users/${encodeURIComponent(req.params.id)}`));
app.post('/users', forward(users, 'POST', '/users'));
app.post('/login', forward(users, 'POST', '/login'));
app.post('/orders', forward(orders, 'POST', '/orders'));
app.get('/orders/:id', forward(orders, 'GET', (req) => `/orders/${encodeURIComponent(req.params.id)}`));
app.get('/ranking', forward(orders, 'GET', (req) => `/ranking?n=${Number(req.query.n) || 10}`));

const server = app.listen(Number(env('PORT', '0')), '127.0.0.1', () => {
  console.log(JSON.stringify({ service: 'gateway', port: server.address().port, pid: process.pid }));
});
server.keepAliveTimeout = 30000;
stopOn(server);
