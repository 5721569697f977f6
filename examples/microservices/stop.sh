#!/usr/bin/env bash
# Stops what start.sh started in DIR (default build/microservices): the services, the Redis it started and its
# MariaDB — each only if it is still the process start.sh recorded (its command line is checked, so a recycled pid
# is never signalled). SIGTERM first, SIGKILL after 10 s. Leaves nothing running; the logs stay in DIR/logs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${1:-$root/build/microservices}"
[ -d "$dir" ] || { echo "microservices: no run in $dir" >&2; exit 1; }

# The pids start.sh recorded whose process still runs the program it started.
ours=()
if [ -f "$dir/pids" ]; then
  while read -r name pid path; do
    [ -n "${pid:-}" ] && [ -r "/proc/$pid/cmdline" ] || continue
    if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$path"; then
      ours+=("$pid")
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done <"$dir/pids"
fi
for _ in $(seq 1 100); do
  alive=()
  for pid in "${ours[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.1
done
for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
db=""
if [ -f "$dir/mariadb/mariadb.pid" ]; then db=" and its MariaDB"; fi
"$here/mariadb.sh" stop "$dir/mariadb"
rm -f "$dir/pids"
echo "microservices: stopped ${#ours[@]} processes$db ($dir)" >&2
