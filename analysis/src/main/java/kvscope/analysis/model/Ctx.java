package kvscope.analysis.model;

import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.ctf.Event;
import kvscope.ctf.Field;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What every handler works with for the event at hand: the event, its time, its server and thread, the field
 * handles, the time line of the model and the segment file. One instance, reused for every event.
 */
final class Ctx {
    final Fields fields;
    final Timeline timeline;
    final SegmentWriter segments;
    final FlowWriter flows;
    final BusLog busLog;
    /** No write events in this trace (light profile): a request ends when its command does. */
    final boolean commandsOnly;
    final ModelCounters counters;
    /** The trace has file events (full profile): a freed connection is forgotten when its fd leaves the loop. */
    final boolean hasFileEvents;

    Event event;
    long time;
    /** Sequence number and name of the current event (for the connections' recent-event lists). */
    long seq;
    String eventName;
    ServerState server;
    ThreadState thread;

    Ctx(Fields fields, Timeline timeline, SegmentWriter segments, FlowWriter flows, BusLog busLog,
        boolean commandsOnly, boolean hasFileEvents, ModelCounters counters) {
        this.flows = flows;
        this.busLog = busLog;
        this.hasFileEvents = hasFileEvents;
        this.fields = fields;
        this.timeline = timeline;
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

    int fd() { return (int) (item < 0 ? event.getLong(fields.fd) : event.getLong(fields.fd, item)); }
    long id() { return item >= 0 ? event.getLong(fields.id, item) : event.has(fields.id) ? event.getLong(fields.id) : 0; }
    /** When the phase this event ends began; in a layout without start_ns, the event's own time (a phase of no length). */
    long start() {
        if (item >= 0) return itemStart;
        return event.has(fields.startNs) ? server.fromRaw(event.getLong(fields.startNs)) : time;
    }
    long num(Field field) {
        return item < 0 ? Fields.get(event, field, 0) : event.has(field) ? event.getLong(field, item) : 0;
    }
    String str(Field field) { return item >= 0 && field == fields.name ? itemName : Fields.str(event, field, ""); }
    /**
     * Whether a write_to_client_end sent the whole reply: its {@code done}; in a layout without it, whether the write
     * left nothing {@code pending}; without either, yes (Layouts says so in the report).
     */
    boolean replyDone() {
        if (event.has(fields.done)) return event.getLong(fields.done) != 0;
        if (event.has(fields.pending)) return event.getLong(fields.pending) - Math.max(0, num(fields.nwritten)) <= 0;
        return true;
    }

    int vtid() { return thread == null ? 0 : thread.vtid; }

    /**
     * The connection this event is about, by (fd, client id). A connection the model has not seen accepted (the
     * trace started after it was, or its accept was lost), or an fd now used by another client id without a free in
     * between, gets a fresh state marked partial — counted, so the report can say how much was inferred.
     */
    Conn conn(String typeIfNew) {
        int fd = fd();
        long id = id();
        var c = server.conn(fd);
        // An event without a client id (another layout) belongs to whichever client holds the fd; a connection first
        // seen on such an event takes the id of the next event that has one.
        boolean noId = item < 0 && !event.has(fields.id);
        if (c != null && c.open && (c.id == id || noId || c.idUnknown)) {
            if (c.idUnknown && !noId) {
                c.idUnknown = false;
                c.id = id;
                timeline.set(time, c.qId, id);
            }
            c.recent.add(seq, eventName, time, vtid());
            return c;
        }
        return adopt(c, fd, id, typeIfNew);
    }

    /** The rare case of {@link #conn}, apart so the JIT does not inline it into every handler. */
    private Conn adopt(Conn c, int fd, long id, String typeIfNew) {
        if (c != null && c.open) server.stats.fdReusedWithoutFree++;
        server.stats.connectionsSeenMidLife++;
        c = server.connOrNew(fd);
        c.reset(id, typeIfNew, "", true);
        c.midLife = true;
        c.idUnknown = item < 0 && !event.has(fields.id);
        timeline.set(time, c.qType, typeIfNew);
        timeline.set(time, c.qId, id);
        timeline.clear(time, c.qPeer);
        timeline.clear(time, c.qClient);
        timeline.set(time, c.qStatus, "UNKNOWN");
        c.recent.add(seq, eventName, time, vtid());
        return c;
    }

    /** The connection on this event's fd whatever its id (file events carry no id), or null. */
    Conn connByFd() {
        var c = server.conn(fd());
        return c != null && c.open ? c : null;
    }

    void segment(Conn c, int i, long writeStart, long replyEnd, long bytesOut, int writeThread) {
        try {
            segments.add(server.index, c.fd, c.id, c.wCommand[i], c.wReadable[i], c.wReadStart[i], c.wReadEnd[i],
                    c.wCommandStart[i], c.wCommandEnd[i], writeStart, replyEnd, c.wBytesIn[i], bytesOut,
                    c.wReadThread[i], writeThread, c.wBlockStart[i], c.wBlockEnd[i], c.wBlockReason[i]);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
