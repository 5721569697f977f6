package kvscope.analysis.model;

import kvscope.analysis.flows.Flow;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static kvscope.analysis.model.Dispatch.needs;

/**
 * Replication (issue #19): which master write reached which replica, and how late. A master's {@code repl_feed} says
 * its replication offset after feeding a command; a replica's {@code repl_apply} says the offset it reached by
 * applying the master's stream. The stream is the same bytes on both ends, so the writes a replica applied are the
 * master's feeds with an offset in (applied − bytes, applied] — paired by offset, not guessed by time. Each pair is
 * a Netflow arrow ({@link Flow.Hop#REPLICATION}) from the client's write on the master to the replica's master link,
 * and its time is the replica's lag for that write ({@code <replica>/Replication/Lag}). REPLCONF ACKs give the offset
 * lag as the master sees it ({@code <master>/Replication/Replicas/<replica>/Offset lag}), in both profiles; PSYNC/SYNC
 * answers and the replica going online give each resync, with its reason and RDB transfer time.
 *
 * <p>The trace is read in time order and a write is fed before any replica can apply it (on one host; a replica on
 * another host may come first within the clocks' bound, and waits: {@link ReplicationSpool#DEFER_NS}), so pairing
 * happens during the pass: a master keeps its recent feeds in a bounded queue ({@link #CAPACITY}); feeds that fall out of it before a
 * traced replica applied them are counted ({@link ReplicationStats#feedsDropped}).
 */
final class Replication {
    /** Feeds kept per master: 2^18 writes, 6 MB; a replica more than that behind is counted, not paired. */
    static final int CAPACITY = 1 << 18;
    /** Resyncs kept for the summary; a trace with more (a replica in a resync loop) counts the rest. */
    static final int MAX_RESYNCS = 10_000;

    private final List<ServerState> servers;
    private final Field replOffset, bytes, ackOffset, full, reason, requestedOffset, backlogBytes, listeningPort, rdbBytes,
            name;
    private final Map<ServerState, Feeds> feeds = new IdentityHashMap<>();
    /** The replica side's link, by its master connection. */
    private final Map<Conn, Link> byMasterConn = new IdentityHashMap<>();
    /** Every link, by (master, replica): ServerState when traced, else the peer's address. */
    private final Map<List<Object>, Link> links = new LinkedHashMap<>();
    private final List<Resync> resyncs = new ArrayList<>();
    /** Full resyncs waiting for their replica to go online, by the master's replica connection. */
    private final Map<Conn, Resync> transferring = new IdentityHashMap<>();
    private long dropped, resyncsOmitted;
    /** Links with applies waiting for their feeds ({@link ReplicationSpool#DEFER_NS}). */
    private final List<Link> deferring = new ArrayList<>();
    /** Where this host's replication events go for an aggregator (combine.HostReplication), or null. */
    private ReplicationSpool spool;

    Replication(Trace trace, Layouts layouts, List<ServerState> servers) {
        this.servers = servers;
        replOffset = layouts.field(trace, "repl_offset");
        bytes = layouts.field(trace, "bytes");
        ackOffset = layouts.field(trace, "ack_offset");
        full = layouts.field(trace, "full");
        reason = layouts.field(trace, "reason");
        requestedOffset = layouts.field(trace, "requested_offset");
        backlogBytes = layouts.field(trace, "backlog_bytes");
        listeningPort = layouts.field(trace, "listening_port");
        rdbBytes = layouts.field(trace, "rdb_bytes");
        name = layouts.field(trace, "name");
    }

    /** Records, from now on, what an aggregator needs to pair this host's replication with other hosts'. */
    void spoolTo(ReplicationSpool spool) { this.spool = spool; }

    void register(Dispatch d) {
        d.on("repl_feed", needs("repl_offset"), this::feed);
        d.on("repl_apply", needs("fd", "repl_offset", "bytes"), this::apply);
        d.on("repl_ack", needs("fd", "ack_offset", "repl_offset"), this::ack);
        d.on("repl_sync", needs("fd", "full"), this::sync);
        d.on("repl_replica_online", needs("fd"), this::online);
        d.on("repl_master_sync", needs("fd", "full"), this::masterSync);
    }

