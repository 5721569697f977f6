#!/usr/bin/env bash
# Installs what examples/microservices and the Node agent's tests need: MariaDB from Debian (mariadb-server; its
# system service is neither started nor enabled: we run our own servers on our own data directories), Node.js and
# npm, and the npm packages of examples/microservices and instrument/node/test (versions pinned in their
# package.json; no lockfile is kept, it would name the registry's host). Idempotent and quiet when nothing is missing.
# Needs root for apt-get; the npm registry for the packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "setup-microservices: $*" >&2; }

missing=()
for p in mariadb-server mariadb-client; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing: ${missing[*]}; install them as root: apt-get install ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}…"
  export DEBIAN_FRONTEND=noninteractive
  # Keep Debian's maintainer scripts from starting the system MariaDB (port 3306) while installing: a policy-rc.d
  # that refuses every start, unless the machine already has one.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; added_policy=1
  fi
  trap '[ "$added_policy" = 1 ] && rm -f "$policy"' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if command -v systemctl >/dev/null && systemctl is-enabled --quiet mariadb 2>/dev/null; then
    systemctl disable --now mariadb >/dev/null 2>&1 || true
  fi
fi

# npm packages: installed when package.json changed since the last install (or node_modules is missing).
for dir in examples/microservices instrument/node/test; do
  d="$root/$dir"
  [ -f "$d/package.json" ] || continue
  stamp="$d/node_modules/.kvscope-package.sha256"
  sum="$(sha256sum "$d/package.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then continue; fi
  say "npm install in $dir…"
  (cd "$d" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$sum" >"$stamp"
done
