#!/usr/bin/env bash
# Installs the npm packages of the `kvscope analyze --spans` test (versions pinned in package.json; no lockfile, it
# would name the registry's host). Quiet and quick when package.json has not changed since the last install.
set -euo pipefail
d="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v npm >/dev/null || { echo "otel-spans: npm is missing (scripts/setup-microservices.sh installs it)" >&2; exit 1; }
stamp="$d/node_modules/.kvscope-package.sha256"
sum="$(sha256sum "$d/package.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then exit 0; fi
echo "otel-spans: npm install…" >&2
(cd "$d" && npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null)
echo "$sum" >"$stamp"
