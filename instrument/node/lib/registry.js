'use strict';
// The sockets this process has open, for the snapshot (snapshot.js): every outgoing TCP socket
// ('net.client.socket') and every accepted one ('net.server.socket'), held in one Map (socket → inbound).
//
// Cheap and bounded, with or without a session: registering is one Map.set per connection (not per request or
// write), no listener is added to the socket (an application can see listeners). Closed sockets are not removed
// when they close but swept in one pass when the Map reaches twice the size it had after the last sweep (amortised
// O(1) per connection; at most about twice the open sockets are held, the closed ones only until the next sweep).
// Past MAX sockets nothing more is registered: those are counted (snapshot_start.unregistered), never dropped silently.

const MAX = 65536;
const MIN_SWEEP = 1024;

const sockets = new Map();
let sweepAt = MIN_SWEEP;
let unregistered = 0;

/** Registers a socket (inbound: accepted by a server of this process): O(1), plus an occasional sweep. */
function add(socket, inbound) {
  if (sockets.size >= sweepAt) {
    sweep();
    sweepAt = Math.max(MIN_SWEEP, sockets.size * 2);
  }
  if (sockets.size >= MAX) {
    unregistered++;
    return;
  }
  sockets.set(socket, inbound);
}

function sweep() {
  for (const s of sockets.keys()) if (s.destroyed) sockets.delete(s);
}

/** The open sockets, socket → inbound (sweeps the closed ones first): what the snapshot walks. */
function open() {
  sweep();
  return sockets;
}

function unregisteredCount() { return unregistered; }

module.exports = { add, open, unregisteredCount, MAX };
