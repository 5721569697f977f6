'use strict';
// One measured run of bench/agent-snapshot/run (see there), in a process the run started with or without the agent:
//   node bench.js http SECONDS CONCURRENCY   an HTTP server and its keep-alive clients in this process, on loopback:
//                                            every request passes the agent's server and client hooks (the hot path)
//   node bench.js idle SECONDS               nothing to do: what the agent's snapshot timer costs an idle service
// Prints one line: requests, requests/s, CPU µs per request (or per second when idle).
const http = require('http');

const [mode, secondsArg, concurrencyArg] = process.argv.slice(2);
const seconds = Number(secondsArg);

if (mode === 'idle') {
  const cpu0 = process.cpuUsage();
  setTimeout(() => {
    const cpu = process.cpuUsage(cpu0);
    console.log(`0 0 ${((cpu.user + cpu.system) / seconds).toFixed(1)}`);
  }, seconds * 1000);
} else {
  const concurrency = Number(concurrencyArg);
  const body = JSON.stringify({ ok: true, pad: 'x'.repeat(200) });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(body); });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const port = server.address().port;
    const one = () => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/item/42?x=1', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    // Warm-up: JIT, sockets.
    let end = Date.now() + 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) await one(); }));
    let n = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    end = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: concurrency }, async () => { while (Date.now() < end) { await one(); n++; } }));
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    console.log(`${n} ${(n / elapsed).toFixed(0)} ${((cpu.user + cpu.system) / n).toFixed(2)}`);
    agent.destroy();
    server.close();
  });
}
