package kvscope.analysis.views;

import kvscope.analysis.otel.OwnSpansReport;
import kvscope.analysis.otel.SpanLink;
import kvscope.analysis.otel.SpanLinks;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The user's own Redis client spans ({@code kvscope analyze --spans}), one line each in time order: linked,
 * ambiguous (with its confidence and how many requests fit) or not linked (why); a linked span's time split by the
 * Redis request that served it, next to that request's server, fd and client id — the Redis segment it is.
 */
final class OwnSpansView implements Provider.Table {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.ownspans", "Your spans",
            "Your own OpenTelemetry Redis client spans, each linked to the Redis request that served it", Tsp.ProviderType.TABLE);
    static final List<Tsp.Column> COLUMNS = List.of(
            new Tsp.Column(0, "Timestamp ns", "the span's start on the trace's clock", "TIMESTAMP"),
            new Tsp.Column(1, "Duration ns", "the span's duration", "DURATION"),
            new Tsp.Column(2, "State", "LINKED, AMBIGUOUS or UNLINKED", "STRING"),
            new Tsp.Column(3, "Confidence", "1 when no other request could have served it; 1/k for the nearest of k", "NUMBER"),
            new Tsp.Column(4, "Candidates", "requests that fit the span", "NUMBER"),
            new Tsp.Column(5, "Command", "", "STRING"),
            new Tsp.Column(6, "Service", "service.name of the span's resource", "STRING"),
            new Tsp.Column(7, "Span", "span id", "STRING"),
            new Tsp.Column(8, "Trace", "trace id", "STRING"),
            new Tsp.Column(9, "Server", "", "STRING"),
            new Tsp.Column(10, "Fd", "the request's connection (linked or nearest)", "NUMBER"),
            new Tsp.Column(11, "Network ns", "before and after Redis: client library, kernel, network", "DURATION"),
            new Tsp.Column(12, "Waiting in Redis ns", "queued, waiting to execute, waiting to write", "DURATION"),
            new Tsp.Column(13, "Executing ns", "", "DURATION"),
            new Tsp.Column(14, "Reading and writing ns", "", "DURATION"),
            new Tsp.Column(15, "Summary", "where the span's time went, or why it is not linked", "STRING"));

    private final SpanLinks links;
    private final SegmentFile sf;
    private List<SpanLink> sorted;

    OwnSpansView(SpanLinks links, SegmentFile sf) {
        this.links = links;
        this.sf = sf;
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public List<Tsp.Column> columns() { return COLUMNS; }

    private synchronized List<SpanLink> sorted() {
        if (sorted == null) {
            var l = new ArrayList<>(links.links());
            l.sort((a, b) -> Long.compare(a.traceStart(), b.traceStart()));
            sorted = l;
        }
        return sorted;
    }

    @Override public Tsp.Table lines(long index, int count, long[] columnIds) {
        var all = sorted();
        var cols = Tables.columns(columnIds, COLUMNS.size());
        var lines = new ArrayList<Tsp.Line>();
        for (long k = Math.max(0, index); k < all.size() && k < index + count; k++) {
            lines.add(Tables.line(k, cells(all.get((int) k)), cols));
        }
        return new Tsp.Table(Math.max(0, index), all.size(), Tables.ids(cols), lines);
    }

    private String[] cells(SpanLink l) {
        var c = new String[COLUMNS.size()];
        c[0] = Long.toString(l.traceStart());
        c[1] = Long.toString(l.duration());
        c[2] = l.state().name();
        c[3] = String.format(Locale.ROOT, "%.3f", l.confidence());
        c[4] = Integer.toString(l.candidates());
        c[5] = l.command();
        c[6] = l.service() == null ? "" : l.service();
        c[7] = l.spanId();
        c[8] = l.traceId();
        c[9] = l.server() == null ? "" : l.server();
        if (l.segment() >= 0) {
            var x = OwnSpansReport.linked(l, sf);
            var s = x.split();
            c[10] = Integer.toString(x.fd());
            c[11] = Long.toString(s.networkNs());
            c[12] = Long.toString(s.waitingInRedisNs());
            c[13] = Long.toString(s.executingNs());
            c[14] = Long.toString(s.readingNs() + s.writingNs());
            c[15] = l.state() == SpanLink.State.LINKED ? x.summary()
                    : "ambiguous (" + l.reason() + "); if it is the nearest: " + x.summary();
        } else {
            for (int i = 10; i <= 14; i++) c[i] = "";
            c[15] = "not linked: " + l.reason();
        }
        return c;
    }
}
