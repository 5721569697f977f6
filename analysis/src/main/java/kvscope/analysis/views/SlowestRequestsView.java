package kvscope.analysis.views;

import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.Slowest;

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
        if (order == null) order = Slowest.of(segments, KEPT, -1);
        return order;
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
