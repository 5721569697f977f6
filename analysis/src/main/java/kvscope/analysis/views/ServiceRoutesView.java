package kvscope.analysis.views;

import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.services.Part;
import kvscope.analysis.services.Routes;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.ServicesReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the time went, per route: the requests that entered the services in the range, a row per route (count, exact
 * percentiles, and the split of its {@value #SLOWEST} slowest requests' time) and under it those requests, each with
 * its own split. {@code Parts} is machine-readable ({@code kind:name:ns;…}, largest first) for viewers that draw it.
 */
final class ServiceRoutesView implements Provider.DataTree {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.services.routes", "Where the time went",
            "Per route: count, latency percentiles, and where the time of its slowest requests went", Tsp.ProviderType.DATA_TREE);
    static final int SLOWEST = 10;
    static final List<Tsp.Header> HEADERS = List.of(Tsp.Header.of("Route / request", "STRING"),
            Tsp.Header.of("Service", "STRING"), Tsp.Header.of("Count", "NUMBER"), Tsp.Header.of("P50 ns", "NUMBER"),
            Tsp.Header.of("P99 ns", "NUMBER"), Tsp.Header.of("Max ns", "NUMBER"),
            Tsp.Header.of("Start ns", "TIMESTAMP"), Tsp.Header.of("Where the time went", "STRING"),
            Tsp.Header.of("Parts", "STRING"));

    private final ServicesFile f;

    ServiceRoutesView(ServicesFile f) { this.f = f; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public Tsp.Tree tree(long start, long end) {
        var entries = new ArrayList<Tsp.Entry>();
        long id = 1;
        for (var r : Routes.of(f, start, end, SLOWEST, Thresholds.DEFAULT.slowHttpNs())) {
            long routeId = id++;
            entries.add(Tsp.Entry.data(routeId, -1, List.of(r.route(), r.service(), Long.toString(r.count()),
                    Long.toString(r.p50Ns()), Long.toString(r.p99Ns()), Long.toString(r.maxNs()), "",
                    text(r.slowParts(), r.slowestNs()), parts(r.slowParts()))));
            for (long i : r.slowest()) {
                long latency = f.end(i) - f.start(i);
                var p = f.parts(i);
                entries.add(Tsp.Entry.data(id++, routeId, List.of(ServicesReport.id(f, i), r.service(), "1",
                        Long.toString(latency), Long.toString(latency), Long.toString(latency), Long.toString(f.start(i)),
                        text(p, latency), parts(p))));
            }
        }
        return new Tsp.Tree(HEADERS, 0, entries);
    }

    /** "Redis executing (debug) 91.2 % · user own time 3.1 % · …": the first few parts. */
    static String text(List<Part> parts, long whole) {
        var sb = new StringBuilder();
        for (int i = 0; i < parts.size() && i < 4; i++) {
            if (i > 0) sb.append(" · ");
            sb.append(parts.get(i).label()).append(' ')
                    .append(String.format(Locale.ROOT, "%.1f %%", 100.0 * parts.get(i).ns() / Math.max(1, whole)));
        }
        return sb.toString();
    }

    static String parts(List<Part> parts) {
        var sb = new StringBuilder();
        for (var p : parts) {
            if (sb.length() > 0) sb.append(';');
            sb.append(p.kind().name()).append(':').append(p.name() == null ? "" : p.name().replace(';', ',').replace(':', '.'))
                    .append(':').append(p.ns());
        }
        return sb.toString();
    }
}