    /** A master fed one command to its replicas (and backlog). */
    private void feed(Ctx c) {
        var f = feeds.computeIfAbsent(c.server, s -> new Feeds(c));
        long n = Math.max(0, c.num(bytes));
        f.bytes += n;
        c.timeline.set(c.time, f.qOut, f.bytes);
        long offset = c.num(replOffset);
        int fd = (int) Fields.get(c.event, c.fields.fd, -1);
        var command = Fields.str(c.event, name, "").toLowerCase(Locale.ROOT);
        f.add(offset, c.time, fd, command);
        if (spool != null) spool.feed(c.server.index, c.time, offset, fd, f.name(f.end - 1));
        if (!deferring.isEmpty()) resolve(c, f);
    }

    /** The deferred applies of links from this master that its feeds now cover, or that waited too long. */
    private void resolve(Ctx c, Feeds f) {
        for (int k = deferring.size() - 1; k >= 0; k--) {
            var link = deferring.get(k);
            if (link.master != f.server) continue;
            while (!link.deferred.isEmpty()) {
                var d = link.deferred.peekFirst();
                boolean expired = c.time - d[0] > ReplicationSpool.DEFER_NS;
                if (!expired && f.offset(f.end - 1) < d[2]) break;
                link.deferred.pollFirst();
                if (expired || pair(c, link, f, d[0], d[1], d[2], (int) d[3]) == 0) link.appliesUnpaired++;
            }
            if (link.deferred.isEmpty()) deferring.remove(k);
        }
    }

    /** A replica applied its master's stream up to repl_offset. */
    private void apply(Ctx c) {
        var conn = c.conn("master");
        var link = byMasterConn.get(conn);
        if (link == null || link.connId != conn.id) {
            link = link(masterOf(c, conn), c.server);
            link.connId = conn.id;
            byMasterConn.put(conn, link);
        }
        long to = c.num(replOffset), n = Math.max(0, c.num(bytes)), from = to - n;
        link.applies++;
        link.bytesApplied += n;
        var r = replicaSide(c);
        c.timeline.set(c.time, r[0], link.bytesApplied);
        c.timeline.set(c.time, r[1], to);
        if (spool != null && !(link.master instanceof ServerState)) {
            spool.apply(c.server.index, c.time, to, n, conn.fd, nameOf(link.master));
        }
        var f = link.master instanceof ServerState m ? feeds.get(m) : null;
        if (f == null) {
            link.appliesUnpaired++;
            return;
        }
        if (link.replicaSide == null) link.replicaSide = r;
        // On another host than its master, an apply may come before its feeds in the merge (ReplicationSpool.DEFER_NS):
        // it waits for them.
        boolean early = !link.deferred.isEmpty() || f.offset(f.end - 1) < to;
        if (f.server.traceIndex != c.server.traceIndex && early) {
            if (link.deferred.size() >= ReplicationSpool.DEFER_MAX) {
                link.appliesUnpaired++;
                return;
            }
            if (link.deferred.isEmpty()) deferring.add(link);
            link.deferred.addLast(new long[] {c.time, from, to, conn.fd});
            return;
        }
        if (pair(c, link, f, c.time, from, to, conn.fd) == 0) link.appliesUnpaired++;
    }

