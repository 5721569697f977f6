#!/usr/bin/env bash
# A MariaDB server of our own, on loopback, with its data directory under DIR: no system service, no container.
#   mariadb.sh start DIR PORT   initialises DIR/data (a copy of a template made once by mariadb-install-db and kept in
#                               build/mariadb-template), starts mariadbd, creates the database `shop` and its user,
#                               prints one JSON line: {"address","port","socket","user","password","database","pid","slowLog"}
#   mariadb.sh stop DIR         stops it (SIGTERM, then SIGKILL after 30 s) and waits until it is gone
# The slow query log (DIR/slow.log, every statement of 1 ms or more) measures the injected slow query independently.
# Needs mariadb-server (scripts/setup-microservices.sh installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

die() { echo "mariadb.sh: $*" >&2; exit 1; }
usage() { die "usage: mariadb.sh start DIR PORT | mariadb.sh stop DIR"; }

# Small files: the servers of the example and the tests are short-lived and hold little.
opts=(--no-defaults --user=root --innodb-log-file-size=8M --innodb-buffer-pool-size=32M --skip-name-resolve)

template() {
  local tpl="$root/build/mariadb-template" version
  version="$(mariadbd --version 2>/dev/null)" || die "mariadbd is missing: run scripts/setup-microservices.sh"
  mkdir -p "$root/build"
  exec 8>"$root/build/.mariadb-template.lock"
  flock 8
  if [ ! -f "$tpl/.version" ] || [ "$(cat "$tpl/.version")" != "$version" ]; then
    rm -rf "$tpl" "$tpl.tmp"
    mkdir -p "$tpl.tmp"
    mariadb-install-db "${opts[@]}" --datadir="$tpl.tmp" --auth-root-authentication-method=normal \
      --skip-test-db >"$root/build/mariadb-template.log" 2>&1 ||
      { tail -n 20 "$root/build/mariadb-template.log" >&2; die "mariadb-install-db failed"; }
    echo "$version" >"$tpl.tmp/.version"
    mv "$tpl.tmp" "$tpl"
  fi
  exec 8>&-
  echo "$tpl"
}

start() {
  local dir="$1" port="$2" tpl sock pid
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [ -f "$dir/mariadb.pid" ] && kill -0 "$(cat "$dir/mariadb.pid")" 2>/dev/null && die "a server already runs on $dir"
  tpl="$(template)"
  rm -rf "$dir/data"
  cp -a "$tpl" "$dir/data"
  sock="$dir/mysqld.sock"
  setsid mariadbd "${opts[@]}" --datadir="$dir/data" --socket="$sock" --port="$port" --bind-address=127.0.0.1 \
    --pid-file="$dir/mariadb.pid" --log-error="$dir/error.log" --skip-log-bin \
    --slow-query-log=1 --slow-query-log-file="$dir/slow.log" --long-query-time=0.001 \
    </dev/null >/dev/null 2>&1 &
  pid=$!
  echo "$pid" >"$dir/mariadb.pid"
  for _ in $(seq 1 300); do
    if mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1; then break; fi
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$dir/error.log" >&2; die "mariadbd exited while starting"; }
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$sock" -uroot ping >/dev/null 2>&1 ||
    { tail -n 20 "$dir/error.log" >&2; die "mariadbd did not answer in 30 s"; }
  mariadb --no-defaults --socket="$sock" -uroot -e "
    CREATE DATABASE IF NOT EXISTS shop;
    CREATE USER IF NOT EXISTS 'shop'@'127.0.0.1' IDENTIFIED BY 'shop';
    GRANT ALL ON shop.* TO 'shop'@'127.0.0.1';"
  printf '{"address":"127.0.0.1:%s","port":%s,"socket":"%s","user":"shop","password":"shop","database":"shop","pid":%s,"slowLog":"%s"}\n' "$port" \
    "$port" "$sock" "$pid" "$dir/slow.log"
}

stop() {
  local dir="$1" pid
  [ -f "$dir/mariadb.pid" ] || return 0
  pid="$(cat "$dir/mariadb.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$dir/mariadb.pid"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  *) usage ;;
esac
