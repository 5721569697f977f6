package kvscope.analysis.export;

import kvscope.analysis.segments.SegmentFile;

/**
 * Finds the request segment of a connection that was under way at an instant: where a flow (a PUBLISH, a MOVED) starts
 * or ends inside a request. A block-indexed scan of the segment file: reads only the blocks whose time span holds the
 * instant, so a lookup per flow costs a few blocks, not a table of every request in memory.
 */
final class SegmentLookup {
    private final SegmentFile segments;
    private long found;

    SegmentLookup(SegmentFile segments) { this.segments = segments; }

    /** The index of the request on (server, fd) that holds time t, or −1. */
    long at(int server, int fd, long t) {
        found = -1;
        segments.scan(t, t, server, -1, c -> {
            if (found < 0 && c.fd() == fd && c.start() <= t && t <= c.end()) found = c.index();
        });
        return found;
    }
}