    /** Pairs the feeds in (from, to] with the replica's apply at t on its master connection fd; how many. */
    private long pair(Ctx c, Link link, Feeds f, long t, long from, long to, int replicaFd) {
        var r = link.replicaSide;
        var replica = (ServerState) link.replica;
        if (link.cursor < f.base) {
            if (link.applies > 1) dropped += f.base - link.cursor;
            link.cursor = f.base;
        }
        while (link.cursor < f.end && f.offset(link.cursor) <= from) link.cursor++;
        // One apply can cover several writes (a pipelined burst); the oldest of them waited longest, and that worst lag
        // is what the Lag attribute shows at t (the last one's would hide the peak the link's maximum reports).
        long paired = 0, worst = 0;
        while (link.cursor < f.end && f.offset(link.cursor) <= to) {
            long i = link.cursor++;
            long fedAt = f.time(i);
            long lag = t - fedAt;
            worst = Math.max(worst, lag);
            paired++;
            link.writes++;
            link.lagSum += lag;
            if (lag > link.maxLag) {
                link.maxLag = lag;
                link.maxLagAt = t;
            }
            link.byCommand.merge(f.name(i), 1L, Long::sum);
            int fd = f.fd(i);
            if (fd >= 0) {
                try {
                    c.flows.add(Flow.Hop.REPLICATION, f.server.index, fd, fedAt, replica.index, replicaFd, t, c.time);
                    c.counters.flows++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        if (paired > 0) c.timeline.set(t, r[2], worst);
        return paired;
    }

    /** [In/Bytes, Offset, Lag] quarks of the replica's Replication subtree. */
    private static int[] replicaSide(Ctx c) {
        var s = c.server;
        if (s.replication == null) {
            int q = s.h.getOrCreateUnder(s.root, "Replication");
            s.replication = new int[] {s.h.getOrCreateUnder(q, "In", "Bytes"), s.h.getOrCreateUnder(q, "Offset"),
                    s.h.getOrCreateUnder(q, "Lag")};
        }
        return s.replication;
    }

    /** The master a replica's master link goes to: a traced server listening on the link's peer port, else its address. */
    private Object masterOf(Ctx c, Conn conn) {
        var peer = conn.peer == null ? "" : conn.peer;
        int colon = peer.lastIndexOf(':');
        int port = -1;
        try {
            if (colon > 0) port = Integer.parseInt(peer.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        var s = byPort(c, port);
        return s != null ? s : peer.isEmpty() ? "master fd=" + conn.fd : peer;
    }

    /** A traced server (other than this one) listening on port, the one on this event's host first. */
    private ServerState byPort(Ctx c, int port) {
        if (port <= 0) return null;
        ServerState other = null;
        for (var s : servers) {
            if (s == c.server || s.stats.port != port) continue;
            if (s.traceIndex == c.server.traceIndex) return s;
            other = s;
        }
        return other;
    }

    private Link link(Object master, Object replica) {
        return links.computeIfAbsent(List.of(master, replica), k -> new Link(master, replica));
    }

    /** The link a master's replica connection is, by the replica's listening port (REPLCONF listening-port). */
    private Link replicaLink(Ctx c, Conn conn) {
        int port = (int) c.num(listeningPort);
        var s = byPort(c, port);
        Object replica = s != null ? s : hostOf(conn.peer) + ":" + (port > 0 ? port : "?");
        var link = link(c.server, replica);
        if (link.qAcked < 0) {
            var h = c.server.h;
            int q = h.getOrCreateUnder(c.server.root, "Replication", "Replicas", link.replicaName());
            link.qAcked = h.getOrCreateUnder(q, "Acked");
            link.qOffsetLag = h.getOrCreateUnder(q, "Offset lag");
            link.qState = h.getOrCreateUnder(q, "State");
        }
        return link;
    }

    private static String hostOf(String peer) {
        if (peer == null || peer.isEmpty()) return "?";
        int colon = peer.lastIndexOf(':');
        return colon > 0 ? peer.substring(0, colon) : peer;
    }

    private void ack(Ctx c) {
        var conn = c.conn("replica");
        var link = replicaLink(c, conn);
        long acked = c.num(ackOffset), lagBytes = Math.max(0, c.num(replOffset) - acked);
        link.acks++;
        link.lastAck = acked;
        if (lagBytes > link.maxOffsetLag || link.acks == 1) {
            link.maxOffsetLag = lagBytes;
            link.maxOffsetLagAt = c.time;
        }
        c.timeline.set(c.time, link.qAcked, acked);
        c.timeline.set(c.time, link.qOffsetLag, lagBytes);
    }

    private void sync(Ctx c) {
        var conn = c.conn("replica");
        var link = replicaLink(c, conn);
        boolean isFull = c.num(full) != 0;
        c.timeline.set(c.time, link.qState, isFull ? "FULL RESYNC" : "ONLINE");
        if (resyncs.size() == MAX_RESYNCS) {
            resyncsOmitted++;
            return;
        }
        var r = new Resync(link, c.time, isFull, isFull ? Fields.str(c.event, reason, "") : "",
                Fields.get(c.event, requestedOffset, -1), c.num(replOffset), c.num(backlogBytes));
        resyncs.add(r);
        if (isFull) transferring.put(conn, r);
    }

    private void online(Ctx c) {
        var conn = c.conn("replica");
        var link = replicaLink(c, conn);
        var r = transferring.remove(conn);
        if (r != null) r.transferNs = c.time - r.time;
        c.timeline.set(c.time, link.qState, "ONLINE");
    }

    /** The replica's side of a sync: a full one has loaded the RDB now. */
    private void masterSync(Ctx c) {
        if (spool != null && c.num(full) != 0) spool.loaded(c.server.index, c.time);
        if (c.num(full) == 0) {
            // A partial resync resurrects the cached master client, id and all (replicationResurrectCachedMaster):
            // the free_client its lost link wrote freed a client that lives on, so its next free is not a second one.
            c.server.freedClients.remove(c.id());
            return;
        }
        for (int i = resyncs.size() - 1; i >= 0; i--) {
            var r = resyncs.get(i);
            if (r.full && r.loadedAt < 0 && r.link.replica == c.server) {
                r.loadedAt = c.time;
                return;
            }
        }
    }

    /** What the pass saw, under the servers' final names. */
    ReplicationStats build() {
        if (links.isEmpty() && resyncs.isEmpty() && dropped == 0) return ReplicationStats.NONE;
        var out = new ArrayList<ReplicationStats.Link>();
        for (var l : links.values()) {
            out.add(new ReplicationStats.Link(nameOf(l.master), l.replicaName(), l.writes, new TreeMap<>(l.byCommand),
                    l.bytesApplied, l.applies, l.appliesUnpaired + l.deferred.size(), l.writes == 0 ? 0 : l.lagSum / l.writes, l.maxLag,
                    l.maxLagAt, l.maxOffsetLag, l.maxOffsetLagAt, l.acks, l.lastAck));
        }
        var rs = resyncs.stream().map(r -> new ReplicationStats.Resync(nameOf(r.link.master), r.link.replicaName(), r.time,
                r.full, r.reason, r.requested, r.offset, r.backlog, r.transferNs, r.loadedAt)).toList();
        return new ReplicationStats(out, rs, dropped, resyncsOmitted);
    }

    private static String nameOf(Object o) { return o instanceof ServerState s ? s.name : String.valueOf(o); }

    /** One master's recent feeds: a ring of (offset, time, client fd, command) by absolute sequence number. */
    private static final class Feeds {
        final ServerState server;
        final int qOut;
        final long[] offsets = new long[CAPACITY], times = new long[CAPACITY];
        final int[] fds = new int[CAPACITY], names = new int[CAPACITY];
        final List<String> nameList = new ArrayList<>();
        final Map<String, Integer> nameIds = new HashMap<>();
        long base, end, bytes;

        Feeds(Ctx c) {
            server = c.server;
            qOut = c.server.h.getOrCreateUnder(c.server.root, "Replication", "Out", "Bytes");
        }

        void add(long offset, long time, int fd, String name) {
            if (end - base == CAPACITY) base++;
            int i = (int) (end & (CAPACITY - 1));
            offsets[i] = offset;
            times[i] = time;
            fds[i] = fd;
            Integer id = nameIds.get(name);
            if (id == null) {
                id = nameList.size();
                if (id < 4096) {
                    nameList.add(name);
                    nameIds.put(name, id);
                } else {
                    id = 0; // a hostile trace's endless names: the first stands for them
                }
            }
            names[i] = id;
            end++;
        }

        long offset(long seq) { return offsets[(int) (seq & (CAPACITY - 1))]; }
        long time(long seq) { return times[(int) (seq & (CAPACITY - 1))]; }
        int fd(long seq) { return fds[(int) (seq & (CAPACITY - 1))]; }
        String name(long seq) { return nameList.get(names[(int) (seq & (CAPACITY - 1))]); }
    }

    /** A master → replica link as the pass builds it. */
    private static final class Link {
        final Object master, replica;
        long connId = Long.MIN_VALUE, cursor;
        long writes, bytesApplied, applies, appliesUnpaired, lagSum, maxLag, maxLagAt;
        /** The replica's Replication quarks (replicaSide), once it applied. */
        int[] replicaSide;
        /** Applies waiting for their feeds: {time, from, to, fd} ({@link ReplicationSpool#DEFER_NS}). */
        final ArrayDeque<long[]> deferred = new ArrayDeque<>();
        long acks, lastAck = -1, maxOffsetLag, maxOffsetLagAt;
        int qAcked = -1, qOffsetLag = -1, qState = -1;
        final Map<String, Long> byCommand = new HashMap<>();

        Link(Object master, Object replica) {
            this.master = master;
            this.replica = replica;
        }

        String replicaName() { return nameOf(replica); }
    }

    /** A resync as the pass builds it. */
    private static final class Resync {
        final Link link;
        final long time, requested, offset, backlog;
        final boolean full;
        final String reason;
        long transferNs = -1, loadedAt = -1;

        Resync(Link link, long time, boolean full, String reason, long requested, long offset, long backlog) {
            this.link = link;
            this.time = time;
            this.full = full;
            this.reason = reason;
            this.requested = requested;
            this.offset = offset;
            this.backlog = backlog;
        }
    }
}
