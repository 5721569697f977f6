#!/usr/bin/env bash
# A master and one replica of the instrumented Redis, both started while recording (a full resync at attach), then
# SETs on the master while the replica sleeps 0.5 s (DEBUG SLEEP): run under `kvscope record -- …` by
# replication.test.mjs, it gives the page a real trace with replication lag to draw.
set -euo pipefail
bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/redis/bin"
free() { node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }
mport="$(free)"; rport="$(free)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/m" "$dir/r"
"$bin/redis-server" --port "$mport" --bind 127.0.0.1 --save '' --appendonly no --repl-diskless-sync-delay 0 \
  --dir "$dir/m" --logfile "$dir/m/log" &
master=$!
for _ in $(seq 100); do "$bin/redis-cli" -p "$mport" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$bin/redis-server" --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --replicaof 127.0.0.1 "$mport" \
  --enable-debug-command yes --dir "$dir/r" --logfile "$dir/r/log" &
replica=$!
# Streaming: a write read back from the replica (after a diskless full resync the stream starts at its first ACK).
"$bin/redis-cli" -p "$mport" set warm-up 1 >/dev/null
for _ in $(seq 200); do [ "$("$bin/redis-cli" -p "$rport" get warm-up 2>/dev/null)" = 1 ] && break; sleep 0.05; done
"$bin/redis-benchmark" -p "$mport" -n 20000 -c 2 -t set -q >/dev/null &
load=$!
sleep 0.2
"$bin/redis-cli" -p "$rport" debug sleep 0.5 >/dev/null
wait "$load"
sleep 1.2 # one more REPLCONF ACK and server_info
"$bin/redis-cli" -p "$rport" shutdown nosave >/dev/null 2>&1 || kill "$replica"
"$bin/redis-cli" -p "$mport" shutdown nosave >/dev/null 2>&1 || kill "$master"
wait "$replica" "$master" || true
