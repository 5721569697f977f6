#!/usr/bin/env bash
# Regenerates redis-lttng.patch from two trees: A, Debian's pristine source (dpkg-source -x of the .dsc that
# build.sh downloaded), and B, a copy of it changed by hand (apply the current patch to start). The hunks are
# diff's own; only the file headers are normalised (no timestamps, no -x options) so the patch diffs cleanly in git.
# Usage: instrument/redis/regen-patch.sh A B   (redis_tp.h/.c live beside this script, not in the patch)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
a="$1" b="$2"
parent="$(cd "$(dirname "$a")" && pwd)"
[ "$parent" = "$(cd "$(dirname "$b")" && pwd)" ] || { echo "A and B must be in the same folder" >&2; exit 1; }
out="$(mktemp)"
head -n 3 "$here/redis-lttng.patch" >"$out"
(cd "$parent" && diff -ruN -x redis_tp.h -x redis_tp.c -x '*.orig' -x '*.rej' "$(basename "$a")" "$(basename "$b")" || [ $? -eq 1 ]) |
  sed -E -e "s#^diff -ruN .* $(basename "$a")/(.*) $(basename "$b")/(.*)\$#diff -ruN a/\\1 b/\\2#" \
         -e "s#^--- $(basename "$a")/([^\t]*)\t.*#--- a/\\1#" -e "s#^\+\+\+ $(basename "$b")/([^\t]*)\t.*#+++ b/\\1#" >>"$out"
mv "$out" "$here/redis-lttng.patch"
