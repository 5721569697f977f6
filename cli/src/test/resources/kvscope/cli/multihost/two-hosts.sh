#!/usr/bin/env bash
# Two "hosts" and an aggregator made of network namespaces this script creates, each host with its own mount and UTS
# namespace (its own hostname, /run/lttng, /dev/shm), its own LTTng session daemon and a Redis cluster node; the
# hosts stream through `kvscope record --relay` to the relay of `kvscope aggregate` over a bridge. Addresses are from
# the documentation range (198.51.100.0/24) and exist only inside these namespaces. Everything started here is ended
# by process id, and every namespace removed, on exit (also on failure).
#
# With SERVICES=1 a third host, host-c, runs no Redis but a Node.js service (services.js: an HTTP server calling
# host-a's Redis with ioredis), and host-b a Node.js caller of it; both are started as `kvscope record -- CMD` starts
# them (NODE_OPTIONS with the agent) and recorded like the rest.
#
# With REPL=1 host-a also runs a plain Redis master on port 7100 and host-b, once recording, its replica (a full
# resync traced on both hosts); the test's SETs go to the master while the replica sleeps (DEBUG SLEEP), and the
# script prints "replicated N" once the replica has applied all N.
#
# With LIVE_OUT=DIR the hosts record live sessions (500 ms timer) and `kvscope analyze --live` on the aggregator
# follows both through the relay's live port as one system from before the load starts, its copy in DIR.
#
# With SKEW_B_NS=N host-b's session daemon reads a wall clock N ns ahead (realtime-skew.c, preloaded): its trace's
# clock offset says so, as a host whose clock is wrong would record.
#
# Usage: two-hosts.sh OUT REDIS_BIN JAVA CLASSPATH   (kvscope's CLI runs as: JAVA -cp CLASSPATH kvscope.cli.Kvscope)
set -euo pipefail
out=$1 redis=$2 java=$3 cp=$4
p="kvs$$"
hosts=(a b)
[ "${SERVICES:-0}" = 1 ] && hosts=(a b c)
work=$(mktemp -d /tmp/kvscope-multihost.XXXXXX)
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for h in "${hosts[@]}"; do [ -f "$work/$h.pid" ] && kill -KILL "$(cat "$work/$h.pid")" 2>/dev/null; done
  for ns in "$p-a" "$p-b" "$p-c" "$p-sw"; do
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

ip netns add "$p-sw"; for h in "${hosts[@]}"; do ip netns add "$p-$h"; done
ip -n "$p-sw" link set lo up
ip -n "$p-sw" link add br0 type bridge
ip -n "$p-sw" addr add 198.51.100.1/24 dev br0
ip -n "$p-sw" link set br0 up
n=2
for h in "${hosts[@]}"; do
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
for h in "${hosts[@]}"; do
  ip netns exec "$p-$h" unshare --uts --mount --propagation private bash -c '
    hostname "host-$1"
    mount -t tmpfs tmpfs /var/run/lttng 2>/dev/null || { mkdir -p /var/run/lttng; mount -t tmpfs tmpfs /var/run/lttng; }
    mount -t tmpfs tmpfs /dev/shm
    mkdir -p /root/.lttng; mount -t tmpfs tmpfs /root/.lttng
    echo $$ > "$2/$1.pid"
    exec sleep infinity' _ "$h" "$work" &
  pids+=($!)
done
for h in "${hosts[@]}"; do for _ in $(seq 50); do [ -s "$work/$h.pid" ] && break; sleep 0.1; done; done
on() { local h=$1; shift; nsenter -t "$(cat "$work/$h.pid")" -m -u -n -- "$@"; }
skew=()
if [ -n "${SKEW_B_NS:-}" ]; then
  gcc -shared -fPIC -O2 -o "$work/realtime-skew.so" "$(dirname "$0")/realtime-skew.c" -ldl
  skew=(LD_PRELOAD="$work/realtime-skew.so" KVSCOPE_TEST_REALTIME_SKEW_NS="$SKEW_B_NS")
