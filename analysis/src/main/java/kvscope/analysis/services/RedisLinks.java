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
 * ports are reused over time, so the latest accept before the first reply wins ({@link #acceptedBy}). A connection made before the
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
            long firstSend = s.start[c.calls.get(0)], acceptedBy = acceptedBy(s, c);
            ServicesBuilder.Accepted best = null;
            var t = c.tuple;
            var list = t.complete() ? byPeer.get(b.names.get(t.srcAddr()) + ":" + t.srcPort() + ">" + t.dstPort()) : null;
            if (list != null) {
                for (var a : list) if (a.at() <= acceptedBy + SLACK_NS && (best == null || a.at() > best.at())) best = a;
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
        // Per server, the start of the first request the Redis trace has: before it, Redis was not traced yet.
        var firstTraced = new long[segments.servers().size()];
        Arrays.fill(firstTraced, Long.MAX_VALUE);
        if (!wanted.isEmpty()) {
            var fds = new BitSet();
            for (var k : wanted.keySet()) if (k.fd() >= 0) fds.set(k.fd());
            segments.forEach(cur -> {
                int sv = cur.server();
                if (sv >= 0 && sv < firstTraced.length && cur.start() < firstTraced[sv]) firstTraced[sv] = cur.start();
                int fd = cur.fd();
                if (fd < 0 || !fds.get(fd)) return;
                var c = wanted.get(new ConnKey(cur.server(), fd, cur.clientId()));
                if (c != null) segs.computeIfAbsent(c, k -> new LongList()).add(cur.index());
            });
        }
        var commands = segments.commands();
        long linked = 0, mismatched = 0, orphanRequests = 0, noRequest = 0, unexecuted = 0, answeredBeforeRedis = 0, ambiguous = 0;
        var attach = new long[3];
        for (var e : wanted.entrySet()) {
            var c = e.getValue();
            var accept = accepts.get(c);
            long redisBegan = firstTraced[accept.server()];
            var seq = sequence(segments, segs.getOrDefault(c, new LongList()), accept.side());
            var start = align(b, c, accept, seq, redisBegan, commands);
            int i = start[0], j = start[1];
            if (start[2] != 0) ambiguous++;
            answeredBeforeRedis += i;
            orphanRequests += beforeAttach(b, c, seq, j, commands, attach,
                    accept.at() == Long.MIN_VALUE ? redisBegan : Long.MIN_VALUE);
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
                    b.spans.flag(call, Spans.OTHER_COMMAND);
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
            if (!inside(b, i, g)) {
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
        stats.put("redis calls answered before the Redis trace of their server began", answeredBeforeRedis);
        stats.put("redis requests answered before the agent's session reached the service", attach[0]);
        stats.put("redis requests in flight at the agent's attach (sent before its session; it saw the reply only)", attach[1]);
        if (attach[2] > 0) {
            stats.put("redis replies read before the Redis trace of their server began (answers to requests Redis ran "
                    + "before its session)", attach[2]);
        }
        stats.put("redis links by order with another command", mismatched);
        stats.put("redis links outside their call", outOfTime);
        stats.put("redis connections linked", (long) wanted.size());
        stats.put("redis connections whose calls fit Redis's requests at several places (kept out of the clock estimate)", ambiguous);
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

    /** Whether the request lies within the call: read after it was sent, answered before the service read the reply. */
    private static boolean inside(ServicesBuilder b, int call, Segment g) {
        var s = b.spans;
        long answered = g.answered();
        return g.start() >= s.start[call] - SLACK_NS && (s.end[call] == Spans.UNKNOWN || answered <= s.end[call] + SLACK_NS);
    }

    /**
     * The requests Redis processed on a connection before the first call the agent saw ({@code seq[0, j)}), explained
     * where the trace says why (issue #21): Redis's session starts before the agents' (0.1–0.4 s apart), and without a
     * session the agent's RESP parsers do not run. The last of them, as many as the replies the agent read before it
     * saw any command sent ({@link ServicesBuilder.Proc#attachReplies}), were in flight at its attach: sent before,
     * answered after (Redis wrote the answer before the agent read the last such reply). The ones before those were
     * answered before the agent's first event in that process: before its session reached it. Counted in
     * {@code counts} (before, in flight); any other is a request with no call seen, returned as such.
     * <p>
     * Replies left over, on a connection Redis met mid-life (only its snapshot names it), that the agent read before
     * {@code redisBegan} — the first request the Redis trace has of the server — answer requests Redis ran before its
     * own session reached it: {@code lttng start} reaches processes one by one, and a service can be first
     * (AttachedInFlightTest, one run in seven). Counted in {@code counts[2]}. A connection whose accept is in the
     * trace gets no such pass ({@code redisBegan} is {@code Long.MIN_VALUE}): Redis traced every request on it.
     */
    private static long beforeAttach(ServicesBuilder b, ServicesBuilder.Conn c, List<Processed> seq, int j,
                                     List<String> commands, long[] counts, long redisBegan) {
        var heads = new ArrayList<Segment>();
        for (int k = 0; k < j; k++) if (seq.get(k).segment() != null) heads.add(seq.get(k).segment());
        var early = c.proc.attachReplies.get(c.tuple);
        int inFlight = early == null ? 0 : (int) Math.min(heads.size(), early[0]);
        long orphans = 0;
        for (int k = 0; k < heads.size(); k++) {
            var g = heads.get(k);
            long answered = g.answered();
            if (k >= heads.size() - inFlight && answered <= early[1] + SLACK_NS) {
                counts[1]++;
            } else if (answered < c.proc.first) {
                // No slack: Redis wrote the answer before the process's first event; had the agent been tracing, reading
                // it would have been an event (a reply, or bytes it could not follow).
                counts[0]++;
            } else {
                orphan(b, c, g, commands);
                orphans++;
            }
        }
        if (early != null) {
            // The replies matched are explained; what is left is reported by the builder.
            early[0] -= inFlight;
            if (early[0] > 0 && early[1] < redisBegan) {
                counts[2] += early[0];
                early[0] = 0;
            }
            if (early[0] <= 0) c.proc.attachReplies.remove(c.tuple);
        }
        return orphans;
    }

    /**
     * How many of a connection's first calls were answered before the first request the Redis trace has of their
     * server: a session may reach a service before Redis (issue #21; AttachedInFlightTest, 4 GETs in one run), and
     * a request Redis ran before its session is in no trace. Had Redis been traced, the call's request would be a
     * request that began before the call's reply was read.
     */
    private static int beforeRedis(ServicesBuilder b, ServicesBuilder.Conn c, long firstTraced, List<Processed> seq) {
        Segment first = null;
        for (int k = 0; k < seq.size() && first == null; k++) first = seq.get(k).segment();
        int n = 0;
        while (n < c.calls.size) {
            int call = c.calls.get(n);
            long end = b.spans.end[call];
            if (end == Spans.UNKNOWN) break;
            // Sent before Redis's trace began and answered after it (the reply read late, or Redis's session began
            // while the call was in flight: AttachedInFlightTest, one SET under load): Redis ran it untraced unless
            // the connection's first traced request began inside the call (one clock: a request begun after the
            // reply was read is not the call's; across hosts this only hints, align decides).
            boolean inFlight = b.spans.start[call] < firstTraced && first != null && first.start() > end;
            if (end >= firstTraced && !inFlight) break;
            n++;
        }
        return n;
    }

    /**
     * The latest moment Redis can have accepted a connection: when the service read its first reply (Redis answers
     * only what it accepted), else — nothing answered — when it sent its first call. Not the first send: the kernel
     * completes the handshake before Redis calls accept(), so a client sends at once and Redis accepts when its event
     * loop next runs (seen: HELLO sent 1.18 ms before Redis's accept_client, an idle machine). A later connection on
     * the same port is accepted after this one closed, so after its first reply too.
     */
    private static long acceptedBy(Spans s, ServicesBuilder.Conn c) {
        for (int k = 0; k < c.calls.size; k++) {
            long end = s.end[c.calls.get(k)];
            if (end != Spans.UNKNOWN) return end;
        }
        return s.start[c.calls.get(0)];
    }

    /** How far a connection's calls may be shifted against its requests (either way) when {@link #align} tries them. */
    static final int MAX_SHIFT = 4096;
    /** Calls whose times {@link #align} does not use (suspect, as in SyncPairs). */
    private static final int UNTIMED = Spans.LOST | Spans.GARBLED | Spans.BEFORE;

    /**
     * Where a connection's calls and its requests begin to pair: {i, j, ambiguous}, calls {@code [0, i)} answered before
     * Redis's trace began ({@link #beforeRedis}), requests {@code [0, j)} processed before the first call the agent saw
     * ({@link #leadingSkip}). Decided without comparing the two hosts' clocks, which before the services' pairs are
     * estimated may be milliseconds apart (issue #16: a service host 3.7 ms ahead paired each regular call with the
     * next request, and the estimate came out accurate at −0.98 ms ± 5 µs): a pair call ↔ request bounds the offset of
     * Redis's clock to the service's to [reply written − reply read, command start − call sent], and a right alignment
     * admits one offset for all its pairs; a wrong one of calls irregularly spaced admits none. An accept in the trace
     * says Redis traced every request of the connection (no call before its trace); the agent's connect, that it saw
     * every call (no request before the first call). Of the alignments that admit an offset, the one pairing the most
     * calls wins; when several tie (calls at a regular pace), the clocks choose as before, the problem is counted and
     * the connection's calls are kept out of the clock estimate ({@link Spans#AMBIGUOUS}). None admits one (a wrong
     * event time): the clocks choose. The service on Redis's host: one clock, which chooses (as a single host's
     * analysis always did: a connection of one call fits anywhere by the offset alone).
     */
    private static int[] align(ServicesBuilder b, ServicesBuilder.Conn c, ServicesBuilder.Accepted a, List<Processed> seq,
                               long firstTraced, List<String> commands) {
        int i0 = beforeRedis(b, c, firstTraced, seq), j0 = leadingSkip(b, c, i0, seq), byClock = j0 - i0;
        var redis = b.serverTrace.get(a.server());
        if (redis != null && b.clockOf.applyAsInt(redis) == b.clockOf.applyAsInt(b.spans.trace[c.calls.get(0)])) {
            return new int[] {i0, j0, 0};
        }
        boolean allRequests = a.at() != Long.MIN_VALUE, allCalls = c.proc.connected.containsKey(c.tuple);
        int n = c.calls.size, m = seq.size();
        if (allRequests && allCalls) return new int[] {0, 0, 0};
        int lo = allRequests ? 0 : -Math.min(n - 1, MAX_SHIFT), hi = allCalls ? 0 : Math.min(Math.max(m - 1, 0), MAX_SHIFT);
        int best = Integer.MIN_VALUE, ties = 0, chosen = 0;
        long bestScore = Long.MIN_VALUE;
        for (int d = lo; d <= hi; d++) {
            long score = feasible(b, c, seq, Math.max(0, -d), Math.max(0, d), commands);
            if (score < 0) continue;
            if (score > bestScore) {
                bestScore = score;
                best = d;
                ties = 1;
                chosen = d;
            } else if (score == bestScore) {
                ties++;
                if (Math.abs(d - byClock) < Math.abs(chosen - byClock)) chosen = d;
            }
        }
        if (best == Integer.MIN_VALUE) return new int[] {i0, j0, 0};
        if (ties > 1) {
            for (int k = 0; k < n; k++) b.spans.flag(c.calls.get(k), Spans.AMBIGUOUS);
            b.problems.add("Redis calls on connections whose calls fit Redis's requests at several places (calls at a "
                    + "regular pace): aligned by the clocks, kept out of the clock estimate", n, where(b, c.calls.get(0))
                    + " " + ties + " alignments fit");
        }
        return new int[] {Math.max(0, -chosen), Math.max(0, chosen), ties > 1 ? 1 : 0};
    }

    /**
     * The calls from {@code i0} paired in order with the requests from {@code j0}: −1 if the first {@link #PROBE} pairs
     * admit no common offset between the hosts' clocks (or none fits by name), else how many calls that pairs with a
     * request — minus each probed pair of another command, so that names still count.
     */
    private static long feasible(ServicesBuilder b, ServicesBuilder.Conn c, List<Processed> seq, int i0, int j0,
                                 List<String> commands) {
        var s = b.spans;
        long lo = Long.MIN_VALUE, hi = Long.MAX_VALUE;
        int fit = 0, other = 0;
        for (int i = i0, j = j0; i < Math.min(c.calls.size, i0 + PROBE) && j < seq.size(); i++, j++) {
            int call = c.calls.get(i);
            var p = seq.get(j);
            if (p.segment() == null || s.has(call, UNTIMED)) continue;
            if (!fits(b, call, p, commands)) {
                other++;
                continue;
            }
            var g = p.segment();
            long read = g.commandStart() != Segment.UNKNOWN ? g.commandStart() : g.start(), written = g.answered();
            if (read != Segment.UNKNOWN) hi = Math.min(hi, read - s.start[call]);
            if (written != Segment.UNKNOWN && s.end[call] != Spans.UNKNOWN && !s.has(call, Spans.ABORTED | Spans.UNFINISHED)) {
                lo = Math.max(lo, written - s.end[call]);
            }
            if (lo > hi) return -1;
            fit++;
        }
        if (fit == 0 || other > fit) return -1;
        return Math.min(c.calls.size - i0, seq.size() - j0) - other;
    }

    /** How many of a connection's first calls {@link #leadingSkip} tries against each offset. */
    static final int PROBE = 64;

    /**
     * Where the calls begin in Redis's list of the connection. A session reaches the processes one after another
     * (0.1–0.4 s apart under load: AttachedInFlightTest), so Redis may have processed commands on a pooled connection
     * before the first call the agent saw; aligned by name alone, a run of one command (GETs) pairs each call with the
     * request before its own (2,229 of 5,167 calls outside their call in one run). The requests begun before the first
     * call was sent are skipped when that puts more of the first calls' requests inside them; otherwise (the clocks
     * of two hosts apart, say) none are.
     */
    private static int leadingSkip(ServicesBuilder b, ServicesBuilder.Conn c, int i0, List<Processed> seq) {
        if (i0 >= c.calls.size) return 0;
        long first = b.spans.start[c.calls.get(i0)] - SLACK_NS;
        int k0 = 0;
        while (k0 < seq.size() && seq.get(k0).time() < first) k0++;
        return k0 > 0 && inTime(b, c, i0, seq, k0) > inTime(b, c, i0, seq, 0) ? k0 : 0;
    }

    /** Of the first {@link #PROBE} calls from {@code i0} paired in order with the requests from {@code off}, how many lie inside. */
    private static int inTime(ServicesBuilder b, ServicesBuilder.Conn c, int i0, List<Processed> seq, int off) {
        int n = 0;
        for (int i = i0, j = off; i < Math.min(c.calls.size, i0 + PROBE) && j < seq.size(); i++, j++) {
            var g = seq.get(j).segment();
            if (g != null && inside(b, c.calls.get(i), g)) n++;
        }
        return n;
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
