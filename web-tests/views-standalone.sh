#!/usr/bin/env bash
# A load on one instrumented Redis server, no cluster: run under `kvscope record -- …` by run.sh, it gives the views
# test a real trace with no cluster bus (the Data volume view must say so instead of drawing an empty box).
set -euo pipefail
bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/redis/bin"
port="$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$bin/redis-server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --logfile "$dir/log" &
server=$!
for _ in $(seq 100); do "$bin/redis-cli" -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$bin/redis-benchmark" -p "$port" -n 2000 -c 4 -t set,get -q >/dev/null
sleep 1.1 # one server_info event, which names the server host:port
"$bin/redis-cli" -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$server"
wait "$server" || true
