#!/usr/bin/env bash
# Builds blockonbackground.so, a module from Redis's own tests (tests/modules/ of the source tree build.sh patched and
# built), into build/redis/modules/. Redis 7.0 blocks a client with BLOCKED_MODULE only from a module
# (RM_BlockClient); no built-in command does, so the test of that block type (BlockReasonsTest) loads this one with
# --loadmodule: its BLOCK.DEBUG <delay_ms> <timeout_ms> blocks the client while a thread sleeps <delay_ms>.
# A script of its own, not a step of build.sh: build.sh's inputs hash covers build.sh, so an edit there rebuilds Redis.
# Cached: nothing is done when this script and the Redis build (build/redis/.inputs.sha256) are unchanged.
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tree="$root/build/redis-src/redis"
out="$root/build/redis/modules"
module=blockonbackground
stamp="$out/.inputs.sha256"

say() { echo "redis test module: $*" >&2; }

"$here/build.sh"   # cached; build.sh's reinstall removes build/redis, and with it this module
exec 9>"$root/build/.redis-build.lock"
flock 9
hash="$(cat "$here/build-test-module.sh" "$root/build/redis/.inputs.sha256" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && [ -f "$out/$module.so" ]; then
  say "up to date (build/redis/modules/$module.so)"
  exit 0
fi
[ -f "$tree/tests/modules/$module.c" ] || { say "no tests/modules/$module.c in build/redis-src/redis: run instrument/redis/build.sh"; exit 1; }
log="$root/build/redis-test-module.log"
if ! make -C "$tree/tests/modules" "$module.so" >"$log" 2>&1; then
  say "FAILED; log: build/redis-test-module.log"; tail -n 15 "$log" | sed 's/^/  | /' >&2; exit 1
fi
mkdir -p "$out"
# 755: Redis refuses to load a module file without execute permission.
install -m 755 "$tree/tests/modules/$module.so" "$out/"
echo "$hash" >"$stamp"
say "built build/redis/modules/$module.so"
