#!/usr/bin/env bash
# Starts the example application on loopback, with no container: its own MariaDB (a data directory under DIR),
# the instrumented Redis of build/redis/bin (unless --redis names one), and the six services — gateway, user,
# order, redisgw, mysqlgw, notifier — each on a free port. Writes DIR/env.json (ports, pids, URLs, the injected
# problems; load.js and the tests read it) and DIR/env.sh, logs into DIR/logs. Stop everything with stop.sh DIR.
#
# Usage: start.sh [--dir DIR] [--slow-redis-ms N] [--slow-sql-ms N] [--burn-ms N] [--cache-ttl S]
#                 [--redis HOST:PORT] [--pub-redis HOST:PORT] [--sub-redis HOST:PORT] [--mariadb HOST:PORT]
#   --dir DIR            where the run lives (default build/microservices); must not hold a running one
#   --slow-redis-ms N    GET /ranking: its Redis command (EVAL) spins N ms in Redis          (env SLOW_REDIS_MS)
#   --slow-sql-ms N      GET /orders/:id: a SELECT SLEEP(N/1000) in MariaDB before its query (env SLOW_SQL_MS)
#   --burn-ms N          POST /login: the user service spins N ms on the CPU before answering (env BURN_MS)
#   --cache-ttl S        seconds a user profile stays in Redis (default 10)
#   --redis HOST:PORT    use this Redis for the cache instead of starting one
#   --pub-redis, --sub-redis  where order events are published / subscribed (default: the cache's Redis; e.g. two
#                        nodes of a cluster)
#   --mariadb HOST:PORT  use this MariaDB (database `shop` of user shop/shop, loaded by another start.sh: two copies
#                        of the services on one database) instead of starting one; --slow-sql-ms still applies
# The problems are off unless asked for, each on one route only; ground truth: Redis's SLOWLOG, MariaDB's slow
# query log (DIR/mariadb/slow.log), GET /admin/stats of redisgw, mysqlgw and user (see README.md).
# Tracing: the services inherit NODE_OPTIONS, so NODE_OPTIONS="--require …/instrument/node/agent.js" (or
# `kvscope record -- …`) traces them; nothing here knows about it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

say() { echo "microservices: $*" >&2; }
die() { say "$*"; exit 1; }

dir="$root/build/microservices"
slow_redis="${SLOW_REDIS_MS:-0}" slow_sql="${SLOW_SQL_MS:-0}" burn="${BURN_MS:-0}" ttl=10
redis="" pub_redis="" sub_redis="" mariadb=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --slow-redis-ms) slow_redis="$2"; shift 2 ;;
    --slow-sql-ms) slow_sql="$2"; shift 2 ;;
    --burn-ms) burn="$2"; shift 2 ;;
    --cache-ttl) ttl="$2"; shift 2 ;;
    --redis) redis="$2"; shift 2 ;;
    --pub-redis) pub_redis="$2"; shift 2 ;;
    --sub-redis) sub_redis="$2"; shift 2 ;;
    --mariadb) mariadb="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
for v in "$slow_redis" "$slow_sql" "$burn" "$ttl"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "'$v' is not a whole number of milliseconds/seconds"
done
for v in "$redis" "$pub_redis" "$sub_redis" "$mariadb"; do
  [ -z "$v" ] || [[ "$v" =~ ^[A-Za-z0-9.:-]+:[0-9]+$ ]] || die "'$v' is not HOST:PORT"
done

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
if [ -f "$dir/pids" ]; then
  while read -r name pid _; do
    if kill -0 "$pid" 2>/dev/null; then die "$name (pid $pid) of a previous run still runs in $dir: stop it first with $here/stop.sh $dir"; fi
  done <"$dir/pids"
fi
rm -rf "$dir/logs" "$dir/redis" "$dir/pids" "$dir/env.json" "$dir/env.sh"
mkdir -p "$dir/logs"
: >"$dir/pids"

# Prerequisites: MariaDB and the npm packages; the instrumented Redis unless another one is given.
"$root/scripts/setup-microservices.sh"
if [ -z "$redis" ] && [ ! -x "$root/build/redis/bin/redis-server" ]; then "$root/instrument/redis/build.sh"; fi

