package kvscope.analysis.services;

import kvscope.analysis.report.Units;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.List;

/**
 * One request followed hop by hop: the server span, the calls it made, the server spans they reached, down to each
 * Redis request inside Redis (its phases, its server, fd and client id), with where the whole request's time went.
 * What {@code kvscope report --request ID} prints.
 */
public record RequestTree(String id, String service, String route, long start, long latencyNs, int status,
                          List<ServicesReport.Share> parts, Node root) {

    /**
     * One span of the request.
     *
     * @param offsetNs   when it started, after the request started
     * @param durationNs -1 when it never ended
     * @param detail     its other end, status, error; for a Redis call the request inside Redis
     */
    public record Node(String kind, String service, String what, long offsetNs, long durationNs, String detail,
                       List<Node> children) {}

    /** Spans shown per request at most: a request that made a million calls is summarised, not printed whole. */
    static final int MAX_NODES = 2000;

    public static RequestTree of(ServicesFile f, SegmentFile segments, long i) {
        long latency = f.finished(i) ? f.end(i) - f.start(i) : -1;
        var count = new int[1];
        return new RequestTree(ServicesReport.id(f, i), f.service(i), f.routeKey(i), f.start(i), latency, f.status(i),
                ServicesReport.Share.of(f.parts(i), Math.max(1, latency)), node(f, segments, i, f.start(i), count));
    }

    private static Node node(ServicesFile f, SegmentFile segments, long i, long origin, int[] count) {
        count[0]++;
        var kids = new ArrayList<Node>();
        for (int c : f.children(i)) {
            if (count[0] >= MAX_NODES) {
                kids.add(new Node("…", "", "more calls not shown", f.start(c) - origin, -1, "", List.of()));
                break;
            }
            kids.add(node(f, segments, c, origin, count));
        }
        // An HTTP call's server span is its child in the file (its parent is the call): shown under it.
        long d = f.finished(i) ? f.end(i) - f.start(i) : -1;
        return new Node(f.kind(i).label(), f.service(i), what(f, i), f.start(i) - origin, d, detail(f, segments, i), kids);
    }

    private static String what(ServicesFile f, long i) {
        return switch (f.kind(i)) {
            case SERVER -> f.method(i) + " " + f.path(i);
            case CLIENT -> "→ " + f.method(i) + " " + f.path(i);
            case REDIS, MARIADB -> f.name(i) == null ? "(pipelined)" : f.name(i);
        };
    }

    private static String detail(ServicesFile f, SegmentFile segments, long i) {
        var sb = new StringBuilder();
        if (f.startedBefore(i)) sb.append("began before the recording (agent's snapshot), ");
        switch (f.kind(i)) {
            case SERVER -> sb.append("status ").append(f.status(i)).append(f.route(i) != null ? ", route " + f.route(i) : "");
            case CLIENT -> {
                sb.append("to ").append(f.dstAddr(i)).append(':').append(f.dstPort(i));
                if (f.noPeer(i)) sb.append(" (not traced)");
                if (f.status(i) != 0) sb.append(", status ").append(f.status(i));
            }
            case MARIADB -> sb.append(f.failed(i) ? "error" : f.status(i) + " rows").append(", to ").append(f.dstAddr(i))
                    .append(':').append(f.dstPort(i));
            case REDIS -> {
                long g = f.link(i);
                if (g < 0 || segments == null || g >= segments.count()) {
                    sb.append("no request seen inside Redis");
                } else {
                    var s = segments.get(g);
                    sb.append(segments.servers().get(s.server())).append(" fd ").append(s.fd()).append(" client ")
                            .append(s.clientId()).append(": ").append(phases(s));
                }
            }
        }
        if (f.failed(i) && f.error(i) != null) sb.append(", error ").append(f.error(i));
        if (f.unfinished(i)) sb.append(", never answered");
        if (f.lost(i)) sb.append(", events lost meanwhile");
        return sb.toString();
    }

    /** "queued 10 µs, read 5 µs, waited 2 µs, executed 50.1 ms, waited 3 µs, written 4 µs". */
    static String phases(Segment s) {
        long u = Segment.UNKNOWN;
        var out = new ArrayList<String>();
        if (s.readable() != u && s.readStart() != u) out.add("queued " + Units.duration(s.readStart() - s.readable()));
        if (s.readStart() != u && s.readEnd() != u) out.add("read " + Units.duration(s.readEnd() - s.readStart()));
        if (s.readEnd() != u) out.add("waited " + Units.duration(s.commandStart() - s.readEnd()));
        out.add("executed " + Units.duration(s.commandEnd() - s.commandStart()));
        if (s.writeStart() != u) out.add("waited " + Units.duration(s.writeStart() - s.commandEnd()));
        if (s.writeStart() != u && s.replyEnd() != u) out.add("written " + Units.duration(s.replyEnd() - s.writeStart()));
        return String.join(", ", out);
    }
}
