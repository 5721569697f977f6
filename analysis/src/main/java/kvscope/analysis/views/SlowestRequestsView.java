package kvscope.analysis.views;

import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.List;

/**
 * The slowest requests (paper Fig. 9's table): the {@value #KEPT} slowest of the whole trace, slowest first, with
 * their time (a {@code Timestamp ns} column, which TSP viewers use to move the other views to the line) and fd.
 */
final class SlowestRequestsView implements Provider.Table {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.latency.slowest", "Slowest requests",
            "The slowest requests with their time, server, command, fd and client", Tsp.ProviderType.TABLE);
    static final int KEPT = 10_000;
    static final List<Tsp.Column> COLUMNS = List.of(
            new Tsp.Column(0, "Timestamp ns", "when the request started (read start, else command start)", "TIMESTAMP"),
            new Tsp.Column(1, "Server", "", "STRING"),
            new Tsp.Column(2, "Command", "", "STRING"),
            new Tsp.Column(3, "Latency ns", "from the read to the end of the reply's write", "DURATION"),
            new Tsp.Column(4, "fd", "", "NUMBER"),
            new Tsp.Column(5, "Client id", "", "NUMBER"),
            new Tsp.Column(6, "Bytes in", "", "NUMBER"),
            new Tsp.Column(7, "Bytes out", "", "NUMBER"),
            new Tsp.Column(8, "Read thread", "", "NUMBER"),
            new Tsp.Column(9, "Write thread", "", "NUMBER"));

    private final SegmentFile segments;
    /** Segment indexes, slowest first; computed on first use. */
    private long[] order;

    SlowestRequestsView(SegmentFile segments) { this.segments = segments; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public List<Tsp.Column> columns() { return COLUMNS; }

    private synchronized long[] order() {
        if (order != null) return order;
        // A min-heap of the KEPT slowest seen so far, on primitive arrays: one pass, bounded memory.
        var lat = new long[KEPT];
        var idx = new long[KEPT];
        var n = new int[1];
        segments.forEach(c -> {
            long l = c.latency();
            if (n[0] < KEPT) {
                int i = n[0]++;
                lat[i] = l;
                idx[i] = c.index();
                while (i > 0 && lat[(i - 1) / 2] > lat[i]) {
                    swap(lat, idx, i, (i - 1) / 2);
                    i = (i - 1) / 2;
                }
            } else if (l > lat[0]) {
                lat[0] = l;
                idx[0] = c.index();
                int i = 0;
                while (true) {
                    int a = 2 * i + 1, b = a + 1, m = i;
                    if (a < KEPT && lat[a] < lat[m]) m = a;
                    if (b < KEPT && lat[b] < lat[m]) m = b;
                    if (m == i) break;
                    swap(lat, idx, i, m);
                    i = m;
                }
            }
        });
        // Pop the heap: smallest first, written from the back, so the result is slowest first.
        int size = n[0];
        var out = new long[size];
        for (int k = size - 1; k >= 0; k--) {
            out[k] = idx[0];
            int last = k;
            lat[0] = lat[last];
            idx[0] = idx[last];
            int i = 0;
            while (true) {
                int a = 2 * i + 1, b = a + 1, m = i;
                if (a < last && lat[a] < lat[m]) m = a;
                if (b < last && lat[b] < lat[m]) m = b;
                if (m == i) break;
                swap(lat, idx, i, m);
                i = m;
            }
        }
        order = out;
        return order;
    }

    private static void swap(long[] a, long[] b, int i, int j) {
        long t = a[i]; a[i] = a[j]; a[j] = t;
        t = b[i]; b[i] = b[j]; b[j] = t;
    }

    @Override public Tsp.Table lines(long index, int count, long[] columnIds) {
        var o = order();
        var cols = Tables.columns(columnIds, COLUMNS.size());
        var lines = new ArrayList<Tsp.Line>();
        for (long i = Math.max(0, index); i < o.length && i < index + count; i++) {
            var s = segments.get(o[(int) i]);
            var all = new String[] {Long.toString(s.start()), segments.servers().get(s.server()),
                    segments.commands().get(s.command()), Long.toString(s.latency()), Integer.toString(s.fd()),
                    Long.toString(s.clientId()), Long.toString(s.bytesIn()), Long.toString(s.bytesOut()),
                    Integer.toString(s.readThread()), Integer.toString(s.writeThread())};
            lines.add(Tables.line(i, all, cols));
        }
        return new Tsp.Table(Math.max(0, index), o.length, Tables.ids(cols), lines);
    }
}
