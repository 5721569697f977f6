#!/usr/bin/python3
"""The python3-bt2 peer of bench/ctf-read: iterates every event and reads every payload and context field."""
import sys

import bt2

n = 0
acc = 0
for msg in bt2.TraceCollectionMessageIterator(sys.argv[1:]):
    if type(msg) is bt2._EventMessageConst:
        ev = msg.event
        acc += msg.default_clock_snapshot.ns_from_origin
        for f in ev.common_context_field.values():
            acc += len(str(f))
        for f in ev.payload_field.values():
            acc += len(str(f))
        n += 1
print(n, acc % 1000)
