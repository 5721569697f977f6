#!/usr/bin/env bash
# Concurrent ioredis load traced by a real OpenTelemetry SDK (cli/src/test/node/otel-spans) on one instrumented Redis
# server: run under `kvscope record -- …` by ownspans.test.mjs, it gives the page a real trace and the user's own
# spans of it (OTLP/JSON, written to $1) to link with `kvscope analyze --spans`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/redis/bin"
spans="$1"
"$root/cli/src/test/node/otel-spans/install.sh"
port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$bin/redis-server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --logfile "$dir/log" &
server=$!
for _ in $(seq 100); do "$bin/redis-cli" -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
sleep 1.1 # one server_info event, which names the server host:port
(cd "$root/cli/src/test/node/otel-spans" && node otel-load.js "$port" "$spans" "$dir/truth.json" 3 60 >/dev/null)
"$bin/redis-cli" -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$server"
wait "$server" || true
