package kvscope.analysis.report;

import kvscope.analysis.Stored;
import kvscope.analysis.Summary;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.model.Counters;
import kvscope.analysis.model.ReplicationStats;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.otel.OwnSpansReport;
import kvscope.analysis.segments.BlockReason;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.Slowest;
import kvscope.analysis.services.ServicesReport;
import kvscope.analysis.sync.HostClock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything {@code kvscope report} shows, gathered from a stored analysis (summary + segments). Its JSON form is
 * the contract of {@code report --format json}: {@code {"servers":[{"name":…,"commands":[…],"bus":{…}}],
 * "lost_events":…,"findings":[…],"services":{"routes":[…]},"own_spans":{…}}} ({@code services} null without the Node.js
 * agent's events, {@code own_spans} null without {@code analyze --spans}).
 */
public record Report(long start, long end, boolean commandsOnly, List<Server> servers, long lostEvents,
                     Counters counters, List<Finding> findings, Summary.Series series, ServicesReport services,
                     List<Clock> clocks, ReplicationStats replication, OwnSpansReport ownSpans) {

    public static Report of(Stored stored) throws IOException { return of(stored, Thresholds.DEFAULT); }

    public record Server(String name, long durationNs, List<Command> commands, List<Slow> slowest,
                         Connections connections, List<ThreadActivity> threads, EventLoop eventLoop, Bus bus,
                         long unansweredRequests, long unfinishedAtEnd, Map<String, Long> redirects,
                         Map<String, long[]> blocked) {}

    /**
     * One command's latency statistics on one server.
     *
     * @param blockedIncluded whether minNs … maxNs count the time clients spent blocked (BLPOP, WAIT… waiting by
     *                        design): false by default, as Redis's SLOWLOG; true with {@code --slow-with-blocked}
     * @param blocked         how many of its requests blocked
     * @param blockedNs       their blocked time in all (what the clients waited)
     */
    public record Command(String name, String type, long count, double perSecond, long minNs, double meanNs,
                          long p50Ns, long p90Ns, long p99Ns, long maxNs, boolean blockedIncluded, long blocked,
                          long blockedNs) {}

    /**
     * @param replyNs    command end → reply written, the blocked time included
     * @param blockedNs  of it, how long the client was blocked (BLPOP, WAIT…), 0 if it never was
     * @param unblocked  why it was let go, empty if it never blocked
     */
    public record Slow(String command, long latencyNs, long start, int fd, long clientId, long readNs, long executeNs,
                       long replyNs, long blockedNs, String unblocked) {}

    /** @param namedBySnapshot of seenMidLife, how many a snapshot of the server named (type, peer) */
    public record Connections(long accepted, Map<String, Long> byType, long freed, long seenMidLife,
                              long fdReusedWithoutFree, long namedBySnapshot, long snapshots) {}

    public record ThreadActivity(int tid, String role, long reads, long writes, long commands, long busyNs) {}

    public record EventLoop(long iterations, long longestNs, long longestAt) {}

    public record Bus(long bytesOut, long bytesIn, List<Flow> outByType, List<Flow> inByType, List<Flow> outByLink,
                      List<Flow> inByLink, long publishes, long publishedPayloadBytes) {}

    public record Flow(String name, long messages, long bytes) {}

    /**
     * One host's clock against the reference host's (several hosts only; see kvscope.analysis.sync).
     * @param boundNs provable accuracy of the host's corrected timestamps (±), null when the pairs do not bound it
     * @param driftBoundPpm the same for the drift, null when not bounded
     * @param pairsByKind the pairs by what they are made of: bus, redis calls, http (kvscope.analysis.sync.PairKind)
     */
    public record Clock(String host, String verdict, String meaning, long offsetNs, double driftPpm, Double boundNs,
                        Double driftBoundPpm, long pairs, List<String> path, Map<String, Long> pairsByKind) {
        static Clock of(HostClock c) {
            return new Clock(c.host(), c.verdict().name().toLowerCase(Locale.ROOT), c.verdict().text(), c.offsetNs(),
                    c.driftPpm(), Double.isFinite(c.boundNs()) ? c.boundNs() : null,
                    Double.isFinite(c.driftBoundPpm()) ? c.driftBoundPpm() : null, c.pairs(), c.path(), c.pairsByKind());
        }
    }


    static final int SLOWEST = 10;

    public static Report of(Stored stored, Thresholds thresholds) throws IOException {
        return of(stored, thresholds, ServicesReport.SLOWEST);
    }

    /** @param slowestPerRoute how many of each route's slowest HTTP requests to split (with the Node.js agent's events) */
    public static Report of(Stored stored, Thresholds thresholds, int slowestPerRoute) throws IOException {
        var sum = stored.summary();
        var sf = stored.segments();
        var servers = new ArrayList<Server>();
        for (var st : sum.servers()) {
            long duration = Math.max(1, sum.end() - sum.start());
            boolean withBlocked = thresholds.slowWithBlocked();
            var cmds = sum.latencies().stream().filter(l -> l.server().equals(st.name()))
                    .map(l -> {
                        var k = l.stats(withBlocked);
                        return new Command(l.command(), l.type(), l.count(), l.count() * 1e9 / duration, k.min(), k.mean(),
                                k.p50(), k.p90(), k.p99(), k.max(), withBlocked, l.blocked(), l.blockedNs());
                    })
                    .toList();
            servers.add(new Server(st.name(), duration, cmds, slowest(sf, sf.serverIndex(st.name()), withBlocked), connections(st),
                    threads(st), new EventLoop(st.eventLoopIterations(), st.longestIterationNs(), st.longestIterationAt()),
                    bus(st), st.unansweredRequests(), st.unfinishedAtEnd(), st.redirects(), st.blocked()));
        }
        var services = stored.services().count() > 0 || !stored.services().problems().isEmpty()
                ? ServicesReport.of(stored.services(), thresholds, slowestPerRoute) : null;
        return new Report(sum.start(), sum.end(), sum.commandsOnly(), servers, sum.counters().lostEvents(), sum.counters(),
                Findings.detect(stored, thresholds), sum.series(), services,
                stored.clocks().hosts().stream().map(Clock::of).toList(), sum.replication(), ownSpans(stored));
    }

    private static OwnSpansReport ownSpans(Stored stored) throws IOException {
        var l = stored.spanLinks();
        return l.isEmpty() ? null : OwnSpansReport.of(l, stored.segments(), OwnSpansReport.SLOWEST);
    }

    /** The slowest requests, ranked without their blocked time unless it is asked for (as the latency table). */
    private static List<Slow> slowest(SegmentFile sf, int server, boolean withBlocked) {
        if (server < 0) return List.of();
        var out = new ArrayList<Slow>();
        for (long i : Slowest.of(sf, SLOWEST, server, -1, Long.MIN_VALUE, withBlocked).indexes()) {
            var s = sf.get(i);
            long unknown = Segment.UNKNOWN;
            out.add(new Slow(sf.commands().get(s.command()), s.latency(), s.start(), s.fd(), s.clientId(),
                    s.readStart() == unknown ? -1 : s.commandStart() - s.readStart(),
                    s.commandEnd() - s.commandStart(),
                    s.replyEnd() == unknown ? -1 : s.replyEnd() - s.commandEnd(), s.blockedNs(),
                    s.blockedNs() > 0 ? BlockReason.at(s.blockReason()).text() : ""));
        }
        return out;
    }

    private static Connections connections(ServerStats st) {
        return new Connections(st.connectionsAccepted(), st.acceptedByType(), st.connectionsFreed(), st.connectionsSeenMidLife(),
                st.fdReusedWithoutFree(), st.connectionsNamedBySnapshot(), st.snapshots());
    }

    private static List<ThreadActivity> threads(ServerStats st) {
        var out = new ArrayList<ThreadActivity>();
        st.threads().forEach((tid, t) -> out.add(new ThreadActivity(tid, t.main() ? "main" : "io", t.reads(), t.writes(),
                t.commands(), t.busyNs())));
        return out;
    }

    private static Bus bus(ServerStats st) {
        return new Bus(st.busBytesOut(), st.busBytesIn(), flows(st.busOutByType()), flows(st.busInByType()),
                flows(st.busOutByLink()), flows(st.busInByLink()), st.publishes(), st.publishedPayloadBytes());
    }

    private static List<Flow> flows(Map<String, long[]> m) {
        var out = new ArrayList<Flow>();
        m.forEach((k, v) -> out.add(new Flow(k, v[0], v[1])));
        out.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return out;
    }
}
