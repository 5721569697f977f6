'use strict';
// kvscope's Node.js agent: traces a Node.js service into LTTng with no change to its code.
//
//   NODE_OPTIONS="--require /path/to/kvscope/instrument/node/agent.js" node app.js
//
// It subscribes to Node's diagnostics channels (HTTP server and client, undici/fetch, outgoing sockets), keeps the
// current request's span where its handler's awaits and callbacks find it (lib/context.js), recognises Redis (RESP)
// and MariaDB/MySQL connections from their bytes, and emits the events of EVENTS.md through a small N-API addon
// with the LTTng-UST provider `nodejs` (built by build.sh into build/node/). Every hook first reads the event's enabled flag (the tracepoint's own state
// word, no call): with no session recording, a hook costs a few loads and returns.
//
// It never breaks the application: if the addon cannot be loaded, one line on stderr says why and nothing else
// happens; an exception inside a hook is caught, counted and reported as an agent_error event, never thrown.
// README.md beside this file: what it records, how to use it, what it costs, its limits.

(function kvscopeNodeAgent() {
  const loaded = Symbol.for('kvscope.node-agent');
  if (process[loaded]) return; // required twice (NODE_OPTIONS and --require): one agent is enough
  Object.defineProperty(process, loaded, { value: true });

  const path = require('path');
  const service = serviceName();
  const addonPath = process.env.KVSCOPE_NODE_ADDON || path.join(__dirname, '..', '..', 'build', 'node', 'nodejs_tp.node');

  let addon;
  try {
    addon = require(addonPath);
    addon.init(service);
  } catch (e) {
    const why = String(e && e.message ? e.message : e).split('\n')[0];
    try {
      process.stderr.write(`kvscope node agent: not tracing ${service} (pid ${process.pid}): cannot load ${addonPath}`
        + ` (${why}); build it with instrument/node/build.sh\n`);
    } catch {
      // no stderr: stay silent rather than fail the application
    }
    return;
  }

  // The request context without async hooks (lib/context.js): optional, AsyncLocalStorage otherwise.
  // KVSCOPE_NODE_CONTEXT=als chooses the AsyncLocalStorage anyway (bench/agent-overhead compares the two).
  let ctxAddon = null;
  if (process.env.KVSCOPE_NODE_CONTEXT !== 'als') {
    try {
      ctxAddon = require(process.env.KVSCOPE_NODE_CTX_ADDON || path.join(path.dirname(addonPath), 'nodejs_ctx.node'));
    } catch {
      ctxAddon = null; // built for another Node.js, or not built: the AsyncLocalStorage does the same, slower
    }
  }

  const trace = require('./lib/trace');
  trace.init(addon, ctxAddon);
  const hooks = {};
  for (const [name, key, file] of [['http server', 'server', './lib/http-server'],
    ['http client', 'client', './lib/http-client'], ['fetch', 'fetch', './lib/fetch'],
    ['sockets', 'sockets', './lib/sockets']]) {
    try {
      hooks[key] = require(file).install(trace);
    } catch (e) {
      trace.fault('installing the ' + name + ' hooks', e);
    }
  }
  // The snapshot needs the three hooks that know sockets and requests.
  if (hooks.server && hooks.client && hooks.sockets) {
    try {
      require('./lib/snapshot').install(trace, hooks);
    } catch (e) {
      trace.fault('installing the snapshot', e);
    }
  }

  /**
   * The name every event carries: KVSCOPE_SERVICE, else the name in the package.json nearest to the main script,
   * else the main script's base name without extension ("node" for `node -e` and the REPL).
   */
  function serviceName() {
    const fromEnv = process.env.KVSCOPE_SERVICE;
    if (fromEnv) return fromEnv;
    const main = process.argv[1];
    if (!main) return 'node';
    try {
      const fs = require('fs');
      let dir = path.dirname(path.resolve(main));
      for (let i = 0; i < 32; i++) {
        const file = path.join(dir, 'package.json');
        if (fs.existsSync(file)) {
          const name = JSON.parse(fs.readFileSync(file, 'utf8')).name;
          if (typeof name === 'string' && name) return name;
          break;
        }
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
      }
    } catch {
      // an unreadable or invalid package.json: fall back to the file name
    }
    return path.basename(main, path.extname(main)) || 'node';
  }
})();
