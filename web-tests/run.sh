#!/usr/bin/env bash
# Browser tests of the kvscope page: installs Chromium (Debian) and playwright-core (npm), records real traces with
# the demos (instrumented Redis + LTTng; the microservice application traced by the Node.js agent), then drives the
# page. Screenshots land in web-tests/out/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "web-tests: Chromium is missing: apt-get install chromium" >&2; exit 1; fi
  echo "web-tests: installing chromium…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The version is pinned in package.json; no lockfile is kept (it would name the registry's host).
npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null
node tsp-json-bigint.mjs # the Trace Viewer client's JSON parser: see the file
trace="$here/out/trace"
rm -rf "$trace"
mkdir -p "$here/out"
"$here/../kvscope" demo --no-serve --requests 3000 -o "$trace" > "$here/out/demo.log"
# The services: the microservice application with its injected problems, recorded by the other demo.
services="$here/out/services-trace"
rm -rf "$services" "$services-app"
"$here/../kvscope" demo --scenario microservices --no-serve --requests 150 -o "$services" > "$here/out/services-demo.log"
KVSCOPE_TRACE="$trace" KVSCOPE_SERVICES_TRACE="$services" npm test
KVSCOPE_TRACE="$trace" KVSCOPE_SERVICES_TRACE="$services" node --test --test-reporter=spec views.test.mjs
node --test --test-reporter=spec replication.test.mjs # records its own trace (replication-record.sh)
# Your own OpenTelemetry spans (issue #18 §2): records its own trace and spans (ownspans-load.sh).
node --test --test-reporter=spec ownspans.test.mjs
node --test --test-reporter=spec live.test.mjs # a live session it records itself, followed by serve --live (issue #16 §4)
