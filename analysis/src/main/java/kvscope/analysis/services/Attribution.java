package kvscope.analysis.services;

import kvscope.analysis.segments.RequestPhase;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Where the time went: every answered server span's latency, split into parts that add up to it exactly.
 *
 * <p>At each instant of a server span, either none of its calls is in flight — the service's own time (its code, or
 * its event loop's queue) — or the time belongs to one call: when calls overlap (a {@code Promise.all}), to the one
 * that ends last, the one the response waited for (the critical path). A call's time splits further: an HTTP call
 * into the callee's server span (recursively) and the network around it; a Redis call into the phases of the request
 * Redis's model measured (queued, reading, waiting to execute, executing, waiting to write, writing) and the network
 * around them; a MariaDB call stays whole (MariaDB is not traced). The split is a partition of the span's interval,
 * so the parts sum to the latency to the nanosecond.
 *
 * <p>One refinement from the event loop: when the poll that reported a call's bytes began after the call was sent,
 * the bytes waited in the socket while Redis worked for someone else — Redis's queue, not the network.
 */
final class Attribution {
    /** Calls within calls deeper than this are a garbled trace (a span matched to its own descendant): own time. */
    static final int MAX_DEPTH = 64;

    /** The parts of every span that has them (answered server spans), in arrays: span → [first, first + count). */
    static final class Parts {
        int[] first, count;
        byte[] kind = new byte[1024];
        int[] name = new int[1024];
        long[] ns = new long[1024];
        int size;

        Parts(int spans) {
            first = new int[spans];
            count = new int[spans];
            Arrays.fill(first, -1);
        }

        void add(PartKind k, int n, long v) {
            if (size == kind.length) {
                kind = Arrays.copyOf(kind, size * 2);
                name = Arrays.copyOf(name, size * 2);
                ns = Arrays.copyOf(ns, size * 2);
            }
            kind[size] = (byte) k.ordinal();
            name[size] = n;
            ns[size++] = v;
        }
    }

    private final ServicesBuilder b;
    private final Spans s;
    /** Children of each span (calls made by a server span), as CSR arrays. */
    private final int[] childStart, children;
    /** The Redis servers by segment-file index: a Redis hop is named after its server. */
    private final List<String> servers;
    /** Names of the hops ("gateway → user", "redisgw → host:6379") by (caller, callee) ids. */
    private final Map<Long, Integer> hops = new HashMap<>();

    private Attribution(ServicesBuilder b, List<String> servers) {
        this.servers = servers;
        this.b = b;
        this.s = b.spans;
        int n = s.size;
        childStart = new int[n + 1];
        for (int i = 0; i < n; i++) if (isCall(i)) childStart[s.parent[i] + 1]++;
        for (int i = 0; i < n; i++) childStart[i + 1] += childStart[i];
        children = new int[childStart[n]];
        var fill = Arrays.copyOf(childStart, n);
        for (int i = 0; i < n; i++) if (isCall(i)) children[fill[s.parent[i]]++] = i;
    }

    /**
     * The name of the network between a caller and what it called, "gateway → user": the time between two
     * processes belongs to that hop, so a slow link shows as one part rather than spread over every hop.
     */
    private int hop(int callerService, String callee) {
        int to = b.names.id(callee);
        return hops.computeIfAbsent(((long) callerService << 32) | (to & 0xFFFFFFFFL),
                k -> b.names.id(b.names.get(callerService) + " → " + callee));
    }

    /** A call a server span made (its parent is that server span). */
    private boolean isCall(int i) { return s.kind(i) != SpanKind.SERVER && s.parent[i] >= 0; }