fi
for h in "${hosts[@]}"; do
  pre=()
  [ "$h" = b ] && pre=("${skew[@]}")
  on "$h" env LTTNG_HOME="$work/$h-home" "${pre[@]}" bash -c 'mkdir -p "$LTTNG_HOME"; lttng-sessiond --daemonize --no-kernel' >/dev/null
done
n=2
for h in a b; do
  mkdir -p "$work/$h-redis"
  on "$h" "$redis/redis-server" --bind "198.51.100.$n" --port 7000 --cluster-enabled yes --cluster-config-file nodes.conf \
    --dir "$work/$h-redis" --save '' --appendonly no --protected-mode no --daemonize yes --logfile "$work/$h-redis/log" --pidfile "$work/$h-redis/pid"
  n=$((n + 1))
done
repl() { local h=$1 ip=$2; shift 2; mkdir -p "$work/$h-repl"
  on "$h" "$redis/redis-server" --bind "$ip" --port 7100 --dir "$work/$h-repl" --save '' --appendonly no \
    --protected-mode no --repl-diskless-sync-delay 0 --enable-debug-command yes --daemonize yes \
    --logfile "$work/$h-repl/log" --pidfile "$work/$h-repl/pid" "$@"; }
[ "${REPL:-0}" = 1 ] && repl a 198.51.100.2
# Record on every host (Redis already runs: its events are recorded from the moment the session starts) until the
# work below is done: each recording runs a command that waits for the stop file. Not a fixed duration: on a loaded
# 2-core machine the work took longer than 16 s once, and the services' calls fell after the sessions had ended.
stop="$work/stop-recording"
for h in "${hosts[@]}"; do
  on "$h" env LTTNG_HOME="$work/$h-home" "$java" -Dkvscope.home="${KVSCOPE_HOME:-}" -cp "$cp" kvscope.cli.Kvscope \
    record --relay 198.51.100.1 ${LIVE_OUT:+--live 500ms} --duration "${RECORD_MAX_SECONDS:-180}s" \
    -- bash -c 'sleep 0.5; while [ ! -e "$1" ]; do sleep 0.1; done' _ "$stop" > "$work/record-$h.log" 2>&1 &
  pids+=($!)
done
rec_pids=("${pids[@]: -${#hosts[@]}}")
for h in "${hosts[@]}"; do
  for _ in $(seq 200); do grep -q "^Recording" "$work/record-$h.log" && break; sleep 0.1; done
  grep -q "^Recording" "$work/record-$h.log" || { cat "$work/record-$h.log" >&2; exit 1; }
done
if [ -n "${LIVE_OUT:-}" ]; then
  # Every live session of the relay (both hosts'), followed as one from the aggregator's namespace.
  ip netns exec "$p-sw" "$java" -Dkvscope.home="${KVSCOPE_HOME:-}" -cp "$cp" kvscope.cli.Kvscope analyze \
    --live net://127.0.0.1 -o "$LIVE_OUT" > "$work/follow.log" 2>&1 &
  pids+=($!)
  follower=$!
  for _ in $(seq 300); do grep -q "^Following " "$work/follow.log" && break; sleep 0.1; done
  grep -q "^Following " "$work/follow.log" || { cat "$work/follow.log" >&2; exit 1; }
