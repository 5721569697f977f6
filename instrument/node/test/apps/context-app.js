'use strict';
// A node:http service whose handlers each make one call to its own /leaf route after crossing one kind of
// asynchronous boundary (an await, a request body's 'end', process.nextTick, setImmediate, setTimeout, a client
// response's 'end', an event of an emitter fired from outside any request). Knows nothing about tracing: the test
// reads which server span each call names as its parent. Each call's path says which request made it
// (/leaf/<route>/<n>), so concurrent requests can be told apart.
const http = require('http');
const { EventEmitter } = require('events');

const agent = new http.Agent({ keepAlive: true });
let port = 0;

function leaf(tag) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/leaf/' + tag, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
  });
}

// Fired every 2 ms by a timer started at load, outside any request.
const bus = new EventEmitter();
setInterval(() => bus.emit('tick'), 2).unref();

const routes = {
  sync: (tag) => leaf(tag),
  'after-await': async (tag) => { await leaf(tag + '/first'); return leaf(tag); },
  'next-tick': (tag) => new Promise((r) => process.nextTick(() => r(leaf(tag)))),
  immediate: (tag) => new Promise((r) => setImmediate(() => r(leaf(tag)))),
  timeout: (tag) => new Promise((r) => setTimeout(() => r(leaf(tag)), 3)),
  'in-response': (tag) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/leaf/' + tag + '/first', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(leaf(tag)));
    }).on('error', reject);
  }),
  // A callback of an emitter the request did not start: not the request's work (parent 0 whatever the context).
  'other-emitter': (tag) => new Promise((r) => bus.once('tick', () => r(leaf(tag)))),
};

const server = http.createServer((req, res) => {
  const [, route, n] = req.url.split('/');
  if (route === 'leaf') return res.end('leaf');
  const handler = routes[route];
  if (!handler) { res.statusCode = 404; return res.end(); }
  // The handler runs once the body has been read: from the request's 'end', which Node emits from process.nextTick.
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', async () => {
    try {
      await handler(`${route}/${n}`);
      res.end(JSON.stringify({ ok: true, body: body.length }));
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  port = server.address().port;
  console.log(JSON.stringify({ port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
setTimeout(() => process.exit(0), 600000).unref();
