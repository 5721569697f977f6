#!/usr/bin/env bash
# Tests of the Node.js agent (instrument/node/test/*.test.js, run by `node --test`): real LTTng sessions, the
# instrumented Redis, a MariaDB of their own, node:http, Express 4 and 5, fetch, ioredis 5 and 6, node-redis and
# mysql2, plus the protocol parsers on their own. Installs and builds what they need first (MariaDB and the npm
# packages: scripts/setup-microservices.sh; the addon: build.sh; the instrumented Redis: instrument/redis/build.sh).
# As root the sessions live in a private lttng-sessiond (own mount namespace with its own /run/lttng and /dev/shm),
# so they see only the tests' processes and leave the machine's session daemon alone. About 30 s.
# Arguments are passed to `node --test` (e.g. a test file: instrument/node/runtest.sh redis.test.js).
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

say() { echo "node agent tests: $*" >&2; }

if [ -z "${KVSCOPE_NODE_TEST_IN_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
  "$root/scripts/setup-microservices.sh"
  "$here/build.sh"
  [ -x "$root/build/redis/bin/redis-server" ] || "$root/instrument/redis/build.sh"
  export KVSCOPE_NODE_TEST_IN_NS=1
  exec unshare --mount --propagation private "$0" "$@"
fi

lttng_home=""
sessiond_pid=""
cleanup() {
  if [ -n "$sessiond_pid" ]; then
    kill "$sessiond_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$sessiond_pid" 2>/dev/null || break; sleep 0.5; done
  fi
  if [ -n "$lttng_home" ]; then rm -rf "$lttng_home"; fi
}
trap cleanup EXIT

if [ -n "${KVSCOPE_NODE_TEST_IN_NS:-}" ]; then
  mkdir -p /run/lttng
  mount -t tmpfs kvscope-lttng /run/lttng
  mount -t tmpfs kvscope-shm /dev/shm
  lttng_home="$(mktemp -d "${TMPDIR:-/tmp}/kvscope-node-test-lttng.XXXXXX")"
  export LTTNG_HOME="$lttng_home"
  lttng-sessiond --daemonize --no-kernel >/dev/null 2>&1 || { say "cannot start a private lttng-sessiond"; exit 1; }
  sessiond_pid="$(cat /run/lttng/lttng-sessiond.pid)"
else
  "$root/scripts/setup-microservices.sh"
  "$here/build.sh"
  [ -x "$root/build/redis/bin/redis-server" ] || "$root/instrument/redis/build.sh"
  lttng list >/dev/null 2>&1 || lttng-sessiond --daemonize >/dev/null 2>&1 || { say "cannot start lttng-sessiond"; exit 1; }
fi

cd "$here/test"
if [ $# -eq 0 ]; then set -- *.test.js; fi
started=$SECONDS
node --test --test-reporter=spec "$@"
say "passed in $((SECONDS - started)) s"
