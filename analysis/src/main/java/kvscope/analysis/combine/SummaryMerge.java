package kvscope.analysis.combine;

import kvscope.analysis.Summary;
import kvscope.analysis.model.Anomaly;
import kvscope.analysis.model.Backlog;
import kvscope.analysis.model.Counters;
import kvscope.analysis.model.ReplicationStats;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.model.Stall;
import kvscope.ctf.ClockFix;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The summary of a combined model from the hosts' summaries (docs/combine.md): counters summed, times put on the
 * reference clock, links to other hosts' nodes named, the longest stalls and largest backlogs of the whole experiment
 * kept — what the one-go analysis would have stored. (The latency statistics and plots are computed again from the
 * combined segments and history, not merged here.)
 */
public final class SummaryMerge {
    /** As many as the model keeps (EventLoop.KEEP, Backlogs.KEEP, Invariants.MAX_PER_KIND). */
    static final int STALLS_KEPT = 200, BACKLOGS_KEPT = 256, ANOMALIES_PER_KIND = 100;

    private SummaryMerge() {}

    /**
     * The hosts' servers, their times corrected and their links to other hosts' nodes named (as NodeIds would).
     *
     * @param nodeIdOf a server's own node id by its (combined) name, or null
     * @param renamed  a server's combined name by host + NUL + its name, when it differs
     */
    public static List<ServerStats> servers(List<Summary> hosts, List<String> names, List<ClockFix> fixes,
                                            UnaryOperator<String> nodeIdOf, Map<String, String> renamed) {
        // A per-host analysis names a link to another host's node by the id's first 8 digits: the name is known here.
        var byPrefix = new HashMap<String, String>();
        for (int i = 0; i < hosts.size(); i++) {
            for (var s : hosts.get(i).servers()) {
                var name = renamed.getOrDefault(names.get(i) + "\u0000" + s.name(), s.name());
                var id = nodeIdOf.apply(name);
                if (id != null && id.length() > 8) byPrefix.put(id.substring(0, 8), name);
            }
        }
        var out = new ArrayList<ServerStats>();
        for (int i = 0; i < hosts.size(); i++) {
            var fix = fixes.get(i);
            for (var s : hosts.get(i).servers()) {
                var name = renamed.getOrDefault(names.get(i) + "\u0000" + s.name(), s.name());
                out.add(new ServerStats(name, s.host(), s.port(), s.vpid(), s.cluster(), s.ioThreads(), s.tls(),
                        s.connectionsAccepted(), s.acceptedByType(), s.connectionsFreed(), s.connectionsSeenMidLife(),
                        s.fdReusedWithoutFree(), s.clientBytesIn(), s.clientBytesOut(), s.commands(), s.nestedCommands(),
                        s.unansweredRequests(), s.unfinishedAtEnd(), s.eventLoopIterations(), s.longestIterationNs(),
                        s.longestIterationAt() == 0 ? 0 : fix.apply(s.longestIterationAt()), s.redirects(), s.publishes(),
                        s.publishedPayloadBytes(), s.publishReceivers(), s.busBytesOut(), s.busBytesIn(), s.busOutByType(),
                        s.busInByType(), links(s.busOutByLink(), byPrefix), links(s.busInByLink(), byPrefix), s.threads(),
                        s.connectionsNamedBySnapshot(), s.snapshots(), s.blocks(), s.blocked()));
            }
        }
        return out;
    }

