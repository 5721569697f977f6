package kvscope.analysis.otel;

import kvscope.analysis.report.Units;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's part on the user's own spans: how many were linked, ambiguous or not (and why), the spans' clocks, and
 * the slowest linked spans each split by the Redis request that served it.
 */
public record OwnSpansReport(List<String> files, long spansSeen, long redisSpans, long linked, long ambiguous,
                             long unlinked, List<SpanLinks.Clock> clocks, List<SpanLinks.Reason> reasons,
                             List<Linked> slowest) {
    public static final int SLOWEST = 10;

    /**
     * One linked span and where its time went.
     *
     * @param start the span's start on the trace's clock
     */
    public record Linked(String traceId, String spanId, String service, String command, String statement,
                         long durationNs, long start, String server, int fd, long clientId, SpanSplit split,
                         String summary) {}

    public static OwnSpansReport of(SpanLinks l, SegmentFile sf, int slowest) {
        var linked = l.links().stream().filter(x -> x.state() == SpanLink.State.LINKED)
                .sorted(Comparator.comparingLong(SpanLink::duration).reversed()).limit(slowest).toList();
        var out = new ArrayList<Linked>();
        for (var x : linked) out.add(linked(x, sf));
        return new OwnSpansReport(l.files(), l.spansSeen(), l.redisSpans(), l.linked(), l.ambiguous(), l.unlinked(),
                l.clocks(), l.reasons(), out);
    }

    /** A linked span, split by its request. */
    public static Linked linked(SpanLink x, SegmentFile sf) {
        var g = sf.get(x.segment());
        var split = SpanSplit.of(x.traceStart(), x.traceEnd(), g);
        return new Linked(x.traceId(), x.spanId(), x.service(), x.command(), x.statement(), x.duration(),
                x.traceStart(), x.server(), g.fd(), g.clientId(), split, sentence(x.command(), split));
    }

    /** "GET, 40.12 ms client span: 0.20 ms network and client, 39.0 ms waiting in Redis behind other work, …". */
    public static String sentence(String command, SpanSplit s) {
        var parts = new ArrayList<String>();
        parts.add(Units.duration(s.networkNs()) + " in the network and client library");
        if (s.waitingInRedisNs() > 0) {
            parts.add(Units.duration(s.waitingInRedisNs()) + " waiting in Redis behind other clients' commands"
                    + (s.queuedNs() > 0 ? " (" + Units.duration(s.queuedNs()) + " before Redis read it)" : ""));
        }
        parts.add(Units.duration(s.executingNs()) + " executing");
        if (s.readingNs() + s.writingNs() > 0) parts.add(Units.duration(s.readingNs() + s.writingNs()) + " reading and writing");
        return String.format(Locale.ROOT, "this %s %s client span: %s", Units.duration(s.totalNs()),
                command.toUpperCase(Locale.ROOT), String.join(", ", parts));
    }
}
