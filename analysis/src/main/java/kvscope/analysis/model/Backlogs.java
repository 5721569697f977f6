package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Output-buffer backlogs: a client whose reply bytes pile up faster than Redis can write them to its socket (a slow
 * subscriber, a client that stopped reading, a huge reply). A stretch starts at the first write that leaves bytes
 * behind and ends when a write empties the buffer, the client is freed, events are lost or the trace ends. Only the
 * largest stretches are kept, so memory is bounded whatever the trace.
 */
final class Backlogs {
    static final int KEEP = 256;
    /** Stretches smaller than this are not kept at all: the findings' thresholds start far above. */
    static final long MIN_BYTES = 64 * 1024;

    private final PriorityQueue<OpenBacklog> largest = new PriorityQueue<>(
            Comparator.comparingLong((OpenBacklog b) -> b.maxBytes));

    void register(Dispatch d) {
        d.on("write_to_client_end", FD, this::written);
        d.on("free_client", FD, c -> {
            var conn = c.conn("client");
            long unsent = c.num(c.fields.pendingReply);
            if (conn.backlog == null && unsent >= MIN_BYTES) open(c, conn, unsent, 0);
            if (conn.backlog != null) {
                conn.backlog.endBytes = unsent;
                conn.backlog.maxBytes = Math.max(conn.backlog.maxBytes, unsent);
                end(conn, c.time, "freed");
            }
        });
    }

    private void written(Ctx c) {
        var conn = c.conn("client");
        long left = conn.pendingReply; // set by Connections from this write (registered before)
        long n = Math.max(0, c.num(c.fields.nwritten));
        var b = conn.backlog;
        if (b == null) {
            if (left > 0) open(c, conn, left, n);
            return;
        }
        b.writes++;
        b.bytesWritten += n;
        if (left > b.endBytes) b.increases++;
        b.endBytes = left;
        if (left > b.maxBytes) {
            b.maxBytes = left;
            b.maxAt = c.time;
        }
        if (left == 0) end(conn, c.time, "drained");
    }

    private static void open(Ctx c, Conn conn, long bytes, long written) {
        var b = new OpenBacklog(c.server, conn, c.time);
        b.startBytes = bytes;
        b.maxBytes = bytes;
        b.maxAt = c.time;
        b.endBytes = bytes;
        b.writes = written > 0 ? 1 : 0;
        b.bytesWritten = written;
        conn.backlog = b;
    }

    private void end(Conn conn, long t, String how) {
        var b = conn.backlog;
        conn.backlog = null;
        b.end = t;
        b.ending = how;
        if (b.maxBytes < MIN_BYTES) return;
        if (largest.size() < KEEP) largest.add(b);
        else if (b.maxBytes > largest.peek().maxBytes) {
            largest.poll();
            largest.add(b);
        }
    }

    /** Events were lost: what the client's buffer did meanwhile is unknown. */
    void lost(Conn conn, long t) {
        if (conn.backlog != null) end(conn, t, "lost");
    }

    /** Ends the stretches still open at the end of the trace. */
    void finish(Iterable<Conn> open, long t) {
        for (var conn : open) if (conn.backlog != null) end(conn, t, "trace-end");
    }

    /** The largest stretches, largest first, under their servers' final names. */
    List<Backlog> largest() {
        var out = new ArrayList<>(largest);
        out.sort((a, b) -> Long.compare(b.maxBytes, a.maxBytes));
        return out.stream().map(OpenBacklog::build).toList();
    }
}
