#!/usr/bin/python3
"""Prints every event of the given CTF traces, as babeltrace2 reads them, in kvscope's JSON-lines format.

{"ts": ns, "name": "...", "cpu": n, "context": {...}, "fields": {...}} per event; {"ts": end, "lost": n} per
discarded-events message. Used by kvscope's differential tests as the reference.
"""
import json
import math
import sys

import bt2


def value(f):
    if isinstance(f, bt2._StringFieldConst):
        # bt2 hands invalid UTF-8 through as surrogate escapes; the JSON format replaces it with U+FFFD.
        return str(f).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(f, bt2._EnumerationFieldConst):
        return int(f)
    if isinstance(f, bt2._IntegerFieldConst):
        return int(f)
    if isinstance(f, bt2._BoolFieldConst):
        return bool(f)
    if isinstance(f, bt2._RealFieldConst):
        x = float(f)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(f, bt2._StructureFieldConst):
        return {k: value(v) for k, v in f.items()}
    if isinstance(f, bt2._VariantFieldConst):
        return value(f.selected_option)
    if isinstance(f, bt2._ArrayFieldConst):
        return [value(x) for x in f]
    if isinstance(f, bt2._OptionFieldConst):
        return None if f.field is None else value(f.field)
    raise TypeError(type(f))


def main():
    limit = None
    args = sys.argv[1:]
    if args and args[0].startswith("--limit="):
        limit = int(args[0][8:])
        args = args[1:]
    out = sys.stdout
    n = 0
    for msg in bt2.TraceCollectionMessageIterator(args):
        if type(msg) is bt2._EventMessageConst:
            ev = msg.event
            ctx = {}
            if ev.common_context_field is not None:
                ctx.update(value(ev.common_context_field))
            if ev.specific_context_field is not None:
                ctx.update(value(ev.specific_context_field))
            pc = ev.packet.context_field if ev.packet is not None else None
            cpu = int(pc["cpu_id"]) if pc is not None and "cpu_id" in pc else None
            payload = value(ev.payload_field) if ev.payload_field is not None else {}
            rec = {"ts": msg.default_clock_snapshot.ns_from_origin, "name": ev.name, "cpu": cpu,
                   "context": ctx, "fields": payload}
        elif type(msg) is bt2._DiscardedEventsMessageConst:
            rec = {"ts": msg.end_default_clock_snapshot.ns_from_origin, "lost": msg.count,
                   "start": msg.beginning_default_clock_snapshot.ns_from_origin}
        else:
            continue
        out.write(json.dumps(rec, ensure_ascii=False))
        out.write("\n")
        n += 1
        if limit is not None and n >= limit:
            break


if __name__ == "__main__":
    main()
