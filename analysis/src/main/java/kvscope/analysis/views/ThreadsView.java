package kvscope.analysis.views;

import kvscope.statesystem.History;

import java.util.List;
import java.util.Map;

/**
 * Threads (paper Figs. 10–17): a row per thread per server, what it does and on which fd — "Reading SSL bytes=8192
 * fd=12", "Freeing client fd=132" — from {@code Threads/<tid>/{Operation,Connection,Bytes}}.
 */
final class ThreadsView extends AttributeTimeGraph {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.threads", "Threads",
            "A row per Redis thread (main and I/O threads): operation, bytes and fd", Tsp.ProviderType.TIME_GRAPH);

    ThreadsView(History h) { super(h); }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override protected Tsp.Header header() { return Tsp.Header.of("Thread", "STRING"); }

    @Override protected void build(List<Tsp.Entry> entries, Map<Long, RowSpec> rows) {
        for (int server : servers("Threads")) {
            entries.add(Tsp.Entry.timeGraph(server, -1, h.name(server), false, h.start(), h.end()));
            int[] threads = numericChildren(h.lookupUnder(server, "Threads"));
            for (int i = 0; i < threads.length; i++) {
                int t = threads[i];
                int op = h.lookupUnder(t, "Operation");
                if (op < 0) continue;
                int conn = h.lookupUnder(t, "Connection"), bytes = h.lookupUnder(t, "Bytes");
                // Redis's main thread has the process id as tid and is created first: the lowest tid.
                var label = "tid " + h.name(t) + (i == 0 ? " (main)" : "");
                entries.add(Tsp.Entry.timeGraph(t, server, label, true, h.start(), h.end()));
                rows.put((long) t, new RowSpec(op, new int[] {Math.max(conn, op), Math.max(bytes, op)}, new int[] {t}));
            }
        }
    }

    @Override protected String label(RowSpec row, Sampled.Buf v, int i, Sampled s, long t0, long step) {
        var op = v.text(i);
        // Bytes and Connection are set with the operation: read them at the first sample inside it.
        long at = Math.min(v.end(i), sampleAtOrAfter(v.start(i), t0, step));
        var sb = new StringBuilder(op);
        if (row.extra()[1] != row.value()) {
            var b = s.of(row.extra()[1]);
            int k = b.find(at);
            if (k >= 0) sb.append(" bytes=").append(b.text(k));
        }
        if (row.extra()[0] != row.value()) {
            var c = s.of(row.extra()[0]);
            int k = c.find(at);
            if (k >= 0) sb.append(" fd=").append(c.text(k));
        }
        return sb.toString();
    }

    @Override protected String style(RowSpec row, Sampled.Buf v, int i) { return Styles.ofOperation(v.text(i)); }
}
