package kvscope.analysis.sync;

import kvscope.fixtures.RedisTraceWriter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static kvscope.fixtures.RedisTraceWriter.OFFSET_S;
import static kvscope.fixtures.RedisTraceWriter.T0;

/**
 * Traces of Redis cluster nodes on several hosts whose clocks are wrong by a known offset and drift: each host's
 * trace has the timestamps its clock would have given ({@code t + offset + drift·(t − T0)} for a true time t), both
 * the events' and the {@code start_ns} fields'. Linked hosts ping each other every 10 ms (pong back unless the link
 * is one-way) over one connection per pair, with network delays of 50–400 µs, and host 0 publishes every 100 ms to
 * every node it is linked to.
 */
final class SkewedCluster {
    /** A host and how its clock differs from true time. */
    record Host(String name, long offsetNs, double drift) {
        long clock(long t) { return t + offsetNs + Math.round(drift * (t - T0)); }

        /** The true time of a reading of this host's clock (the inverse of {@link #clock}). */
        double truth(long h) { return T0 + (h - offsetNs - (double) T0) / (1 + drift); }
    }

    /** A link from host {@code out} (which connected) to host {@code in}; {@code oneWay}: no messages back. */
    record Link(int out, int in, boolean oneWay) {}

    static final long SPAN_NS = 2_000_000_000L;
    static final int PUBLISH_EVERY = 10;
    private record Ev(long t, int vtid, String name, Object[] fields) {}
    /** A start_ns value: a true time, written as the host's raw clock. */
    private record Start(long t) {}

    static String nodeId(int host) { return Integer.toString(host + 1).repeat(40); }

    /** Writes one trace per host under root/NAME; returns how many publish messages crossed a link. */
    static long write(Path root, List<Host> hosts, List<Link> links, long seed) {
        var rnd = new Random(seed);
        var evs = new ArrayList<List<Ev>>();
        for (int i = 0; i < hosts.size(); i++) {
            var l = new ArrayList<Ev>();
            l.add(new Ev(T0, 100, "server_info", new Object[] {"port", 7000, "cluster_enabled", 1, "cluster_port", 17000,
                    "io_threads", 1, "used_memory", 1_000_000L, "role", "master", "node_id", nodeId(i)}));
            evs.add(l);
        }
        long publishes = 0;
        for (var k : links) {
            int x = k.out(), y = k.in();
            int eph = 40000 + 10 * x + y;
            int fdX = 20 + y, fdY = 30 + x;
            long idX = 100 + y, idY = 200 + x;
            evs.get(x).add(new Ev(T0 + 1_000_000, 100, "accept_client", new Object[] {"fd", fdX, "id", idX, "type", "cluster",
                    "inbound", 0, "peer_addr", "10.0.0." + (y + 1), "peer_port", 17000, "local_port", eph}));
            evs.get(y).add(new Ev(T0 + 1_000_000 + 300_000, 100, "accept_client", new Object[] {"fd", fdY, "id", idY,
                    "type", "cluster", "inbound", 1, "peer_addr", "10.0.0." + (x + 1), "peer_port", eph, "local_port", 17000}));
            for (int m = 0; 2_000_000L + m * 10_000_000L < SPAN_NS; m++) {
                long t = T0 + 2_000_000L + m * 10_000_000L + rnd.nextInt(1_000_000);
                long arrive = message(evs.get(x), evs.get(y), t, fdX, idX, nodeId(y), fdY, idY, nodeId(x), 1, "ping", 2256, rnd);
                if (!k.oneWay()) message(evs.get(y), evs.get(x), arrive + 40_000, fdY, idY, nodeId(x), fdX, idX, nodeId(y), 2, "pong", 2256, rnd);
                if (x == 0 && m % PUBLISH_EVERY == 5) {
                    message(evs.get(x), evs.get(y), t + 2_000_000, fdX, idX, nodeId(y), fdY, idY, nodeId(x), 4, "publish", 300, rnd);
                    publishes++;
                }
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            var h = hosts.get(i);
            var l = evs.get(i);
            l.sort(Comparator.comparingLong(Ev::t));
            try (var w = new RedisTraceWriter(root.resolve(h.name()), h.name(), 100 + i, false)) {
                w.pid(100 + i);
                for (var e : l) {
                    var f = e.fields().clone();
                    for (int j = 1; j < f.length; j += 2) {
                        if (f[j] instanceof Start s) f[j] = h.clock(s.t()) - OFFSET_S * 1_000_000_000L;
                    }
                    w.event(0, h.clock(e.t()), e.vtid(), e.name(), f);
                }
            }
        }
        return publishes;
    }

    /** One message queued on the sender at t, processed by the receiver 50–400 µs later; returns when it was processed. */
    private static long message(List<Ev> from, List<Ev> to, long t, int fdFrom, long idFrom, String peer, int fdTo,
                                long idTo, String sender, int type, String typeName, long len, Random rnd) {
        from.add(new Ev(t, 100, "cluster_send", new Object[] {"fd", fdFrom, "id", idFrom, "peer", peer, "type", type,
                "type_name", typeName, "totlen", len, "sndbuf_len", len}));
        from.add(new Ev(t + 5_000, 100, "cluster_write", new Object[] {"fd", fdFrom, "id", idFrom, "start_ns", new Start(t + 2_000),
                "requested", len, "nwritten", len}));
        long read = t + 50_000 + rnd.nextInt(350_000);
        to.add(new Ev(read + 3_000, 100, "cluster_read", new Object[] {"fd", fdTo, "id", idTo, "start_ns", new Start(read),
                "requested", 16384L, "nread", len, "rcvbuf_len", len}));
        to.add(new Ev(read + 20_000, 100, "cluster_process_packet", new Object[] {"fd", fdTo, "id", idTo,
                "start_ns", new Start(read + 5_000), "sender", sender, "type", type, "type_name", typeName, "totlen", (int) len}));
        return read + 20_000;
    }
}