failed() {
  say "FAILED: $1"
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/  | /' >&2
  "$here/stop.sh" "$dir" >/dev/null 2>&1 || true
  exit 1
}

# The helpers below are not the application: they run without NODE_OPTIONS, so no agent traces them.
helper() { env -u NODE_OPTIONS node "$@"; }
read -r -a ports <<<"$(helper -e '
  const net = require("net");
  const servers = Array.from({ length: 8 }, () => net.createServer().listen(0, "127.0.0.1"));
  Promise.all(servers.map((s) => new Promise((r) => s.on("listening", r)))).then(() => {
    console.log(servers.map((s) => s.address().port).join(" "));
    servers.forEach((s) => s.close());
  });')"
db_port=${ports[0]} redis_port=${ports[1]}
declare -A port=([gateway]=${ports[2]} [user]=${ports[3]} [order]=${ports[4]} [redisgw]=${ports[5]} [mysqlgw]=${ports[6]} [notifier]=${ports[7]})

# --- MariaDB ---------------------------------------------------------------------------------------------------
db_socket="" db_pid=""
if [ -z "$mariadb" ]; then
  db_json="$("$here/mariadb.sh" start "$dir/mariadb" "$db_port")" || failed "MariaDB did not start" "$dir/mariadb/error.log"
  db_pid="$(sed 's/.*"pid":\([0-9]*\).*/\1/' <<<"$db_json")"
  db_socket="$dir/mariadb/mysqld.sock"
  mariadb --no-defaults --socket="$db_socket" -uroot shop <"$here/schema.sql" ||
    failed "loading schema.sql into MariaDB failed" "$dir/mariadb/error.log"
  db="127.0.0.1:$db_port"
else
  db="$mariadb"
  db_port="${mariadb##*:}"
  db_json="{\"address\":\"$db\",\"port\":$db_port,\"socket\":null,\"user\":\"shop\",\"password\":\"shop\",\"database\":\"shop\",\"pid\":null,\"slowLog\":null}"
fi

# --- Redis -----------------------------------------------------------------------------------------------------
redis_pid=""
if [ -z "$redis" ]; then
  mkdir -p "$dir/redis"
  # SLOWLOG keeps every command of 1 ms or more: the injected slow EVALs are measured there.
  setsid "$root/build/redis/bin/redis-server" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$dir/redis" --logfile "$dir/logs/redis.log" --slowlog-log-slower-than 1000 --slowlog-max-len 100000 \
    </dev/null >/dev/null 2>&1 &
  redis_pid=$!
  echo "redis $redis_pid $root/build/redis/bin/redis-server" >>"$dir/pids"
  for _ in $(seq 1 100); do
    if "$root/build/redis/bin/redis-cli" -p "$redis_port" ping 2>/dev/null | grep -q PONG; then break; fi
    kill -0 "$redis_pid" 2>/dev/null || failed "redis-server exited" "$dir/logs/redis.log"
    sleep 0.05
  done
  "$root/build/redis/bin/redis-cli" -p "$redis_port" ping 2>/dev/null | grep -q PONG ||
    failed "redis-server did not answer on port $redis_port" "$dir/logs/redis.log"
  redis="127.0.0.1:$redis_port"
fi
pub_redis="${pub_redis:-$redis}"
sub_redis="${sub_redis:-$pub_redis}"

# --- the services ------------------------------------------------------------------------------------------------
url() { echo "http://127.0.0.1:${port[$1]}"; }
start_service() { # NAME VAR=VALUE…
  local name="$1"; shift
  env PORT="${port[$name]}" "$@" setsid node "$here/$name/index.js" </dev/null >"$dir/logs/$name.log" 2>&1 &
  echo "$name $! $here/$name/index.js" >>"$dir/pids"
}
start_service redisgw REDIS="$redis" PUB_REDIS="$pub_redis" SLOW_REDIS_MS="$slow_redis"
start_service mysqlgw DB="$db" DB_USER=shop DB_PASSWORD=shop DB_NAME=shop SLOW_SQL_MS="$slow_sql"
start_service notifier SUB_REDIS="$sub_redis"
start_service user REDISGW_URL="$(url redisgw)" MYSQLGW_URL="$(url mysqlgw)" CACHE_TTL="$ttl" BURN_MS="$burn"
start_service order REDISGW_URL="$(url redisgw)" MYSQLGW_URL="$(url mysqlgw)"
start_service gateway USER_URL="$(url user)" ORDER_URL="$(url order)"

