package kvscope.analysis.views;

import kvscope.statesystem.History;

import java.util.List;
import java.util.Map;

/**
 * Event loop: each server's loop phase (BEFORE_SLEEP, POLL, PROCESS_EVENTS, the I/O-thread fan-outs) and the lengths
 * of its pending read and write queues, from {@code EventLoop/{Phase,PendingReads,PendingWrites}}.
 */
final class EventLoopView extends AttributeTimeGraph {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.eventloop", "Event loop",
            "Each server's event-loop phases and pending read/write queue lengths", Tsp.ProviderType.TIME_GRAPH);

    EventLoopView(History h) { super(h); }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override protected void build(List<Tsp.Entry> entries, Map<Long, RowSpec> rows) {
        for (int server : servers("EventLoop")) {
            int loop = h.lookupUnder(server, "EventLoop");
            entries.add(Tsp.Entry.timeGraph(server, -1, h.name(server), false, h.start(), h.end()));
            add(entries, rows, server, loop, "Phase", "Phase");
            add(entries, rows, server, loop, "PendingReads", "Pending reads");
            add(entries, rows, server, loop, "PendingWrites", "Pending writes");
        }
    }

    private void add(List<Tsp.Entry> entries, Map<Long, RowSpec> rows, int server, int loop, String name, String label) {
        int q = h.lookupUnder(loop, name);
        if (q < 0) return;
        entries.add(Tsp.Entry.timeGraph(q, server, label, true, h.start(), h.end()));
        rows.put((long) q, new RowSpec(q, new int[0], new int[] {loop}));
    }

    private boolean isPhase(RowSpec row) { return h.name(row.value()).equals("Phase"); }

    @Override protected String label(RowSpec row, Sampled.Buf v, int i, Sampled s, long t0, long step) {
        return v.text(i);
    }

    @Override protected String style(RowSpec row, Sampled.Buf v, int i) {
        if (isPhase(row)) return Styles.ofPhase(v.text(i));
        return v.longValue(i) > 0 ? Styles.PENDING : null; // an empty queue is not drawn
    }
}
