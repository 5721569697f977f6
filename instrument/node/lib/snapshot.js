'use strict';
// The snapshot (EVENTS.md, "Snapshot"): when a session starts, what already exists — every open socket the agent
// registered (registry.js) with its 4-tuple and kind, the HTTP requests in flight both ways, the Redis commands
// awaiting replies where the agent followed the connection — then again every PERIOD_MS while the session lasts,
// so a trace cut out of a long recording (or one whose beginning was lost) still names them after its next snapshot.
//
// How the start of a session is noticed: the agent cannot be told when LTTng enables an event (LTTng-UST flips the
// state word, no callback), so it looks. The first HTTP request received after the session enabled snapshot_socket
// takes the snapshot (a busy service: at once), and so does a hook about to end a request begun before the session;
// an idle service has an unref'ed timer that reads the flag every TICK_MS (one load, as Redis does from its cron).
// A tick of 100 ms cost an idle process ~0.1 % of a core (bench/agent-snapshot: wake-ups of the event loop on a
// loaded machine), hence one a second.

const dc = require('diagnostics_channel');
const http = require('http');
const https = require('https');
const { performance } = require('perf_hooks');
const registry = require('./registry');

const TICK_MS = 1000;
// As Redis's snapshot (instrument/redis/EVENTS.md); KVSCOPE_SNAPSHOT_PERIOD_MS changes it (tests), not below a tick.
const PERIOD_MS = Math.max(TICK_MS, Number(process.env.KVSCOPE_SNAPSHOT_PERIOD_MS) || 10_000);

function install(trace, hooks) {
  // An addon built before the snapshot events (an old build/node/ beside a newer agent) has no flag for them: the
  // service must run on untouched: the snapshot is not installed, and agent.js counts it as the agent's fault (an
  // agent_error event saying this when a session records them).
  for (const ev of ['snapshot_start', 'snapshot_socket', 'snapshot_request', 'snapshot_end']) {
    if (!trace.E[ev] || typeof trace.tp[ev] !== 'function')
      throw new Error(`the addon has no ${ev} event: it predates the snapshot; rebuild it with instrument/node/build.sh`);
  }
  const { tp, E, Tuple, fault } = trace;

  dc.subscribe('net.server.socket', ({ socket }) => {
    try {
      registry.add(socket, true);
    } catch (e) {
      fault('net.server.socket', e);
    }
  });

  // The snapshot is on when all its events are: a session switches its events on one by one, and a snapshot written
  // with snapshot_socket on but snapshot_request not yet would adopt requests no event names.
  const on = () => E.snapshot_start[0] !== 0 && E.snapshot_socket[0] !== 0 && E.snapshot_request[0] !== 0 &&
    E.snapshot_end[0] !== 0;
  let wasOn = false, seq = 0, last = 0;
  const timer = setInterval(function kvscopeSnapshotTick() {
    if (!on()) { wasOn = false; return; }
    const now = performance.now();
    if (!wasOn) {
      wasOn = true;
      write(false, now);
    } else if (now - last >= PERIOD_MS - TICK_MS / 2) {
      // Half a tick early counts: timers fire a little early or late, and a tick that came at 999 ms would otherwise
      // put the snapshot a whole tick late (the node agent test's period of one tick took two in a CI run).
      write(true, now);
    }
  }, TICK_MS);
  timer.unref();

  // A hook that meets a request begun before the session, before the timer noticed the session: the snapshot now.
  trace.setSnapshotIfDue(() => {
    if (wasOn || !on()) return false;
    wasOn = true;
    write(false, performance.now());
    return true;
  });

  function write(periodic, now) {
    last = now;
    try {
      const t0 = process.hrtime.bigint(), p0 = performance.now();
      const socks = [], reqs = [];
      for (const [s, inbound] of registry.open()) {
        try {
          describe(s, inbound, socks, reqs);
        } catch (e) {
          fault('snapshot socket', e);
        }
      }
      const n = ++seq;
      tp.snapshot_start(n, periodic ? 1 : 0, socks.length, reqs.length, registry.unregisteredCount());
      for (const x of socks) {
        const t = x.t;
        tp.snapshot_socket(n, t.fd, x.kind, x.inbound ? 1 : 0, t.srcAddr, t.srcPort, t.dstAddr, t.dstPort,
          x.followed ? 1 : 0, x.pending);
      }
      for (const r of reqs) {
        const t = r.t;
        // performance.now() and the trace share CLOCK_MONOTONIC (uv_hrtime): the start is now minus its age.
        const startTs = typeof r.start === 'number' ? t0 - BigInt(Math.max(0, Math.round((p0 - r.start) * 1e6))) : 0n;
        tp.snapshot_request(n, r.kind, r.span, r.parent, t.fd, r.method, r.host, r.path, startTs, t.srcAddr,
          t.srcPort, t.dstAddr, t.dstPort);
      }
      tp.snapshot_end(n, socks.length, reqs.length, process.hrtime.bigint() - t0);
    } catch (e) {
      fault('snapshot', e);
    }
  }

  function describe(s, inbound, socks, reqs) {
    const t = inbound ? Tuple.incoming(s) : Tuple.outgoing(s);
    if (inbound) {
      const srv = s.server || s._server;
      const isHttp = srv instanceof http.Server || srv instanceof https.Server;
      socks.push({ t, kind: isHttp ? 'http_server' : 'other', inbound, followed: false, pending: 0 });
      if (isHttp) {
        const r = hooks.server.inFlight(s);
        if (r !== null) reqs.push({ kind: 'server', parent: 0, host: '', t, ...r });
      }
      return;
    }
    const d = hooks.sockets.describe(s);
    socks.push({ t, kind: d.kind, inbound, followed: d.followed, pending: d.pending });
    if (d.kind === 'http_client') {
      const r = hooks.client.inFlight(s) || (hooks.fetch ? hooks.fetch.inFlight(s) : null);
      if (r !== null) reqs.push({ kind: 'client', t, ...r });
    }
  }
}

module.exports = { install };
