package kvscope.analysis.combine;

import kvscope.analysis.Summary;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.model.ReplicationSpool;
import kvscope.analysis.model.ReplicationStats;
import kvscope.ctf.ClockFix;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Replication between hosts at the aggregator (docs/combine.md): a master and its replica on different hosts, which
 * neither host's model can pair (each names the other end by its address), paired as the one-go pass
 * ({@code model.Replication}) pairs them — the other end found by its port among every host's servers, then every
 * host's feeds and applies ({@link HostReplication}) merged in synchronised time and paired by offset with the same
 * bounded queue per master. What comes out replaces the hosts' half-links: one link per master → replica with its
 * writes, lag and acks, the resyncs named and their RDB load times, the arrows, each replica's lag over time, and the
 * master's {@code Replicas/<address>} attributes renamed after the replica.
 */
public final class ReplicationJoin {
    /**
     * One host as the combination sees it.
     *
     * @param repl  its {@code repl.bin}, or null (then its links to other hosts stay halves, and a note says so)
     * @param map   its servers' segment indexes → combined indexes
     * @param named its server names → combined names
     */
    public record Host(String name, Summary summary, HostReplication.Reader repl, ClockFix fix, int[] map,
                       UnaryOperator<String> named) {}

    private final List<Host> hosts;
    /** Every host's servers by port: (host, combined name), in combined order. */
    private final Map<Integer, List<Object[]>> byPort = new HashMap<>();
    private final Map<List<String>, Acc> links = new LinkedHashMap<>();
    private final List<ReplicationStats.Resync> resyncs = new ArrayList<>();
    /** Resyncs whose replica is on another host than the master: the ones a replica's load on its host completes. */
    private final List<Boolean> crossHost = new ArrayList<>();
    private final List<Map<String, String>> renames = new ArrayList<>();
    private final HistoryMerge.Changes lag = new HistoryMerge.Changes();
    private final List<String> notes = new ArrayList<>();
    /** Links with applies waiting for their feeds. */
    private final List<Acc> deferring = new ArrayList<>();
    private final FlowWriter fw;
    private long arrows, dropped;

    private ReplicationJoin(List<Host> hosts, FlowWriter fw) {
        this.hosts = hosts;
        this.fw = fw;
    }

    /**
     * Joins the hosts' replication: their links and resyncs resolved, then their records paired, the arrows between
     * hosts written to {@code fw} as one run (in the order they are found: the applies' time).
     */
    public static ReplicationJoin join(List<Host> hosts, FlowWriter fw) throws IOException {
        var j = new ReplicationJoin(hosts, fw);
        j.resolve();
        j.pair();
        return j;
    }

    /** The combined model's replication statistics. */
    public ReplicationStats stats() {
        long omitted = 0, fed = dropped;
        for (var h : hosts) {
            omitted += h.summary().replication().resyncsOmitted();
            fed += h.summary().replication().feedsDropped();
        }
        var out = new ArrayList<ReplicationStats.Link>();
        for (var a : links.values()) out.add(a.build());
        var rs = new ArrayList<>(resyncs);
        rs.sort(Comparator.comparingLong(ReplicationStats.Resync::time));
        return new ReplicationStats(out, rs, fed, omitted);
    }

    /** Per host: a history attribute path (names joined by NUL) → its new last name. */
    public List<Map<String, String>> renames() { return renames; }

    /** Each replica's lag at each apply that paired a write with another host's master, in time order. */
    public HistoryMerge.Changes lag() { return lag; }

    /** What could not be paired, said. */
    public List<String> notes() { return notes; }

    /** The arrows written: each master write a replica on another host applied (from a client: fd known). */
    public long arrows() { return arrows; }

    // ---- the links

    /** A master → replica link of the combined model, from the hosts' halves (or a host's whole link). */
    private static final class Acc {
        final String master, replica;
        ReplicationStats.Link whole, replicaHalf, masterHalf;
        ClockFix replicaFix, masterFix;
        int replicaHost = -1, masterHost = -1;
        /** Paired here, from the replica's applies (when its host has repl.bin). */
        boolean joined;
        long cursor, applies, writes, unpaired, lagSum, maxLag, maxLagAt;
        final Map<String, Long> byCommand = new TreeMap<>();
        /** Applies waiting for their feeds, {time, to, n, replica, fd} (ReplicationSpool.DEFER_NS), and the replica's name. */
        final ArrayDeque<long[]> deferred = new ArrayDeque<>();
        Feeds feeds;
        String replicaName;
        int replicaIndex = -1;

