'use strict';
// Real parts for the agent's tests: an LTTng session of the test's own, the instrumented Redis of build/redis/bin,
// a MariaDB of its own (examples/microservices/mariadb.sh), Node processes started with the agent preloaded as
// NODE_OPTIONS does it, and the trace read back by babeltrace2 (ctf2jsonl.py). Everything started is stopped by
// cleanup(); ports are free ones the kernel chose.

const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const readline = require('readline');

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const AGENT = path.join(ROOT, 'instrument', 'node', 'agent.js');
const REDIS_BIN = path.join(ROOT, 'build', 'redis', 'bin');
const APPS = path.join(__dirname, '..', 'apps');

const cleanups = [];
function onCleanup(fn) { cleanups.push(fn); }
async function cleanup() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch (e) { console.error('cleanup:', e.message); }
  }
}

function tmpDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!process.env.KVSCOPE_KEEP_TRACES) onCleanup(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function lttng(...args) {
  return execFileSync('lttng', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An LTTng session recording nodejs:* and redis:* (with kvscope record's contexts) into a fresh directory. */
async function startSession(name) {
  const dir = path.join(tmpDir('kvscope-agent-trace-'), 'trace');
  const session = `kvscope-agent-${name}-${process.pid}-${Date.now()}`;
  lttng('create', session, `--output=${dir}`);
  let destroyed = false;
  const destroy = () => { if (!destroyed) { destroyed = true; try { lttng('destroy', session); } catch { /* gone */ } } };
  onCleanup(destroy);
  lttng('enable-channel', '--userspace', `--session=${session}`, '--subbuf-size=4M', '--num-subbuf=4', 'ch');
  lttng('enable-event', '--userspace', `--session=${session}`, '--channel=ch', 'nodejs:*,redis:*');
  lttng('add-context', '--userspace', `--session=${session}`, '--channel=ch', '--type=vpid', '--type=vtid',
    '--type=procname');
  lttng('start', session);
  return {
    dir,
    /** Stops the session (flushing every buffer) and returns its events, time-ordered. */
    stop() {
      lttng('stop', session);
      destroy();
      return readTrace(dir);
    },
  };
}

function readTrace(dir, prefixes = '') {
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, 'ctf2jsonl.py'), dir, prefixes],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  const events = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const lost = events.filter((e) => e.name === '(discarded)');
  if (lost.length) throw new Error(`the trace lost events: ${JSON.stringify(lost)}`);
  return events;
}

/** Starts a process; resolves with it once it printed a JSON line (its "ready" message, e.g. {port}). */
function startProcess(cmd, args, { env = {}, agent = true, name = path.basename(args[args.length - 1] || cmd) } = {}) {
  const childEnv = { ...process.env, ...env };
  if (agent) childEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS || ''} --require ${AGENT}`.trim();
  const child = spawn(cmd, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  const proc = { child, pid: child.pid, stderr: '', lines: [], ready: null };
  child.stderr.on('data', (d) => { proc.stderr += d; });
  onCleanup(() => stopProcess(proc));
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 20 s; stderr: ${proc.stderr}`)), 20000);
    rl.on('line', (line) => {
      proc.lines.push(line);
      if (proc.ready === null && line.startsWith('{')) {
        clearTimeout(timer);
        proc.ready = JSON.parse(line);
        resolve(proc);
      }
    });
    child.on('exit', (code, signal) => {
      proc.exit = { code, signal };
      clearTimeout(timer);
      if (proc.ready === null) reject(new Error(`${name} exited (${code ?? signal}) before it was ready; stderr: ${proc.stderr}`));
    });
  });
}

function stopProcess(proc) {
  return new Promise((resolve) => {
    if (proc.exit) return resolve(proc.exit);
    proc.child.once('exit', (code, signal) => resolve({ code, signal }));
    proc.child.kill('SIGTERM');
    setTimeout(() => { if (!proc.exit) proc.child.kill('SIGKILL'); }, 5000).unref();
  });
}

function startApp(file, env = {}, opts = {}) {
  return startProcess(process.execPath, [path.join(APPS, file)], { env, ...opts });
}

/** The instrumented Redis (build/redis/bin/redis-server) on a free loopback port. */
async function startRedis() {
  const bin = path.join(REDIS_BIN, 'redis-server');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run instrument/redis/build.sh`);
  const port = await freePort();
  const dir = tmpDir('kvscope-agent-redis-');
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, pid: child.pid, port, stderr: '' };
  child.stderr.on('data', (d) => { proc.stderr += d; });
  child.on('exit', (code, signal) => { proc.exit = { code, signal }; });
  onCleanup(() => stopProcess(proc));
  for (let i = 0; i < 200; i++) {
    if (await ping(port)) return proc;
    await sleep(50);
  }
  throw new Error(`redis-server did not answer on ${port}: ${proc.stderr}`);
}

/** One inline command to a Redis server from this (untraced) process; resolves with the reply's text. */
function redisCommand(port, command) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    s.on('error', reject);
    s.on('data', (d) => {
      data += d;
      const m = data.match(/^\$(\d+)\r\n/);
      if (!m || data.length >= m[0].length + Number(m[1]) + 2) { s.destroy(); resolve(data); }
    });
    s.write(command + '\r\n');
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => resolve(false));
    s.on('data', (d) => { s.destroy(); resolve(d.toString().startsWith('+PONG')); });
    s.write('PING\r\n');
  });
}

/** A MariaDB server of its own (examples/microservices/mariadb.sh), on a free port. */
async function startMariadb() {
  const script = path.join(ROOT, 'examples', 'microservices', 'mariadb.sh');
  const dir = tmpDir('kvscope-agent-mariadb-');
  const port = await freePort();
  const out = execFileSync(script, ['start', dir, String(port)], { encoding: 'utf8' });
  onCleanup(() => execFileSync(script, ['stop', dir], { stdio: 'ignore' }));
  return { port, dir, ...JSON.parse(out.trim().split('\n').pop()) };
}

/** Sends a JSON request to one of the test apps; resolves with the parsed JSON answer. */
function request(port, pathname, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const http = require('http');
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method, agent: false,
      headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(data); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, body: data, json });
      });
    });
    req.on('error', reject);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** Events of one process (by pid), optionally of one name ('nodejs:redis_send'). */
function of(events, pid, name) {
  return events.filter((e) => e.vpid === pid && (!name || e.name === name));
}

module.exports = {
  ROOT, AGENT, APPS, cleanup, onCleanup, tmpDir, freePort, startSession, readTrace, startProcess, startApp,
  stopProcess, startRedis, redisCommand, startMariadb, request, sleep, of,
};