fi
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
if [ "${REPL:-0}" = 1 ]; then
  repl b 198.51.100.3 --replicaof 198.51.100.2 7100
  rcli() { local h=$1 ip=$2; shift 2; on "$h" "$redis/redis-cli" -h "$ip" -p 7100 "$@"; }
  for _ in $(seq 100); do rcli b 198.51.100.3 info replication | grep -q '^master_link_status:up' && break; sleep 0.1; done
  # The stream flows once a first write is read back on the replica (see ReplicationTest).
  rcli a 198.51.100.2 set warm-up 1 >/dev/null
  for _ in $(seq 100); do [ "$(rcli b 198.51.100.3 get warm-up)" = 1 ] && break; sleep 0.05; done
  [ "$(rcli b 198.51.100.3 get warm-up)" = 1 ] || { echo "the replica on host-b did not sync" >&2; exit 1; }
  # The replica sleeps while the writes come (it falls behind): the sleep starts first and lasts 1 s. Started the
  # other way round, the benchmark could end before the sleep began (3,000 SETs took ~0.2 s in an idle run).
  rcli b 198.51.100.3 debug sleep 1 >/dev/null &
  sleeper=$!
  sleep 0.2
  on a "$redis/redis-benchmark" -h 198.51.100.2 -p 7100 -n "${REPL_WRITES:-3000}" -c 2 -t set -r 100000 -q >/dev/null
  wait "$sleeper"
  # As many again with the replica awake: applied tens of µs after they were fed, less than the clocks' bound, so on
  # the synchronised time line an apply may come before its feed (model.Replication waits for it).
  on a "$redis/redis-benchmark" -h 198.51.100.2 -p 7100 -n "${REPL_WRITES:-3000}" -c 2 -t set -r 100000 -q >/dev/null
  mo=-1
  for _ in $(seq 100); do
    mo=$(rcli a 198.51.100.2 info replication | tr -d '\r' | sed -n 's/^master_repl_offset://p')
    ro=$(rcli b 198.51.100.3 info replication | tr -d '\r' | sed -n 's/^slave_repl_offset://p')
    [ "$mo" = "$ro" ] && break
    sleep 0.05
  done
  [ "$mo" = "$ro" ] || { echo "the replica did not catch up ($ro of $mo)" >&2; exit 1; }
  echo "replicated $((2 * ${REPL_WRITES:-3000} + 1))"
fi
if [ "${SERVICES:-0}" = 1 ]; then
  # The service on host-c (its Redis on host-a), then its caller on host-b; the agent as `kvscope record -- CMD` loads it.
  home=${KVSCOPE_HOME:?}
  # LTTNG_UST_REGISTER_TIMEOUT=-1: a process starts its work only once the session daemon has registered it and
  # enabled its events (by default it waits 3 s, then runs untraced until registered: longer under load).
  node_env=(env NODE_OPTIONS="--require $home/instrument/node/agent.js" NODE_PATH="$home/examples/microservices/node_modules"
    LTTNG_UST_REGISTER_TIMEOUT=-1)
  on c "${node_env[@]}" KVSCOPE_SERVICE=svc-c node "$(dirname "$0")/services.js" serve 198.51.100.4:8080 198.51.100.2:7000 \
    > "$work/svc-c.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q "^listening" "$work/svc-c.log" && break; sleep 0.1; done
  grep -q "^listening" "$work/svc-c.log" || { cat "$work/svc-c.log" >&2; exit 1; }
  on b "${node_env[@]}" KVSCOPE_SERVICE=caller-b node "$(dirname "$0")/services.js" call http://198.51.100.4:8080 \
    "${CALLS:-150}" > "$work/caller-b.log" 2>&1 || { cat "$work/caller-b.log" "$work/svc-c.log" >&2; exit 1; }
  cat "$work/caller-b.log"
fi
touch "$stop"
for pid in "${rec_pids[@]}"; do wait "$pid" || { cat "$work"/record-*.log >&2; exit 1; }; done
cat "$work"/record-a.log | tail -3 >&2
if [ -n "${LIVE_OUT:-}" ]; then
  # The follower ends when both sessions have (record destroys them).
  wait "$follower" || { cat "$work/follow.log" >&2; exit 1; }
  sed 's/^/follow: /' "$work/follow.log"
fi
# SIGTERM (SIGINT is ignored by background jobs of a script): the relay is stopped and the hosts listed.
kill -TERM "$agg"; wait "$agg" || true
cat "$work/aggregate.log" >&2
