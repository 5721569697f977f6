package kvscope.analysis.views;

import kvscope.analysis.services.Part;
import kvscope.analysis.services.PartKind;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.ServicesReport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the time went, for every HTTP request that entered the services: one line per request in time order, its
 * latency and that latency's parts — each service's own time, network, each Redis phase, MariaDB, untraced peers —
 * which add up to it; {@code Parts} lists them all, machine-readable ({@code kind:name:ns;…}, largest first).
 */
final class ServiceRequestsView implements Provider.Table {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.services.requests", "Service requests",
            "Every HTTP request that entered the services, and where its time went", Tsp.ProviderType.TABLE);
    private static final PartKind[] COLUMN_KINDS = {PartKind.SERVICE, PartKind.NETWORK, PartKind.REDIS_QUEUED,
            PartKind.REDIS_READING, PartKind.REDIS_WAITING_TO_EXECUTE, PartKind.REDIS_EXECUTING,
            PartKind.REDIS_WAITING_TO_WRITE, PartKind.REDIS_WRITING, PartKind.MARIADB};
    static final List<Tsp.Column> COLUMNS;

    static {
        var c = new ArrayList<Tsp.Column>(List.of(
                new Tsp.Column(0, "Timestamp ns", "when the request reached the first traced service", "TIMESTAMP"),
                new Tsp.Column(1, "Latency ns", "from receiving it to answering it, at that service", "DURATION"),
                new Tsp.Column(2, "Request", "its id (kvscope report --request ID)", "STRING"),
                new Tsp.Column(3, "Service", "", "STRING"),
                new Tsp.Column(4, "Route", "", "STRING"),
                new Tsp.Column(5, "Status", "", "NUMBER"),
                new Tsp.Column(6, "Main part", "the largest part of its latency", "STRING"),
                new Tsp.Column(7, "Main part %", "", "NUMBER")));
        for (var k : COLUMN_KINDS) {
            var name = k == PartKind.SERVICE ? "Services' own time ns" : k.label() + " ns";
            c.add(new Tsp.Column(c.size(), name, "summed over the request's parts", "DURATION"));
        }
        c.add(new Tsp.Column(c.size(), "Other ns", "untraced peers, Redis calls not seen inside Redis", "DURATION"));
        c.add(new Tsp.Column(c.size(), "Parts", "every part: kind:name:ns;… largest first", "STRING"));
        COLUMNS = List.copyOf(c);
    }

    private final ServicesFile f;
    private long[] requests;

    ServiceRequestsView(ServicesFile f) { this.f = f; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public List<Tsp.Column> columns() { return COLUMNS; }

    /** The entry requests' span indexes, in start order (the file's order). */
    private synchronized long[] requests() {
        if (requests != null) return requests;
        var out = new long[16];
        int n = 0;
        for (long i = 0; i < f.count(); i++) {
            if (!f.isEntry(i)) continue;
            if (n == out.length) out = Arrays.copyOf(out, n * 2);
            out[n++] = i;
        }
        return requests = Arrays.copyOf(out, n);
    }

    @Override public Tsp.Table lines(long index, int count, long[] columnIds) {
        var all = requests();
        var cols = Tables.columns(columnIds, COLUMNS.size());
        var lines = new ArrayList<Tsp.Line>();
        for (long k = Math.max(0, index); k < all.length && k < index + count; k++) {
            lines.add(Tables.line(k, cells(all[(int) k]), cols));
        }
        return new Tsp.Table(Math.max(0, index), all.length, Tables.ids(cols), lines);
    }

    private String[] cells(long i) {
        var cells = new String[COLUMNS.size()];
        boolean done = f.finished(i);
        long latency = done ? f.end(i) - f.start(i) : -1;
        var parts = f.parts(i);
        cells[0] = Long.toString(f.start(i));
        cells[1] = done ? Long.toString(latency) : "";
        cells[2] = ServicesReport.id(f, i);
        cells[3] = f.service(i);
        cells[4] = f.routeKey(i);
        cells[5] = done ? Integer.toString(f.status(i)) : "";
        cells[6] = parts.isEmpty() ? "" : parts.get(0).label();
        cells[7] = parts.isEmpty() ? "" : String.format(Locale.ROOT, "%.1f", 100.0 * parts.get(0).ns() / Math.max(1, latency));
        var sums = new long[COLUMN_KINDS.length + 1];
        var list = new StringBuilder();
        for (Part p : parts) {
            int k = Arrays.asList(COLUMN_KINDS).indexOf(p.kind());
            sums[k < 0 ? COLUMN_KINDS.length : k] += p.ns();
            if (list.length() > 0) list.append(';');
            list.append(p.kind().name()).append(':').append(p.name() == null ? "" : p.name().replace(';', ',').replace(':', '.'))
                    .append(':').append(p.ns());
        }
        for (int k = 0; k < sums.length; k++) cells[8 + k] = done ? Long.toString(sums[k]) : "";
        cells[cells.length - 1] = list.toString();
        return cells;
    }
}
