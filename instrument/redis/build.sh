#!/usr/bin/env bash
# Builds the LTTng-instrumented Redis: Debian's redis 7.0 source package (with Debian's own patches), plus
# redis-lttng.patch and the tracepoint provider (redis_tp.h, redis_tp.c), built like debian/rules does (TLS,
# system jemalloc, systemd) and linked against liblttng-ust. Installs build/redis/bin/{redis-server,redis-cli,
# redis-benchmark}; the patched source tree stays in build/redis-src/redis (Redis's own test suite runs there).
# Cached: nothing is done when the inputs (patch, provider, this script) are unchanged since the last build.
# Needs root for apt-get (the deb-src entry, the source package, the build dependencies).
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$root/build"
srcdir="$build/redis-src"          # downloaded source package + the patched tree
tree="$srcdir/redis"
out="$build/redis"
log="$build/redis-build.log"
stamp="$out/.inputs.sha256"
jobs="${KVSCOPE_BUILD_JOBS:-2}"

say() { echo "instrumented redis: $*" >&2; }
rel() { echo "${1#"$root"/}"; }

mkdir -p "$build"
exec 9>"$build/.redis-build.lock"
flock 9   # one build at a time (tests and the demo may call this concurrently)

hash="$(cat "$here/redis-lttng.patch" "$here/redis_tp.h" "$here/redis_tp.c" "$here/build.sh" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] &&
   [ -x "$out/bin/redis-server" ] && [ -x "$out/bin/redis-cli" ] && [ -x "$out/bin/redis-benchmark" ] &&
   [ -d "$tree/src" ]; then
  say "up to date ($(rel "$out")/bin, $(cat "$out/VERSION" 2>/dev/null || echo '?'))"
  exit 0
fi

step="start"
fail() {
  say "FAILED while $step; log: $(rel "$log")"
  [ -s "$log" ] && tail -n 15 "$log" | sed 's/^/  | /' >&2
  exit 1
}
trap fail ERR
started=$SECONDS
: >"$log"

step="installing Debian packages (scripts/install-deps.sh)"
"$root/scripts/install-deps.sh" >>"$log" 2>&1

# --- Debian's source package -------------------------------------------------------------------------------
have_deb_src() {
  grep -rqsE '^[[:space:]]*(Types:.*\bdeb-src\b|deb-src[[:space:]])' /etc/apt/sources.list /etc/apt/sources.list.d/
}
step="configuring a deb-src entry"
if ! have_deb_src; then
  if [ "$(id -u)" -ne 0 ]; then
    say "no deb-src entry in /etc/apt; run this script as root (it adds one for Debian's redis source)"; exit 1
  fi
  # Mirror the existing binary entries as source entries, in a separate file (the originals stay untouched).
  list=/etc/apt/sources.list.d/kvscope-deb-src
  tmp="$(mktemp)"
  for f in /etc/apt/sources.list.d/*.sources; do
    if [ -f "$f" ] && grep -qE '^Types:(.*[[:space:]])?deb([[:space:]]|$)' "$f"; then
      sed -E 's/^Types:.*/Types: deb-src/' "$f"; echo
    fi
  done >"$tmp"
  if [ -s "$tmp" ]; then install -m 644 "$tmp" "$list.sources"; fi
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ -f "$f" ]; then sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"; fi
  done >"$tmp"
  if [ -s "$tmp" ]; then install -m 644 "$tmp" "$list.list"; fi
  rm -f "$tmp"
  have_deb_src || { say "found no Debian entry in /etc/apt to derive a deb-src entry from"; exit 1; }
  say "added a deb-src entry ($(ls $list.* | tr '\n' ' '))"
  apt-get update -qq >>"$log" 2>&1
fi

step="downloading Debian's redis source package (apt-get source)"
mkdir -p "$srcdir/debian-source"
cd "$srcdir/debian-source"
dsc="$(ls -t redis_7.0.*.dsc 2>/dev/null | head -n1 || true)"
if [ -z "$dsc" ]; then
  say "downloading Debian's redis source package…"
  if ! apt-get source --download-only redis >>"$log" 2>&1; then
    apt-get update -qq >>"$log" 2>&1
    apt-get source --download-only redis >>"$log" 2>&1
  fi
  dsc="$(ls -t redis_7.0.*.dsc 2>/dev/null | head -n1 || true)"
  [ -n "$dsc" ] || { echo "apt-get source gave no redis 7.0 .dsc: $(ls)" >>"$log"; false; }
fi
version="$(sed -n 's/^Version: //p' "$dsc")"

step="unpacking $dsc with Debian's patches (dpkg-source -x)"
rm -rf "$tree" "$tree.tmp"
dpkg-source --no-check -x "$dsc" "$tree.tmp" >>"$log" 2>&1
mv "$tree.tmp" "$tree"

step="applying redis-lttng.patch"
cp "$here/redis_tp.h" "$here/redis_tp.c" "$tree/src/"
patch -d "$tree" -p1 --forward --batch <"$here/redis-lttng.patch" >>"$log" 2>&1

# --- build as debian/rules does -----------------------------------------------------------------------------
step="building (make -j$jobs)"
say "building Debian redis $version with tracepoints (log: $(rel "$log"))…"
eval "$(cd "$tree" && DEB_BUILD_MAINT_OPTIONS=hardening=+all DEB_CFLAGS_MAINT_APPEND=-I/usr/include/liblzf \
        DEB_LDFLAGS_MAINT_APPEND='-Wl,-no-as-needed -ldl -latomic -llzf' dpkg-buildflags --export=sh)"
make -C "$tree" -j"$jobs" V=1 BUILD_TLS=yes USE_SYSTEM_JEMALLOC=yes USE_SYSTEMD=yes USE_JEMALLOC=yes >>"$log" 2>&1

step="checking the binaries"
ldd "$tree/src/redis-server" | grep liblttng-ust >/dev/null ||
  { echo "redis-server is not linked against liblttng-ust" >>"$log"; false; }
nm "$tree/src/redis-server" | grep 'lttng_ust_tracepoint_redis___call_command_end' >/dev/null ||
  { echo "redis-server lacks the redis tracepoints" >>"$log"; false; }

step="installing into $(rel "$out")/bin"
rm -rf "$out"
mkdir -p "$out/bin"
install -m 755 "$tree/src/redis-server" "$tree/src/redis-cli" "$tree/src/redis-benchmark" "$out/bin/"
echo "$version" >"$out/VERSION"
echo "$hash" >"$stamp"
trap - ERR
say "built in $((SECONDS - started)) s: $(rel "$out")/bin/redis-server, redis-cli, redis-benchmark (Debian $version)"
