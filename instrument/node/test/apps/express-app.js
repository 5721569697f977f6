'use strict';
// An Express application (EXPRESS=express for 5.x, express4 for 4.x): a route with a parameter, a mounted router,
// a streamed body, and a route that never answers. Knows nothing about tracing. Prints {"port"} when listening.
const express = require(process.env.EXPRESS || 'express');

const app = express();
app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id, name: 'user-' + req.params.id });
});
const api = express.Router();
api.get('/items/:item', (req, res) => { res.send('item ' + req.params.item); });
app.use('/api', api);
app.get('/stream', (req, res) => {
  // 10 chunks of 1000 bytes, chunked transfer encoding (no Content-Length)
  let n = 0;
  const next = () => {
    if (n++ === 10) return res.end();
    res.write('x'.repeat(1000));
    setTimeout(next, 1);
  };
  next();
});
app.get('/hang', () => { /* never answers: the client gives up */ });
app.get('/boom', (req, res) => {
  // Something the agent reads throws: it must count it and carry on; the application must not notice.
  Object.defineProperty(req, 'route', { get() { throw new Error('route getter exploded'); } });
  res.send('still fine');
});

const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
setTimeout(() => process.exit(0), 600000).unref();
