#!/usr/bin/python3
"""Prints every event of a CTF trace, read by babeltrace2's Python bindings (the reference reader), one per line:
name TAB clock-cycles TAB vpid TAB vtid TAB procname TAB field=value TAB ...   (payload fields, in order)
An optional second argument, a comma-separated list of event names, keeps only those (faster for big traces).
Discarded-events notices become lines: #discarded TAB count. Tabs, newlines and backslashes in values are escaped."""
import sys
import bt2


def text(v):
    # babeltrace2 2.0.4 (Debian 12) can return a stale value for an EMPTY string field — one of an earlier event of
    # another stream, e.g. another process's with per-user buffers — while the field's length is right (fixed
    # upstream in review.lttng.org/c/babeltrace/+/4528): the length in bytes is the truth.
    if isinstance(v, bt2._StringFieldConst):
        return str(v).encode('utf-8')[:len(v)].decode('utf-8', 'replace')
    return str(v)


def esc(v):
    return text(v).replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')


def main(path, only):
    out = sys.stdout
    for msg in bt2.TraceCollectionMessageIterator(path):
        if type(msg) is bt2._EventMessageConst:
            ev = msg.event
            if only is not None and ev.name not in only:
                continue
            ctx = ev.common_context_field
            parts = [ev.name, str(msg.default_clock_snapshot.value),
                     str(ctx['vpid']) if ctx is not None and 'vpid' in ctx else '',
                     str(ctx['vtid']) if ctx is not None and 'vtid' in ctx else '',
                     esc(ctx['procname']) if ctx is not None and 'procname' in ctx else '']
            payload = ev.payload_field
            if payload is not None:
                for k in payload:
                    parts.append(k + '=' + esc(payload[k]))
            out.write('\t'.join(parts))
            out.write('\n')
        elif type(msg) is bt2._DiscardedEventsMessageConst:
            out.write('#discarded\t%s\n' % (msg.count if msg.count is not None else -1))


if __name__ == '__main__':
    main(sys.argv[1], set(sys.argv[2].split(',')) if len(sys.argv) > 2 else None)
