package kvscope.analysis.model;

import kvscope.analysis.segments.SegmentWriter;
import kvscope.ctf.Event;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What every handler works with for the event at hand: the event, its time, its server and thread, the field
 * handles, the time line of the model and the segment file. One instance, reused for every event.
 */
final class Ctx {
    final Fields f;
    final Timeline tl;
    final SegmentWriter segments;
    final kvscope.analysis.flows.FlowWriter flows;
    final BusLog busLog;
    /** No write events in this trace (light profile): a request ends when its command does. */
    final boolean commandsOnly;
    final ModelCounters counters;
    /** The trace has file events (full profile): a freed connection is forgotten when its fd leaves the loop. */
    final boolean hasFileEvents;

    Event e;
    long t;
    /** Sequence number and name of the current event (for the connections' recent-event lists). */
    long seq;
    String eventName;
    ServerState s;
    ThreadState thread;

    Ctx(Fields f, Timeline tl, SegmentWriter segments, kvscope.analysis.flows.FlowWriter flows, BusLog busLog,
        boolean commandsOnly, boolean hasFileEvents, ModelCounters counters) {
        this.flows = flows;
        this.busLog = busLog;
        this.hasFileEvents = hasFileEvents;
        this.f = f;
        this.tl = tl;
        this.segments = segments;
        this.commandsOnly = commandsOnly;
        this.counters = counters;
    }

    /**
     * Which command of a {@code commands} event (the light profile's batch) the handlers see, or -1 for an ordinary
     * event: the accessors below then read element {@code item} of the event's sequences (see CommandBatch).
     */
    int item = -1;
    String itemName;
    long itemStart;

    int fd() { return (int) (item < 0 ? e.getLong(f.fd) : e.getLong(f.fd, item)); }
    long id() { return item >= 0 ? e.getLong(f.id, item) : e.has(f.id) ? e.getLong(f.id) : 0; }
    long start() { return item < 0 ? s.fromRaw(e.getLong(f.startNs)) : itemStart; }
    long num(kvscope.ctf.Field field) {
        return item < 0 ? Fields.get(e, field, 0) : e.has(field) ? e.getLong(field, item) : 0;
    }
    String str(kvscope.ctf.Field field) { return item >= 0 && field == f.name ? itemName : Fields.str(e, field, ""); }
    int vtid() { return thread == null ? 0 : thread.vtid; }

    /**
     * The connection this event is about, by (fd, client id). A connection the model has not seen accepted (the
     * trace started after it was, or its accept was lost), or an fd now used by another client id without a free in
     * between, gets a fresh state marked partial — counted, so the report can say how much was inferred.
     */
    Conn conn(String typeIfNew) {
        int fd = fd();
        long id = id();
        var c = s.conn(fd);
        if (c != null && c.open && c.id == id) {
            c.recent.add(seq, eventName, t, vtid());
            return c;
        }
        return adopt(c, fd, id, typeIfNew);
    }

    /** The rare case of {@link #conn}, apart so the JIT does not inline it into every handler. */
    private Conn adopt(Conn c, int fd, long id, String typeIfNew) {
        if (c != null && c.open) s.stats.fdReusedWithoutFree++;
        s.stats.connectionsSeenMidLife++;
        c = s.connOrNew(fd);
        c.reset(id, typeIfNew, "", true);
        tl.set(t, c.qType, typeIfNew);
        tl.set(t, c.qId, id);
        tl.set(t, c.qStatus, "UNKNOWN");
        c.recent.add(seq, eventName, t, vtid());
        return c;
    }

    /** The connection on this event's fd whatever its id (file events carry no id), or null. */
    Conn connByFd() {
        var c = s.conn(fd());
        return c != null && c.open ? c : null;
    }

    void segment(Conn c, int i, long writeStart, long replyEnd, long bytesOut, int writeThread) {
        try {
            segments.add(s.index, c.fd, c.id, c.wCommand[i], c.wReadable[i], c.wReadStart[i], c.wReadEnd[i],
                    c.wCommandStart[i], c.wCommandEnd[i], writeStart, replyEnd, c.wBytesIn[i], bytesOut,
                    c.wReadThread[i], writeThread);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
