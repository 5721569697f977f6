#!/usr/bin/env bash
# Builds the N-API addon of kvscope's Node.js agent: addon.c and the LTTng-UST provider `nodejs` (nodejs_tp.h,
# nodejs_tp.c), compiled by plain gcc against the installed Node.js headers (node_api.h only) and linked with
# liblttng-ust. Output: build/node/nodejs_tp.node, which agent.js loads. Beside it nodejs_ctx.node (context.cc, g++
# against node.h: V8's API, so tied to this Node.js), the request context without async hooks; the agent uses an
# AsyncLocalStorage when that one cannot be built or loaded.
# Cached: nothing is done when the inputs (sources, this script, the node binary's version) are unchanged since the
# last build. Installs what it needs through scripts/install-deps.sh (root for apt-get).
set -Eeuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/node"
addon="$out/nodejs_tp.node"
stamp="$out/.inputs.sha256"
log="$out/build.log"

say() { echo "node agent addon: $*" >&2; }

mkdir -p "$out"
exec 9>"$out/.build.lock"
flock 9   # one build at a time (tests and the demo may call this concurrently)

"$root/scripts/install-deps.sh"
command -v node >/dev/null || { say "node is missing: install Node.js 18 or later (apt-get install nodejs)"; exit 1; }
headers="$(node -p "require('path').resolve(process.execPath, '..', '..', 'include', 'node')")"
for h in "$headers/node_api.h" /usr/include/node/node_api.h; do
  if [ -f "$h" ]; then headers="$(dirname "$h")"; break; fi
done
[ -f "$headers/node_api.h" ] || {
  say "no node_api.h next to $(command -v node) nor in /usr/include/node: install Node.js's headers (apt-get install libnode-dev)"
  exit 1
}

ctx="$out/nodejs_ctx.node"
hash="$(cat "$here/addon.c" "$here/nodejs_tp.h" "$here/nodejs_tp.c" "$here/context.cc" "$here/build.sh" "$headers/node_api.h" \
        <(node --version) | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ] && [ -f "$addon" ] && { [ -f "$ctx" ] || [ -f "$ctx.missing" ]; }; then
  say "up to date (${addon#"$root"/})"
  exit 0
fi

started=$SECONDS
tmp="$out/.nodejs_tp.tmp.node"
# -I"$here": nodejs_tp.h includes itself by "./nodejs_tp.h" (LTTNG_UST_TRACEPOINT_INCLUDE).
if ! gcc -O2 -g -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -I"$here" -I"$headers" \
     "$here/addon.c" "$here/nodejs_tp.c" -Wl,--no-as-needed -llttng-ust -ldl -o "$tmp" >"$log" 2>&1; then
  say "FAILED to compile; log: ${log#"$root"/}"
  tail -n 20 "$log" | sed 's/^/  | /' >&2
  exit 1
fi
# The addon must load in this node and export every event's emitter and enabled flag.
if ! node -e "
  const a = require(process.argv[1]);
  for (const e of ['http_server_receive', 'redis_send', 'mysql_reply', 'agent_error', 'snapshot_request'])
    if (typeof a[e] !== 'function' || !(a.enabled[e] instanceof Int32Array)) throw new Error('no ' + e);
" "$tmp" >>"$log" 2>&1; then
  say "FAILED: the built addon does not load in $(node --version); log: ${log#"$root"/}"
  tail -n 20 "$log" | sed 's/^/  | /' >&2
  exit 1
fi
# The context addon is optional (the agent falls back to an AsyncLocalStorage): a failure is said, not fatal.
rm -f "$ctx" "$ctx.missing"
ctxtmp="$out/.nodejs_ctx.tmp.node"
if [ -f "$headers/node.h" ] && command -v g++ >/dev/null &&
   g++ -O2 -g -Wall -Wextra -Werror -std=c++17 -fPIC -shared -fvisibility=hidden -isystem "$headers" "$here/context.cc" \
     -o "$ctxtmp" >>"$log" 2>&1 &&
   node -e "const c = require(process.argv[1]); c.set(7); if (c.get() !== 7) throw new Error('get/set');" "$ctxtmp" \
     >>"$log" 2>&1; then
  mv "$ctxtmp" "$ctx"
else
  rm -f "$ctxtmp"
  say "note: nodejs_ctx.node not built (no node.h or g++?; log: ${log#"$root"/}): the agent will use an AsyncLocalStorage"
  touch "$ctx.missing"
fi
mv "$tmp" "$addon"
echo "$hash" >"$stamp"
say "built in $((SECONDS - started)) s: ${addon#"$root"/} (Node.js $(node --version), headers $headers)"
