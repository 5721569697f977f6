#!/usr/bin/python3
"""Prints the events of a CTF trace as JSON lines, read by babeltrace2's Python bindings (the reference reader, not
kvscope's): {"name", "ts" (ns from origin), "vpid", "fields": {payload}}. Argument 2, if given, keeps only events
whose name starts with one of its comma-separated prefixes. The agent's tests check the trace through this."""
import json
import sys

import bt2


def value(f):
    if isinstance(f, bt2._StringFieldConst):
        # babeltrace2 2.0.4 (Debian 12) can return a stale value for an empty string field (one of an earlier event
        # of another stream) while its length is right (fixed upstream, review.lttng.org/c/babeltrace/+/4528): the
        # length in bytes is the truth.
        return str(f).encode("utf-8")[:len(f)].decode("utf-8", "replace")
    if isinstance(f, (bt2._IntegerFieldConst, bt2._BoolFieldConst)):
        return int(f)
    if isinstance(f, bt2._RealFieldConst):
        return float(f)
    if isinstance(f, bt2._StructureFieldConst):
        return {k: value(v) for k, v in f.items()}
    if isinstance(f, bt2._ArrayFieldConst):
        return [value(v) for v in f]
    return str(f)


prefixes = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else ()
out = sys.stdout
for msg in bt2.TraceCollectionMessageIterator(sys.argv[1]):
    if type(msg) is bt2._DiscardedEventsMessageConst:
        out.write(json.dumps({"name": "(discarded)", "count": msg.count}) + "\n")
        continue
    if type(msg) is not bt2._EventMessageConst:
        continue
    ev = msg.event
    if prefixes and not ev.name.startswith(prefixes):
        continue
    ctx = ev.common_context_field
    out.write(json.dumps({
        "name": ev.name,
        "ts": msg.default_clock_snapshot.ns_from_origin,
        "vpid": int(ctx["vpid"]) if ctx is not None and "vpid" in ctx else None,
        "fields": value(ev.payload_field),
    }) + "\n")
