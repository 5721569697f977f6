#!/usr/bin/env bash
# Browser tests of the kvscope page: installs Chromium (Debian) and playwright-core (npm), records a real trace with
# the demo (instrumented Redis + LTTng), then drives the page. Screenshots land in web-tests/out/.
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
trace="$here/out/trace"
rm -rf "$trace"
mkdir -p "$here/out"
"$here/../kvscope" demo --no-serve --requests 3000 -o "$trace" > "$here/out/demo.log"
KVSCOPE_TRACE="$trace" npm test
