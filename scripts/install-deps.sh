#!/usr/bin/env bash
# Installs the Debian packages kvscope needs (LTTng, babeltrace2, the Redis build chain, stock Redis for
# comparisons). Quiet and fast when everything is already there. Needs root (apt-get).
set -euo pipefail
packages=(
  lttng-tools liblttng-ust-dev babeltrace2 python3-bt2      # tracing and the reference CTF reader
  build-essential pkg-config libssl-dev dpkg-dev devscripts  # building Debian's redis source package
  libsystemd-dev libjemalloc-dev liblzf-dev libhiredis-dev   # Debian's redis build deps (debian/control)
  liblua5.1-0-dev lua-bitop-dev lua-cjson-dev
  tcl tcl-tls openssl                                         # redis's own test suite (./runtest)
  redis-server redis-tools                                    # stock redis, the baseline in benchmarks
  iproute2 procps
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "kvscope: these Debian packages are missing: ${missing[*]}" >&2
  echo "  install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "kvscope: installing ${missing[*]}…" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's redis-server package starts a server on 6379 where an init system runs; we start our own.
if command -v systemctl >/dev/null && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl disable --now redis-server >/dev/null 2>&1 || true
fi