    private static Map<String, long[]> links(Map<String, long[]> byLink, Map<String, String> byPrefix) {
        var out = new TreeMap<String, long[]>();
        byLink.forEach((k, v) -> out.merge(byPrefix.getOrDefault(k, k), v, (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]}));
        return out;
    }

    /**
     * The counters: summed, loss ranges corrected, damage named by host, the layout notes and {@code notes} (what the
     * combination could not do) together; {@code flows} and {@code unpaired} as the combination counted them.
     */
    public static Counters counters(List<Summary> hosts, List<String> names, List<ClockFix> fixes, long flows,
                                    long unpaired, List<String> notes) {
        long events = 0, lost = 0, ranges = 0, unknownCount = 0, affected = 0, late = 0, maxLate = 0, dropped = 0;
        var lossRanges = new ArrayList<long[]>();
        var unknown = new TreeMap<String, Long>();
        var byName = new TreeMap<String, Long>();
        var other = new TreeMap<String, Long>();
        var damage = new ArrayList<String>();
        var layout = new LinkedHashSet<String>();
        for (int i = 0; i < hosts.size(); i++) {
            var fix = fixes.get(i);
            var c = hosts.get(i).counters();
            events += c.events();
            lost += c.lostEvents();
            ranges += c.lostRanges();
            unknownCount += c.lostCountUnknown();
            affected += c.requestsAffectedByLoss();
            late += c.lateStates();
            maxLate = Math.max(maxLate, c.maxLatenessNs());
            dropped += c.flowsDropped();
            for (var r : c.lossRanges()) lossRanges.add(new long[] {fix.apply(r[0]), fix.apply(r[1])});
            c.unknownEvents().forEach((k, v) -> unknown.merge(k, v, Long::sum));
            c.eventsByName().forEach((k, v) -> byName.merge(k, v, Long::sum));
            c.otherProviders().forEach((k, v) -> other.merge(k, v, Long::sum));
            for (var d : c.damage()) damage.add(names.get(i) + ": " + d);
            layout.addAll(c.layout());
        }
        layout.addAll(notes);
        lossRanges.sort(Comparator.comparingLong(r -> r[0]));
        // The model keeps the first thousand (ModelBuilder.lost).
        var firstRanges = lossRanges.subList(0, Math.min(lossRanges.size(), 1000));
        return new Counters(events, lost, ranges, unknownCount, affected, firstRanges, late, maxLate, unknown, damage,
                byName, flows, unpaired, dropped, List.copyOf(layout), other);
    }

    /**
     * {@code base} with the hosts' anomalies, stalls and backlogs (corrected, cut as one go cuts them), light profile
     * and {@code replication} (the hosts' joined: {@link ReplicationJoin}).
     */
    public static Summary summary(List<Summary> hosts, List<ClockFix> fixes, Summary base, ReplicationStats replication) {
        var anomalies = new ArrayList<Anomaly>();
        var stalls = new ArrayList<Stall>();
        var backlogs = new ArrayList<Backlog>();
        boolean commandsOnly = true;
        for (int i = 0; i < hosts.size(); i++) {
            var s = hosts.get(i);
            var fix = fixes.get(i);
            // One go is "commands only" when no trace has the full profile's events.
            commandsOnly &= s.commandsOnly();
            for (var a : s.anomalies()) anomalies.add(new Anomaly(a.kind(), a.server(), a.fd(), a.clientId(),
                    fix.apply(a.time()), a.threads(), a.events()));
            for (var st : s.stalls()) stalls.add(st.at(fix.apply(st.start())));
            for (var b : s.backlogs()) backlogs.add(new Backlog(b.server(), b.fd(), b.clientId(), b.peer(),
                    fix.apply(b.start()), fix.apply(b.end()), b.startBytes(), b.maxBytes(), fix.apply(b.maxAt()),
                    b.endBytes(), b.writes(), b.increases(), b.bytesWritten(), b.ending()));
        }
        // One go keeps the first anomalies of each kind (Invariants.MAX_PER_KIND), the longest stalls and the largest
        // backlogs of the whole experiment: so does this.
        anomalies.sort(Comparator.comparingLong(Anomaly::time));
        var perKind = new HashMap<String, Integer>();
        anomalies.removeIf(a -> perKind.merge(a.kind(), 1, Integer::sum) > ANOMALIES_PER_KIND);
        // The one-go analysis keeps the longest stalls and largest backlogs of the whole experiment: so does this.
        stalls.sort((a, b) -> Long.compare(b.busyNs(), a.busyNs()));
        backlogs.sort((a, b) -> Long.compare(b.maxBytes(), a.maxBytes()));
        return new Summary(base.version(), base.fingerprint(), base.traces(), base.start(), base.end(), base.analysisNs(),
                commandsOnly, base.counters(), base.servers(), base.latencies(), anomalies,
                stalls.subList(0, Math.min(stalls.size(), STALLS_KEPT)),
                backlogs.subList(0, Math.min(backlogs.size(), BACKLOGS_KEPT)), base.series(), replication);
    }
}