        Acc(String master, String replica) {
            this.master = master;
            this.replica = replica;
        }

        ReplicationStats.Link build() {
            if (whole != null) {
                var l = whole;
                var fix = replicaFix;
                return new ReplicationStats.Link(master, replica, l.writesApplied(), l.writesByCommand(), l.bytesApplied(),
                        l.applies(), l.appliesUnpaired(), l.meanLagNs(), l.maxLagNs(), at(fix, l.maxLagAt()),
                        l.maxOffsetLag(), at(fix, l.maxOffsetLagAt()), l.acks(), l.lastAckOffset());
            }
            var r = replicaHalf;
            var m = masterHalf;
            long bytes = r == null ? 0 : r.bytesApplied(), n = r == null ? 0 : r.applies();
            long w, un, mean, max, maxAt;
            Map<String, Long> cmds;
            if (joined) {
                w = writes;
                un = unpaired + deferred.size();
                mean = writes == 0 ? 0 : lagSum / writes;
                max = maxLag;
                maxAt = maxLagAt;
                cmds = byCommand;
            } else {
                w = r == null ? 0 : r.writesApplied();
                un = r == null ? 0 : r.appliesUnpaired();
                mean = r == null ? 0 : r.meanLagNs();
                max = r == null ? 0 : r.maxLagNs();
                maxAt = r == null ? 0 : at(replicaFix, r.maxLagAt());
                cmds = r == null ? Map.of() : r.writesByCommand();
            }
            return new ReplicationStats.Link(master, replica, w, cmds, bytes, n, un, mean, max, maxAt,
                    m == null ? 0 : m.maxOffsetLag(), m == null ? 0 : at(masterFix, m.maxOffsetLagAt()),
                    m == null ? 0 : m.acks(), m == null ? -1 : m.lastAckOffset());
        }
    }

    private static long at(ClockFix fix, long t) { return t == 0 ? 0 : fix.apply(t); }