# Wait until each answers GET /health (20 s at most).
for name in redisgw mysqlgw notifier user order gateway; do
  ok=0
  for _ in $(seq 1 200); do
    if curl -fsS -o /dev/null --max-time 1 "$(url "$name")/health" 2>/dev/null; then ok=1; break; fi
    pid="$(awk -v n="$name" '$1 == n {print $2}' "$dir/pids")"
    kill -0 "$pid" 2>/dev/null || failed "$name exited while starting" "$dir/logs/$name.log"
    sleep 0.1
  done
  [ "$ok" = 1 ] || failed "$name did not answer on $(url "$name")/health in 20 s" "$dir/logs/$name.log"
done

# --- where everything is -----------------------------------------------------------------------------------------
pid_of() { awk -v n="$1" '$1 == n {print $2}' "$dir/pids"; }
{
  echo "{"
  echo "  \"dir\": \"$dir\","
  echo "  \"gateway\": \"$(url gateway)\","
  echo "  \"services\": {"
  sep=""
  for name in gateway user order redisgw mysqlgw notifier; do
    printf '%s    "%s": {"url": "%s", "port": %s, "pid": %s, "log": "%s"}' "$sep" "$name" "$(url "$name")" \
      "${port[$name]}" "$(pid_of "$name")" "$dir/logs/$name.log"
    sep=$',\n'
  done
  echo
  echo "  },"
  echo "  \"redis\": {\"address\": \"$redis\", \"pid\": ${redis_pid:-null}, \"startedHere\": $([ -n "$redis_pid" ] && echo true || echo false)},"
  echo "  \"pubRedis\": \"$pub_redis\", \"subRedis\": \"$sub_redis\","
  echo "  \"mariadb\": $db_json,"
  echo "  \"problems\": {\"slowRedisMs\": $slow_redis, \"slowSqlMs\": $slow_sql, \"burnMs\": $burn},"
  echo "  \"problemRoutes\": {\"slowRedisMs\": \"GET /ranking\", \"slowSqlMs\": \"GET /orders/:id\", \"burnMs\": \"POST /login\"}"
  echo "}"
} >"$dir/env.json"
{
  echo "GATEWAY_URL=$(url gateway)"
  for name in gateway user order redisgw mysqlgw notifier; do
    echo "${name^^}_URL=$(url "$name")"; echo "${name^^}_PID=$(pid_of "$name")"
  done
  echo "REDIS=$redis"; echo "REDIS_PID=${redis_pid}"; echo "PUB_REDIS=$pub_redis"; echo "SUB_REDIS=$sub_redis"
  echo "DB=$db"; echo "DB_PORT=$db_port"; echo "DB_SOCKET=$db_socket"; echo "DB_PID=$db_pid"
  echo "DB_SLOW_LOG=$([ -n "$db_pid" ] && echo "$dir/mariadb/slow.log")"
  echo "SLOW_REDIS_MS=$slow_redis"; echo "SLOW_SQL_MS=$slow_sql"; echo "BURN_MS=$burn"
} >"$dir/env.sh"

problems=()
[ "$slow_redis" != 0 ] && problems+=("GET /ranking: Redis EVAL spins ${slow_redis} ms")
[ "$slow_sql" != 0 ] && problems+=("GET /orders/:id: SELECT SLEEP(${slow_sql} ms)")
[ "$burn" != 0 ] && problems+=("POST /login: ${burn} ms of CPU in user")
say "gateway $(url gateway) (user, order, redisgw, mysqlgw, notifier; Redis $redis; MariaDB $db)"
say "injected problems: $([ ${#problems[@]} -eq 0 ] && echo none || (IFS=';'; echo "${problems[*]}"))"
say "details: $dir/env.json; load: node $here/load.js --env $dir/env.json; stop: $here/stop.sh $dir"
