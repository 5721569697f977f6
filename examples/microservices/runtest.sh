#!/usr/bin/env bash
# Tests of the example application (test/*.test.js, `node --test`): start.sh, load.js and stop.sh as users run
# them, and the injected problems against Redis's SLOWLOG, MariaDB's slow query log and the services' own counts.
# Installs what it needs first (scripts/setup-microservices.sh, the instrumented Redis, the agent's addon). ~40 s.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/scripts/setup-microservices.sh"
[ -x "$root/build/redis/bin/redis-server" ] || "$root/instrument/redis/build.sh"
"$root/instrument/node/build.sh"
cd "$here"
started=$SECONDS
node --test --test-reporter=spec test/*.test.js
echo "microservices tests: passed in $((SECONDS - started)) s" >&2
