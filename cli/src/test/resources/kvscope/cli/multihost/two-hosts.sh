#!/usr/bin/env bash
# Two "hosts" and an aggregator made of network namespaces this script creates, each host with its own mount and UTS
# namespace (its own hostname, /run/lttng, /dev/shm), its own LTTng session daemon and a Redis cluster node; the
# hosts stream through `kvscope record --relay` to the relay of `kvscope aggregate` over a bridge. Addresses are from
# the documentation range (198.51.100.0/24) and exist only inside these namespaces. Everything started here is ended
# by process id, and every namespace removed, on exit (also on failure).
#
# Usage: two-hosts.sh OUT REDIS_BIN JAVA CLASSPATH   (kvscope's CLI runs as: JAVA -cp CLASSPATH kvscope.cli.Kvscope)
set -euo pipefail
out=$1 redis=$2 java=$3 cp=$4
p="kvs$$"
work=$(mktemp -d /tmp/kvscope-multihost.XXXXXX)
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for h in a b; do [ -f "$work/$h.pid" ] && kill -KILL "$(cat "$work/$h.pid")" 2>/dev/null; done
  for ns in "$p-a" "$p-b" "$p-sw"; do
    # Processes left in a namespace (a daemonized redis or sessiond) are killed by pid before it is removed.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
# A signal (the test timing out) exits through the EXIT trap too.
trap "exit 143" TERM INT
kv() { "$java" -Dkvscope.home="${KVSCOPE_HOME:-}" -cp "$cp" kvscope.cli.Kvscope "$@"; }

ip netns add "$p-sw"; ip netns add "$p-a"; ip netns add "$p-b"
ip -n "$p-sw" link set lo up
ip -n "$p-sw" link add br0 type bridge
ip -n "$p-sw" addr add 198.51.100.1/24 dev br0
ip -n "$p-sw" link set br0 up
n=2
for h in a b; do
  ip -n "$p-sw" link add "v$h" type veth peer name eth0 netns "$p-$h"
  ip -n "$p-sw" link set "v$h" master br0 up
  ip -n "$p-$h" link set lo up
  ip -n "$p-$h" addr add "198.51.100.$n/24" dev eth0
  ip -n "$p-$h" link set eth0 up
  n=$((n + 1))
done

# The aggregator.
ip netns exec "$p-sw" "$java" -Dkvscope.home="${KVSCOPE_HOME:-}" -cp "$cp" kvscope.cli.Kvscope aggregate -o "$out" \
  --listen 198.51.100.1 > "$work/aggregate.log" 2>&1 &
pids+=($!)
agg=$!
for _ in $(seq 100); do grep -q "Relay daemon listening" "$work/aggregate.log" && break; sleep 0.1; done
grep -q "Relay daemon listening" "$work/aggregate.log" || { cat "$work/aggregate.log" >&2; exit 1; }

# The hosts: a shell in each, with its own hostname, mounts and session daemon; commands run there with nsenter.
for h in a b; do
  ip netns exec "$p-$h" unshare --uts --mount --propagation private bash -c '
    hostname "host-$1"
    mount -t tmpfs tmpfs /var/run/lttng 2>/dev/null || { mkdir -p /var/run/lttng; mount -t tmpfs tmpfs /var/run/lttng; }
    mount -t tmpfs tmpfs /dev/shm
    mkdir -p /root/.lttng; mount -t tmpfs tmpfs /root/.lttng
    echo $$ > "$2/$1.pid"
    exec sleep infinity' _ "$h" "$work" &
  pids+=($!)
done
for h in a b; do for _ in $(seq 50); do [ -s "$work/$h.pid" ] && break; sleep 0.1; done; done
on() { local h=$1; shift; nsenter -t "$(cat "$work/$h.pid")" -m -u -n -- "$@"; }
for h in a b; do
  on "$h" env LTTNG_HOME="$work/$h-home" bash -c 'mkdir -p "$LTTNG_HOME"; lttng-sessiond --daemonize --no-kernel' >/dev/null
done
n=2
for h in a b; do
  mkdir -p "$work/$h-redis"
  on "$h" "$redis/redis-server" --bind "198.51.100.$n" --port 7000 --cluster-enabled yes --cluster-config-file nodes.conf \
    --dir "$work/$h-redis" --save '' --appendonly no --protected-mode no --daemonize yes --logfile "$work/$h-redis/log" --pidfile "$work/$h-redis/pid"
  n=$((n + 1))
done
# Record on both hosts (Redis already runs: its events are recorded from the moment the session starts).
for h in a b; do
  on "$h" env LTTNG_HOME="$work/$h-home" "$java" -Dkvscope.home="${KVSCOPE_HOME:-}" -cp "$cp" kvscope.cli.Kvscope \
    record --relay 198.51.100.1 --duration "${RECORD_SECONDS:-8}s" > "$work/record-$h.log" 2>&1 &
  pids+=($!)
done
rec_pids=("${pids[@]: -2}")
for h in a b; do
  for _ in $(seq 200); do grep -q "^Recording" "$work/record-$h.log" && break; sleep 0.1; done
  grep -q "^Recording" "$work/record-$h.log" || { cat "$work/record-$h.log" >&2; exit 1; }
done
sleep 1
cli() { local h=$1 ip=$2; shift 2; on "$h" "$redis/redis-cli" -h "$ip" -p 7000 "$@"; }
cli a 198.51.100.2 cluster meet 198.51.100.3 7000 >/dev/null
cli a 198.51.100.2 cluster addslotsrange 0 8191 >/dev/null
cli b 198.51.100.3 cluster addslotsrange 8192 16383 >/dev/null
# Both nodes know each other (a PUBLISH has no key: it crosses the bus whatever the cluster's state).
for _ in $(seq 50); do
  ka=$(cli a 198.51.100.2 cluster info | tr -d '\r' | grep -c '^cluster_known_nodes:2' || true)
  kb=$(cli b 198.51.100.3 cluster info | tr -d '\r' | grep -c '^cluster_known_nodes:2' || true)
  [ "$ka$kb" = 11 ] && break
  sleep 0.1
done
# Publishes cross the bus from a to b and from b to a, in small bursts.
sent=0
for i in $(seq 8); do
  for j in $(seq 5); do echo "publish news a-$i-$j"; done | cli a 198.51.100.2 >/dev/null
  for j in $(seq 5); do echo "publish news b-$i-$j"; done | cli b 198.51.100.3 >/dev/null
  sent=$((sent + 10))
  sleep 0.1
done
on a "$redis/redis-benchmark" -h 198.51.100.2 -p 7000 -n 2000 -t ping -q >/dev/null
echo "publishes $sent"
for pid in "${rec_pids[@]}"; do wait "$pid" || { cat "$work"/record-*.log >&2; exit 1; }; done
cat "$work"/record-a.log | tail -3 >&2
# SIGTERM (SIGINT is ignored by background jobs of a script): the relay is stopped and the hosts listed.
kill -TERM "$agg"; wait "$agg" || true
cat "$work/aggregate.log" >&2