    /** A host's link end named by address ("host:port"): the server of another host listening on that port, or null. */
    private String other(int host, String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) return null;
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        // As the one-go pass (Replication.byPort): a server of another trace on that port, the last one if several.
        String found = null;
        for (var s : byPort.getOrDefault(port, List.of())) if ((int) s[0] != host) found = (String) s[1];
        return found;
    }

    /** The hosts' links and resyncs, their ends on other hosts named. */
    private void resolve() {
        for (int i = 0; i < hosts.size(); i++) {
            for (var s : hosts.get(i).summary().servers()) {
                if (s.port() > 0) byPort.computeIfAbsent(s.port(), k -> new ArrayList<>()).add(new Object[] {i, hosts.get(i).named().apply(s.name())});
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            var h = hosts.get(i);
            var local = new HashSet<String>();
            for (var s : h.summary().servers()) local.add(s.name());
            var rename = new HashMap<String, String>();
            renames.add(rename);
            for (var l : h.summary().replication().links()) {
                boolean masterHere = local.contains(l.master()), replicaHere = local.contains(l.replica());
                String m = masterHere ? h.named().apply(l.master()) : other(i, l.master());
                String r = replicaHere ? h.named().apply(l.replica()) : other(i, l.replica());
                if (m == null) m = l.master();
                if (r == null) r = l.replica();
                var acc = links.computeIfAbsent(List.of(m, r), k -> new Acc(k.get(0), k.get(1)));
                if (masterHere && replicaHere || !masterHere && !replicaHere) {
                    acc.whole = l;
                    acc.replicaFix = h.fix();
                } else if (replicaHere) {
                    acc.replicaHalf = sum(acc.replicaHalf, l);
                    acc.replicaFix = h.fix();
                    acc.replicaHost = i;
                } else {
                    acc.masterHalf = l;
                    acc.masterFix = h.fix();
                    acc.masterHost = i;
                    if (!r.equals(l.replica())) rename.put(String.join("\u0000", l.master(), "Replication", "Replicas", l.replica()), r);
                }
            }
            for (var x : h.summary().replication().resyncs()) {
                boolean replicaHere = local.contains(x.replica());
                var r = replicaHere ? h.named().apply(x.replica()) : other(i, x.replica());
                resyncs.add(new ReplicationStats.Resync(h.named().apply(x.master()), r == null ? x.replica() : r,
                        h.fix().apply(x.time()), x.full(), x.reason(), x.requestedOffset(), x.offset(), x.backlogBytes(),
                        x.transferNs(), x.loadedAt() < 0 ? x.loadedAt() : h.fix().apply(x.loadedAt())));
                crossHost.add(!replicaHere && r != null);
            }
        }
        for (var a : links.values()) {
            if (a.whole != null || a.replicaHalf == null || a.masterHalf == null) continue; // whole, or the other end untraced
            for (int i : new int[] {a.masterHost, a.replicaHost}) {
                var h = hosts.get(i);
                if (h.repl() == null) {
                    notes.add("combined: host " + h.name() + " has no " + HostReplication.FILE + ": the writes of " + a.master
                            + " applied by " + a.replica + " are not paired (run `kvscope analyze --force` there)");
                }
            }
        }
    }

    /** Two halves of one replica's link (its master reached by two addresses): counts summed. */
    private static ReplicationStats.Link sum(ReplicationStats.Link a, ReplicationStats.Link b) {
        if (a == null) return b;
        return new ReplicationStats.Link(a.master(), a.replica(), a.writesApplied() + b.writesApplied(), a.writesByCommand(),
                a.bytesApplied() + b.bytesApplied(), a.applies() + b.applies(), a.appliesUnpaired() + b.appliesUnpaired(),
                a.meanLagNs(), Math.max(a.maxLagNs(), b.maxLagNs()), a.maxLagAt(), 0, 0, 0, -1);
    }

    // ---- the pairing

    /** One master's recent feeds, on the reference clock, as Replication.Feeds keeps them. */
    private static final class Feeds {
        final int server;
        final long[] offsets = new long[ReplicationSpool.FEEDS_KEPT], times = new long[ReplicationSpool.FEEDS_KEPT];
        final int[] fds = new int[ReplicationSpool.FEEDS_KEPT];
        final String[] names = new String[ReplicationSpool.FEEDS_KEPT];
        long base, end;

        Feeds(int server) { this.server = server; }

        void add(long offset, long time, int fd, String name) {
            if (end - base == offsets.length) base++;
            int i = (int) (end & (offsets.length - 1));
            offsets[i] = offset;
            times[i] = time;
            fds[i] = fd;
            names[i] = name;
            end++;
        }

        int at(long seq) { return (int) (seq & (offsets.length - 1)); }
    }

    /** One host's records in order, on the reference clock. */
    private static final class Source {
        final int host;
        final Host h;
        final HostReplication.Record r = new HostReplication.Record();
        final Map<Integer, String> names = new HashMap<>();
        long at;

        Source(int host, Host h) {
            this.host = host;
            this.h = h;
            for (var s : h.repl().servers) names.put(s.index(), h.named().apply(s.name()));
        }

        boolean next() throws IOException {
            if (!h.repl().next(r)) return false;
            at = h.fix().apply(r.time);
            return true;
        }

        int combined(int server) {
            if (server < 0 || server >= h.map().length) throw new IllegalStateException(h.repl().file + ": unknown server " + server);
            return h.map()[server];
        }
    }

    private void pair() throws IOException {
        // Only masters whose replica is on another host need their feeds here; the rest are paired in their models.
        var masters = new HashSet<String>();
        for (var a : links.values()) if (a.whole == null && a.replicaHalf != null) masters.add(a.master);
        var queue = new PriorityQueue<Source>(Comparator.<Source>comparingLong(s -> s.at).thenComparingInt(s -> s.host));
        for (int i = 0; i < hosts.size(); i++) {
            if (hosts.get(i).repl() == null) continue;
            var s = new Source(i, hosts.get(i));
            if (s.next()) queue.add(s);
        }
        var feeds = new HashMap<String, Feeds>();
        var loads = new ArrayList<Object[]>();
        if (fw != null) fw.newRun();
        while (!queue.isEmpty()) {
            var s = queue.poll();
            var r = s.r;
            var server = s.names.get(r.server);
            if (server == null) throw new IOException(s.h.repl().file + ": unknown server " + r.server);
            switch (r.kind) {
                case ReplicationSpool.RECORD_FEED -> {
                    if (masters.contains(server)) {
                        var f = feeds.computeIfAbsent(server, k -> new Feeds(s.combined(r.server)));
                        f.add(r.offset, s.at, r.fd, r.text);
                        if (!deferring.isEmpty()) resolve(f, s.at);
                    }
                }
                case ReplicationSpool.RECORD_APPLY -> {
                    var m = other(s.host, r.text);
                    var a = m == null ? null : links.get(List.of(m, server));
                    if (a != null && a.whole == null) apply(a, feeds.get(m), s.at, r.offset, r.bytes, s.combined(r.server), r.fd, server);
                }
                case ReplicationSpool.RECORD_LOADED -> loads.add(new Object[] {s.at, server});
                default -> { }
            }
            if (s.next()) queue.add(s);
        }
        // A full resync's RDB loaded on the replica's host: the latest such resync before it, as masterSync does.
        for (var l : loads) {
            long t = (long) l[0];
            for (int i = resyncs.size() - 1; i >= 0; i--) {
                var x = resyncs.get(i);
                if (!crossHost.get(i) || !x.full() || x.loadedAt() >= 0 || x.time() > t || !x.replica().equals(l[1])) continue;
                resyncs.set(i, new ReplicationStats.Resync(x.master(), x.replica(), x.time(), x.full(), x.reason(),
                        x.requestedOffset(), x.offset(), x.backlogBytes(), x.transferNs(), t));
                break;
            }
        }
    }

    /** Replication.resolve: the deferred applies these feeds now cover, or that waited too long. */
    private void resolve(Feeds f, long now) throws IOException {
        for (int k = deferring.size() - 1; k >= 0; k--) {
            var a = deferring.get(k);
            if (a.feeds != f) continue;
            while (!a.deferred.isEmpty()) {
                var d = a.deferred.peekFirst();
                boolean expired = now - d[0] > ReplicationSpool.DEFER_NS;
                if (!expired && f.offsets[f.at(f.end - 1)] < d[1]) break;
                a.deferred.pollFirst();
                if (expired || pair(a, f, d[0], d[1], d[2], (int) d[3], (int) d[4], now) == 0) a.unpaired++;
            }
            if (a.deferred.isEmpty()) deferring.remove(k);
        }
    }

    /** Replication.apply, for a link whose ends are on two hosts. */
    private void apply(Acc a, Feeds f, long t, long to, long n, int replica, int fd, String replicaName) throws IOException {
        a.joined = true;
        a.applies++;
        if (f == null) {
            a.unpaired++;
            return;
        }
        a.feeds = f;
        a.replicaName = replicaName;
        // An apply may come before its feeds in the merge (the clocks are right within their bound): it waits.
        if (!a.deferred.isEmpty() || f.end == f.base || f.offsets[f.at(f.end - 1)] < to) {
            if (a.deferred.size() >= ReplicationSpool.DEFER_MAX) {
                a.unpaired++;
                return;
            }
            if (a.deferred.isEmpty()) deferring.add(a);
            a.deferred.addLast(new long[] {t, to, n, replica, fd});
            return;
        }
        if (pair(a, f, t, to, n, replica, fd, t) == 0) a.unpaired++;
    }

    /** Replication.pair: the feeds in (to − n, to] paired with the apply at t; how many. */
    private long pair(Acc a, Feeds f, long t, long to, long n, int replica, int fd, long emit) throws IOException {
        if (a.cursor < f.base) {
            if (a.applies > 1) dropped += f.base - a.cursor;
            a.cursor = f.base;
        }
        long from = to - n;
        while (a.cursor < f.end && f.offsets[f.at(a.cursor)] <= from) a.cursor++;
        long paired = 0, worst = 0;
        while (a.cursor < f.end && f.offsets[f.at(a.cursor)] <= to) {
            int i = f.at(a.cursor++);
            long fedAt = f.times[i];
            long last = t - fedAt;
            worst = Math.max(worst, last);
            paired++;
            a.writes++;
            a.lagSum += last;
            if (last > a.maxLag) {
                a.maxLag = last;
                a.maxLagAt = t;
            }
            a.byCommand.merge(f.names[i], 1L, Long::sum);
            if (f.fds[i] >= 0 && fw != null) {
                fw.add(Flow.Hop.REPLICATION, f.server, f.fds[i], fedAt, replica, fd, t, emit);
                arrows++;
            }
        }
        if (paired > 0) lag.set(t, List.of(a.replicaName, "Replication", "Lag"), worst); // the batch's worst, as Replication.pair
        return paired;
    }

}
