'use strict';
// Odd bytes on a connection the agent takes for Redis (its first write is RESP): a TCP server of this process
// answers the client step by step with a reply split byte by byte, 100 replies in 7-byte pieces, garbage, RESP3
// maps, pushes and attributes, and the client writes a malformed command. Also checks that a socket nobody reads
// stays paused. Prints one JSON line: what each side sent and received. Knows nothing about tracing.
const net = require('net');

let serverSocket;
let serverGot = 0;
let serverSent = 0;
const serverWaiters = [];

function serverWrite(data) {
  serverSent += Buffer.byteLength(data, 'latin1');
  serverSocket.write(Buffer.from(data, 'latin1'));
}
async function serverWriteSlowly(data, size, ms) {
  for (let i = 0; i < data.length; i += size) {
    serverWrite(data.slice(i, i + size));
    await new Promise((r) => setTimeout(r, ms));
  }
}
function serverReceived(n) { // resolves once the server has received n bytes in all
  return new Promise((resolve) => { serverWaiters.push([n, resolve]); check(); });
}
function check() {
  for (let i = serverWaiters.length - 1; i >= 0; i--) {
    if (serverGot >= serverWaiters[i][0]) { serverWaiters[i][1](); serverWaiters.splice(i, 1); }
  }
}

const cmd = (...args) => `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');

async function main() {
  const server = net.createServer((s) => {
    serverSocket = s;
    s.setNoDelay(true);
    s.on('data', (d) => { serverGot += d.length; check(); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect(server.address().port, '127.0.0.1');
  client.setNoDelay(true);
  await new Promise((r) => client.once('connect', r));
  while (!serverSocket) await new Promise((r) => setImmediate(r));
  let clientSent = 0;
  const send = (data) => { clientSent += Buffer.byteLength(data, 'latin1'); client.write(Buffer.from(data, 'latin1')); };
  const result = {};

  // (a) nobody reads: the reply stays buffered in the paused socket
  send(cmd('PING'));
  await serverReceived(clientSent);
  serverWrite('+PONG\r\n');
  await new Promise((r) => setTimeout(r, 150));
  result.paused = { flowing: client.readableFlowing, buffered: client.readableLength };
  result.firstRead = String(client.read());
  let clientGot = 0;
  const clientWaiters = [];
  client.on('data', (d) => {
    clientGot += d.length;
    for (let i = clientWaiters.length - 1; i >= 0; i--) {
      if (clientGot >= clientWaiters[i][0]) { clientWaiters[i][1](); clientWaiters.splice(i, 1); }
    }
  });
  const clientReceived = (n) => new Promise((r) => { clientWaiters.push([n + 7, r]); if (clientGot + 7 >= n + 7) r(); });
  const step = async (request, reply, size = reply.length, ms = 0) => {
    send(request);
    await serverReceived(clientSent);
    await serverWriteSlowly(reply, size, ms);
    await clientReceived(serverSent - 7);
  };

  // (b) a reply split byte by byte
  await step(cmd('ECHO', 'hello'), '$5\r\nhello\r\n', 1, 2);
  // (c) a pipeline of 100 in one write, answered in 7-byte pieces
  let pipeline = '', replies = '';
  for (let i = 0; i < 100; i++) { pipeline += cmd('ECHO', 'v' + i); replies += `$${('v' + i).length}\r\nv${i}\r\n`; }
  await step(pipeline, replies, 7, 0);
  // (d) garbage for a reply, then (e) a good reply again
  await step(cmd('PING'), '\x00\xffnot RESP at all\r\n');
  await step(cmd('PING'), '+PONG\r\n');
  // (f) a malformed command, then a good one
  send('*x\r\n');
  await step(cmd('PING'), '+PONG\r\n');
  // (g) RESP3: a map, a push (not a reply), an attribute before a reply, an error
  await step(cmd('HELLO', '3') + cmd('GET', 'a') + cmd('GET', 'b'),
    '%2\r\n+a\r\n:1\r\n+b\r\n_\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n|1\r\n+key\r\n+value\r\n+OK\r\n-ERR no\r\n');

  result.clientSent = clientSent;
  result.serverGot = serverGot;
  result.serverSent = serverSent;
  result.clientGot = clientGot + 7;
  console.log(JSON.stringify(result));
  client.end();
  server.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
