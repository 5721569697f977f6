package kvscope.analysis.services;

import kvscope.analysis.report.Units;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.statesystem.History;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each Redis call a service made ↔ one request of the Redis model (a segment). The connection first: Redis's
 * {@code accept_client} names the client by its address and port and says which local port accepted it — the
 * service's {@code redis_send} names the same connection by its own address and port and Redis's port (EVENTS.md);
 * ports are reused over time, so the latest accept before the first command wins. A connection made before the
 * recording started is named by Redis's snapshot ({@code snapshot_client}), which counts as accepted before anything. Then the order: RESP answers in
 * order, and Redis executes a connection's commands in order, so the calls and the connection's segments are two
 * lists of the same commands — except what Redis never executes as a request (commands queued by MULTI, refused
 * before execution: MOVED, unknown command) and what the agent did not see. The lists are aligned by command name
 * (a pipelined command other than a write's first has no name and fits any), skipping on either side where the names
 * say so; the times are checked after.
 */
final class RedisLinks {
    /** How far ahead on either list the alignment looks for the command it misses before calling it a mismatch. */
    static final int LOOKAHEAD = 16;
    /** Slack for a link's times: the request must lie within the call (same clock on one host). */
    static final long SLACK_NS = 1_000_000;

    private RedisLinks() {}

    private record ConnKey(int server, int fd, long id) {}

    static void link(ServicesBuilder b, SegmentFile segments, History history, Map<String, Long> stats) {
        var s = b.spans;
        b.segmentCommands = segments.commands();
        b.pollStart = new long[s.size];
        Arrays.fill(b.pollStart, Spans.UNKNOWN);
        var byPeer = new HashMap<String, List<ServicesBuilder.Accepted>>();
        for (var a : b.accepted) byPeer.computeIfAbsent(a.peerAddr() + ":" + a.peerPort() + ">" + a.localPort(), k -> new ArrayList<>()).add(a);
        var wanted = new HashMap<ConnKey, ServicesBuilder.Conn>();
        var accepts = new HashMap<ServicesBuilder.Conn, ServicesBuilder.Accepted>();
        long calls = 0, unseen = 0;
        for (var c : b.conns) {
            if (c.kind != SpanKind.REDIS || c.calls.size == 0) continue;
            calls += c.calls.size;
            long firstSend = s.start[c.calls.get(0)];
            ServicesBuilder.Accepted best = null;
            var t = c.tuple;
            var list = t.complete() ? byPeer.get(b.names.get(t.srcAddr()) + ":" + t.srcPort() + ">" + t.dstPort()) : null;
            if (list != null) {
                for (var a : list) if (a.at() <= firstSend + SLACK_NS && (best == null || a.at() > best.at())) best = a;
            }
            if (best == null) {
                unseen += c.calls.size;
                b.problems.add("Redis calls on connections the Redis trace does not show (Redis not traced, or the "
                                + "connection was made before the recording started and no redis:snapshot_client named it): not linked", c.calls.size,
                        Units.offset(firstSend, b.first()) + " " + b.names.get(c.proc.service) + " (pid " + c.proc.pid + ") "
                                + b.names.get(t.srcAddr()) + ":" + t.srcPort() + " → " + b.names.get(t.dstAddr()) + ":" + t.dstPort());
                continue;
            }
            wanted.put(new ConnKey(best.server(), best.fd(), best.id()), c);
            accepts.put(c, best);
        }
        // The requests of those connections, in the order Redis executed them.
        var segs = new HashMap<ServicesBuilder.Conn, LongList>();
        if (!wanted.isEmpty()) {
            var fds = new BitSet();
            for (var k : wanted.keySet()) if (k.fd() >= 0) fds.set(k.fd());
            segments.forEach(cur -> {
                int fd = cur.fd();
                if (fd < 0 || !fds.get(fd)) return;
                var c = wanted.get(new ConnKey(cur.server(), fd, cur.clientId()));
                if (c != null) segs.computeIfAbsent(c, k -> new LongList()).add(cur.index());
            });
        }
        var commands = segments.commands();
        long linked = 0, mismatched = 0, orphanRequests = 0, noRequest = 0, unexecuted = 0;
        for (var e : wanted.entrySet()) {
            var c = e.getValue();
            var seq = sequence(segments, segs.getOrDefault(c, new LongList()), accepts.get(c).side());
            int i = 0, j = 0;
            while (i < c.calls.size && j < seq.size()) {
                int call = c.calls.get(i);
                var g = seq.get(j);
                if (fits(b, call, g, commands)) {
                    if (g.segment() != null) {
                        linkOne(b, call, g.index(), g.segment());
                        linked++;
                    } else {
                        s.flag(call, Spans.NOT_EXECUTED);
                        unexecuted++;
                    }
                    i++;
                    j++;
                    continue;
                }
                int skipCalls = -1, skipSegs = -1;
                for (int k = 1; k <= LOOKAHEAD && i + k < c.calls.size; k++) {
                    if (fits(b, c.calls.get(i + k), g, commands)) { skipCalls = k; break; }
                }
                for (int k = 1; k <= LOOKAHEAD && j + k < seq.size(); k++) {
                    if (fits(b, call, seq.get(j + k), commands)) { skipSegs = k; break; }
                }
                if (skipCalls < 0 && skipSegs < 0) {
                    // Nothing fits nearby: pair them by order, and say so.
                    b.problems.add("Redis calls linked by order to a request of another command", () ->
                            where(b, call) + " call " + name(b, call) + ", request " + commands.get(g.segment().command()));
                    linkOne(b, call, g.index(), g.segment());
                    linked++;
                    mismatched++;
                    i++;
                    j++;
                } else if (skipSegs < 0 || (skipCalls >= 0 && skipCalls <= skipSegs)) {
                    for (int k = 0; k < skipCalls; k++) noRequest(b, c.calls.get(i + k));
                    noRequest += skipCalls;
                    i += skipCalls;
                } else {
                    for (int k = 0; k < skipSegs; k++) {
                        var o = seq.get(j + k);
                        if (o.segment() != null) {
                            orphan(b, c, o.segment(), commands);
                            orphanRequests++;
                        }
                    }
                    j += skipSegs;
                }
            }
            for (; i < c.calls.size; i++, noRequest++) noRequest(b, c.calls.get(i));
            for (; j < seq.size(); j++) {
                if (seq.get(j).segment() == null) continue;
                orphan(b, c, seq.get(j).segment(), commands);
                orphanRequests++;
            }
        }
        long outOfTime = 0;
        // Times: a request outside its call says the join went wrong (or the clocks of two hosts disagree). The reply
        // written is stamped when writeToClient returns, which a busy machine may delay past the moment the service
        // read the reply: the write's start (else the command's end) is what must come before the call's end.
        for (int i = 0; i < s.size; i++) {
            if (s.kind(i) != SpanKind.REDIS || s.link[i] < 0 || b.linked == null || b.linked[i] == null) continue;
            var g = b.linked[i];
            long answered = g.writeStart() != Segment.UNKNOWN ? g.writeStart() : g.commandEnd();
            boolean inside = g.start() >= s.start[i] - SLACK_NS && (s.end[i] == Spans.UNKNOWN || answered <= s.end[i] + SLACK_NS);
            if (!inside) {
                outOfTime++;
                final int call = i;
                b.problems.add("Redis links whose request lies outside its call (clocks of two hosts apart, or a wrong "
                        + "join)", () -> where(b, call) + " call " + name(b, call) + " request at "
                        + Units.offset(g.start(), b.first()));
            }
        }
        pollStarts(b, segments, history);
        stats.put("redis calls", calls);
        stats.put("redis calls linked", linked);
        stats.put("redis calls on untraced connections", unseen);
        stats.put("redis calls without a request", noRequest);
        stats.put("redis calls Redis processed without executing (queued by MULTI, refused)", unexecuted);
        stats.put("redis requests without a call", orphanRequests);
        stats.put("redis links by order with another command", mismatched);
        stats.put("redis links outside their call", outOfTime);
        stats.put("redis connections linked", (long) wanted.size());
    }

    /**
     * One command Redis processed on a connection, in order: a request (its segment and index), or a command it did
     * not execute as one (segment null; only its time is known).
     */
    private record Processed(Segment segment, long index, long time) {}

    /** The connection's requests and unexecuted commands, merged in the order Redis processed them. */
    private static List<Processed> sequence(SegmentFile segments, LongList indexes, ServicesBuilder.RedisSide side) {
        var out = new ArrayList<Processed>(indexes.size + (side == null ? 0 : side.unexecuted.size));
        int g = 0;
        for (int k = 0; k < indexes.size; k++) {
            var seg = segments.get(indexes.get(k));
            while (side != null && g < side.unexecuted.size && side.unexecuted.get(g) < seg.commandStart()) {
                out.add(new Processed(null, -1, side.unexecuted.get(g++)));
            }
            out.add(new Processed(seg, indexes.get(k), seg.commandStart()));
        }
        while (side != null && g < side.unexecuted.size) out.add(new Processed(null, -1, side.unexecuted.get(g++)));
        return out;
    }

    /**
     * Whether a call can be this processed command: same command (a subcommand's full name too), a call whose name is
     * unknown, or a command Redis did not execute (its name is not traced).
     */
    private static boolean fits(ServicesBuilder b, int call, Processed p, List<String> commands) {
        int n = b.spans.name[call];
        if (n < 0 || p.segment() == null) return true;
        var c = b.names.get(n);
        var r = commands.get(p.segment().command());
        return r.equalsIgnoreCase(c) || (r.length() > c.length() && r.charAt(c.length()) == '|' && r.regionMatches(true, 0, c, 0, c.length()));
    }

    private static void linkOne(ServicesBuilder b, int call, long segment, Segment g) {
        b.spans.link[call] = segment;
        if (b.linked == null) b.linked = new Segment[b.spans.size];
        b.linked[call] = g;
    }

    private static void noRequest(ServicesBuilder b, int call) {
        b.problems.add("Redis calls with no request in the Redis trace (queued by MULTI, refused before execution — "
                + "MOVED, unknown command —, or never answered)", () -> where(b, call) + " call " + name(b, call));
    }

    private static void orphan(ServicesBuilder b, ServicesBuilder.Conn c, Segment g, List<String> commands) {
        b.problems.add("Redis requests on services' connections with no call seen (sent before the agent watched the "
                + "socket, or missed by it)", () -> Units.offset(g.start(), b.first()) + " " + b.names.get(c.proc.service)
                + " (pid " + c.proc.pid + ") request " + commands.get(g.command()) + " fd " + g.fd());
    }

    private static String where(ServicesBuilder b, int call) {
        var s = b.spans;
        return Units.offset(s.start[call], b.first()) + " " + b.names.get(s.service[call]) + " (pid " + s.pid[call] + ")";
    }

    private static String name(ServicesBuilder b, int call) {
        int n = b.spans.name[call];
        return n < 0 ? "(pipelined)" : b.names.get(n);
    }

    /**
     * When Redis began the poll that reported each linked call's bytes (the model's EventLoop/Phase). If that is after
     * the call was sent, the bytes waited in the socket while Redis was busy with other work: that wait is Redis's
     * queue, not the network (see {@link Attribution}). Unknown without event-loop events (light profile).
     */
    private static void pollStarts(ServicesBuilder b, SegmentFile segments, History h) {
        if (h == null || b.linked == null) return;
        var phase = new HashMap<Integer, Integer>();
        var servers = segments.servers();
        for (int i = 0; i < b.spans.size; i++) {
            var g = b.linked[i];
            if (g == null || g.readable() == Segment.UNKNOWN) continue;
            int q = phase.computeIfAbsent(g.server(), sv -> sv < servers.size() ? h.lookup(servers.get(sv), "EventLoop", "Phase") : -1);
            if (q < 0) continue;
            var st = h.at(g.readable() - 1, q);
            if (st != null && "POLL".equals(st.string())) b.pollStart[i] = st.start();
        }
    }

    /** A growable list of longs (segment indexes). */
    static final class LongList {
        long[] a = new long[4];
        int size;

        void add(long v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        long get(int i) { return a[i]; }
    }
}