    static Parts of(ServicesBuilder b, SegmentFile segments) {
        var a = new Attribution(b, segments.servers());
        var parts = new Parts(b.spans.size);
        var acc = new HashMap<Long, long[]>();
        for (int i = 0; i < b.spans.size; i++) {
            if (b.spans.kind(i) != SpanKind.SERVER || b.spans.end[i] == Spans.UNKNOWN) continue;
            acc.clear();
            a.server(i, b.spans.start[i], b.spans.end[i], acc, 0);
            parts.first[i] = parts.size;
            // Largest first: the first part is the main one.
            acc.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).forEach(e -> {
                long key = e.getKey();
                if (e.getValue()[0] > 0) parts.add(PartKind.ALL[(int) (key >>> 32)], (int) key, e.getValue()[0]);
            });
            parts.count[i] = parts.size - parts.first[i];
        }
        return parts;
    }

    private static void add(Map<Long, long[]> acc, PartKind k, int name, long ns) {
        if (ns <= 0) return;
        acc.computeIfAbsent(((long) k.ordinal() << 32) | (name & 0xFFFFFFFFL), x -> new long[1])[0] += ns;
    }

    /** The end a span is taken to have: its own, or (never answered) the end of the window it is looked at in. */
    private long end(int i, long limit) { return s.end[i] == Spans.UNKNOWN ? limit : s.end[i]; }

    /**
     * When a call is taken to start: an HTTP call joined to its callee started no later than the callee did (a client
     * stamped at Node's request.start can seem to start after its callee answered; see {@link Hops}).
     */
    private long callStart(int c) {
        int sv = joined(c);
        return sv < 0 ? s.start[c] : Math.min(s.start[c], s.start[sv]);
    }

    /**
     * When a call is taken to end: its own end — the caller's "response ended" is stamped when it has the response;
     * the callee's "finish" may be stamped later than that, and its span is clipped to the call.
     */
    private long callEnd(int c, long limit) { return end(c, limit); }

    /** The server span an HTTP call reached, or -1. */
    private int joined(int c) {
        return s.kind(c) == SpanKind.CLIENT && s.link[c] >= 0 && !s.has(c, Spans.NO_PEER) ? (int) s.link[c] : -1;
    }

    /** Splits [a, b) of server span sv: its own time, and its calls' time (the latest-ending call when they overlap). */
    private void server(int sv, long a, long bEnd, Map<Long, long[]> acc, int depth) {
        int from = childStart[sv], to = childStart[sv + 1];
        if (depth >= MAX_DEPTH || from == to) {
            add(acc, PartKind.SERVICE, s.service[sv], bEnd - a);
            return;
        }
        var calls = new int[to - from];
        int n = 0;
        for (int k = from; k < to; k++) {
            int c = children[k];
            if (callStart(c) < bEnd && callEnd(c, bEnd) > a) calls[n++] = c;
        }
        var sorted = Arrays.stream(calls, 0, n).boxed()
                .sorted((x, y) -> Long.compare(Math.max(a, callStart(x)), Math.max(a, callStart(y)))).mapToInt(Integer::intValue).toArray();
        // Calls in flight, the one ending last on top (ties: the one that started first).
        var active = new PriorityQueue<Integer>((x, y) -> {
            int c = Long.compare(callEnd(y, bEnd), callEnd(x, bEnd));
            return c != 0 ? c : Long.compare(callStart(x), callStart(y));
        });
        long t = a;
        int next = 0;
        while (t < bEnd) {
            while (next < sorted.length && Math.max(a, callStart(sorted[next])) <= t) active.add(sorted[next++]);
            while (!active.isEmpty() && Math.min(bEnd, callEnd(active.peek(), bEnd)) <= t) active.poll();
            long nextStart = next < sorted.length ? Math.min(bEnd, Math.max(a, callStart(sorted[next]))) : bEnd;
            if (active.isEmpty()) {
                add(acc, PartKind.SERVICE, s.service[sv], nextStart - t);
                t = nextStart;
                continue;
            }
            int c = active.peek();
            long until = Math.min(nextStart, Math.min(bEnd, callEnd(c, bEnd)));
            if (s.kind(c) == SpanKind.REDIS && active.size() > 1) {
                // Several Redis calls in flight (a pipeline, a Promise.all): whichever Redis is serving at an instant.
                var redisCalls = active.stream().filter(x -> s.kind(x) == SpanKind.REDIS).mapToInt(Integer::intValue).toArray();
                redis(redisCalls, t, until, acc);
            } else {
                call(c, t, until, acc, depth);
            }
            t = until;
        }
    }

    /** Splits [p, q) of a call. */
    private void call(int c, long p, long q, Map<Long, long[]> acc, int depth) {
        switch (s.kind(c)) {
            case CLIENT -> {
                int sv = (int) s.link[c];
                if (sv < 0 || s.has(c, Spans.NO_PEER)) {
                    int peer = s.dstAddr[c] >= 0 && s.dstPort[c] > 0
                            ? b.names.id(b.names.get(s.dstAddr[c]) + ":" + s.dstPort[c]) : s.name[c];
                    add(acc, PartKind.UNTRACED, peer, q - p);
                    return;
                }
                long from = Math.max(p, s.start[sv]), to = Math.min(q, end(sv, q));
                int hop = hop(s.service[c], b.names.get(s.service[sv]));
                if (from >= to) {
                    add(acc, PartKind.NETWORK, hop, q - p);
                    return;
                }
                add(acc, PartKind.NETWORK, hop, (from - p) + (q - to));
                server(sv, from, to, acc, depth + 1);
            }
            case REDIS -> redis(new int[] {c}, p, q, acc);
            case MARIADB -> add(acc, PartKind.MARIADB, s.name[c], q - p);
            case SERVER -> add(acc, PartKind.SERVICE, s.service[c], q - p);
        }
    }

    /**
     * [p, q) of Redis calls in flight together: at each instant, the phase of whichever of their requests Redis is
     * serving then (one thread serves one request at a time; several servers at once: the first call's), the rest
     * network.
     */
    private void redis(int[] calls, long p, long q, Map<Long, long[]> acc) {
        var pieces = new ArrayList<long[]>();
        for (int c : calls) pieces(c, p, q, pieces);
        if (calls.length == 1 && pieces.isEmpty()) {
            var g = b.linked == null ? null : b.linked[calls[0]];
            if (g == null) {
                var kind = s.has(calls[0], Spans.NOT_EXECUTED) ? PartKind.REDIS_NOT_EXECUTED : PartKind.REDIS_UNSEEN;
                add(acc, kind, s.name[calls[0]], q - p);
                return;
            }
        }
        // At each instant the piece that says most: Redis serving a request (reading, executing, writing…) before a
        // request waiting in its queue; among equals, the one that began first.
        pieces.sort((x, y) -> Long.compare(x[0], y[0]));
        var active = new PriorityQueue<long[]>((x, y) -> {
            int c = Integer.compare(rank(y), rank(x));
            return c != 0 ? c : Long.compare(x[0], y[0]);
        });
        long covered = 0, t = p;
        int next = 0;
        while (t < q) {
            while (next < pieces.size() && pieces.get(next)[0] <= t) active.add(pieces.get(next++));
            while (!active.isEmpty() && active.peek()[1] <= t) active.poll();
            long nextStart = next < pieces.size() ? Math.min(q, pieces.get(next)[0]) : q;
            if (active.isEmpty()) {
                t = nextStart;
                continue;
            }
            var top = active.peek();
            // Until the top piece ends, another starts, or a lower piece below it ends (it may be the next top).
            long until = Math.min(nextStart, top[1]);
            add(acc, PartKind.ALL[(int) top[2]], (int) top[3], until - t);
            covered += until - t;
            t = until;
        }
        // An unlinked call among others: its time is not known inside Redis either.
        add(acc, PartKind.NETWORK, hop(s.service[calls[0]], redisName(calls)), (q - p) - covered);
    }

    /** The Redis server of the first linked call (by its model name), else "Redis". */
    private String redisName(int[] calls) {
        for (int c : calls) {
            var g = b.linked == null ? null : b.linked[c];
            if (g != null && g.server() >= 0 && g.server() < servers.size()) return servers.get(g.server());
        }
        return "Redis";
    }

    /** Queued pieces rank below the phases in which Redis works on the request. */
    private static int rank(long[] piece) { return piece[2] == PartKind.REDIS_QUEUED.ordinal() ? 0 : 1; }

    /** The phases of a linked call's request inside Redis, clipped to [p, q) and to the call, as {from, to, kind, command}. */
    private void pieces(int c, long p, long q, List<long[]> out) {
        var g = b.linked == null ? null : b.linked[c];
        if (g == null) return;
        int cmd = s.name[c];
        if (cmd < 0) cmd = b.names.id(b.segmentCommands.get(g.command()));
        long lo = Math.max(p, s.start[c]), hi = Math.min(q, end(c, q));
        long poll = b.pollStart == null ? Spans.UNKNOWN : b.pollStart[c];
        long u = Segment.UNKNOWN;
        // The bytes sat in the socket while Redis worked for others until the poll that saw them began: Redis's
        // queue. From that poll's start to its end is the wake-up, counted with the network.
        long busyUntil = poll != u && poll > s.start[c] ? poll : u;
        var phases = new long[RequestPhase.ALL.length + 1][];
        phases[0] = new long[] {s.start[c], busyUntil, PartKind.REDIS_QUEUED.ordinal()};
        for (var ph : RequestPhase.ALL) phases[ph.ordinal() + 1] = new long[] {ph.start(g), ph.end(g), PartKind.of(ph).ordinal()};
        long cursor = lo;
        for (var ph : phases) {
            if (ph[0] == u || ph[1] == u) continue;
            // Each phase starts no earlier than the one before ended (a damaged segment cannot overlap itself).
            long from = Math.max(ph[0], cursor), to = Math.min(ph[1], hi);
            if (to <= from) continue;
            out.add(new long[] {from, to, ph[2], cmd});
            cursor = to;
        }
    }
}
