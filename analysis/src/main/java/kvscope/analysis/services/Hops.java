package kvscope.analysis.services;

import kvscope.analysis.report.Units;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP hops: a service's client span and another service's server span are one exchange when they carry the same
 * 4-tuple (EVENTS.md: both name the connection by who opened it), the same method and path, and the same place in
 * the order of the connection's exchanges. On one connection HTTP/1.1 exchanges follow each other (Node does not
 * pipeline), so per 4-tuple the client requests and the server requests, each in time order, are two lists of the
 * same exchanges: they are aligned by method and path, skipping on either side what has no counterpart (a request that
 * failed before it was sent, a server request from an untraced client reusing the tuple). Nothing is added to the
 * requests themselves (the paper's transparency): the tuple, the order and the times are the only join.
 *
 * <p>Why order rather than "the client was waiting when the server started": each side's event is stamped when its
 * callback runs, not when the bytes moved. Node publishes {@code http.client.request.start} when the request is
 * finished, after its bytes were written — when that write completes asynchronously, after the whole exchange
 * (measured on a loaded 2-core machine with an agent stamping there: the callee answered 2 ms before its caller's
 * request event); a server's {@code finish} likewise comes after the client could read the response. The agent now
 * stamps a request when it is issued and a response when it is ended (EVENTS.md), but traces of other agents, and
 * other clocks, need not: only the order on the connection is relied on, and the times are checked against a generous
 * bound, so a tuple reused much later never joins.
 */
final class Hops {
    /** How far apart the two sides of one exchange may be stamped at most. */
    static final long WINDOW_NS = 1_000_000_000L;
    /** How far ahead on either list the alignment looks for the exchange it misses. */
    static final int LOOKAHEAD = 8;

    private Hops() {}

    static void match(ServicesBuilder b, Map<String, Long> stats) {
        var s = b.spans;
        // When each process's tracing began: a session reaches the processes one after the other (measured: 0.4 s
        // apart for six services under load), and a server traced earlier than its client sees exchanges whose
        // client span does not exist. Those can pair only with a call the client's snapshot named (Spans.BEFORE).
        var first = new HashMap<Long, Long>();
        for (var p : b.procList) first.put(key(p.trace, p.pid), p.first);
        var clients = new HashMap<Tuple, List<Integer>>();
        var servers = new HashMap<Tuple, List<Integer>>();
        var unpaired = new ArrayList<Integer>();
        long noTuple = 0;
        for (int i = 0; i < s.size; i++) {
            var kind = s.kind(i);
            if (kind != SpanKind.CLIENT && kind != SpanKind.SERVER) continue;
            var t = new Tuple(s.srcAddr[i], s.srcPort[i], s.dstAddr[i], s.dstPort[i]);
            if (!t.complete() || s.has(i, Spans.GARBLED)) {
                if (kind == SpanKind.CLIENT) {
                    noPeer(b, i);
                    noTuple++;
                }
                continue;
            }
            (kind == SpanKind.CLIENT ? clients : servers).computeIfAbsent(t, k -> new ArrayList<>()).add(i);
        }
        long hops = 0, entries = 0;
        for (var e : servers.entrySet()) {
            var srv = e.getValue();
            var cli = clients.remove(e.getKey());
            if (cli == null) {
                entries += srv.size();
                continue;
            }
            srv.sort((x, y) -> Long.compare(s.start[x], s.start[y]));
            cli.sort((x, y) -> Long.compare(s.start[x], s.start[y]));
            int c0 = cli.get(0);
            long from = first.getOrDefault(key(s.trace[c0], s.pid[c0]), Long.MIN_VALUE);
            int i = 0, j = 0;
            while (i < cli.size() && j < srv.size()) {
                int c = cli.get(i), sv = srv.get(j);
                if (fits(s, c, sv, from)) {
                    s.link[c] = sv;
                    s.link[sv] = c;
                    s.parent[sv] = c;
                    hops++;
                    i++;
                    j++;
                    continue;
                }
                int skipClients = -1, skipServers = -1;
                for (int k = 1; k <= LOOKAHEAD && i + k < cli.size(); k++) {
                    if (fits(s, cli.get(i + k), sv, from)) { skipClients = k; break; }
                }
                for (int k = 1; k <= LOOKAHEAD && j + k < srv.size(); k++) {
                    if (fits(s, c, srv.get(j + k), from)) { skipServers = k; break; }
                }
                boolean dropClient = skipServers < 0 && (skipClients >= 0 || s.start[c] <= s.start[sv])
                        || (skipClients >= 0 && skipClients <= skipServers);
                if (dropClient) {
                    unpaired.add(c);
                    i++;
                } else {
                    entries++;
                    j++;
                }
            }
            while (i < cli.size()) unpaired.add(cli.get(i++));
            entries += srv.size() - j;
        }
        for (var rest : clients.values()) unpaired.addAll(rest);
        var servedFrom = servedFrom(s, servers, first);
        long beforeServer = 0;
        for (int c : unpaired) {
            if (answeredBeforeServer(s, c, servedFrom)) {
                s.flag(c, Spans.NO_PEER);
                beforeServer++;
            } else {
                noPeer(b, c);
            }
        }
        stats.put("http hops joined", hops);
        if (beforeServer > 0) {
            stats.put("http calls answered before the session reached their server (a traced process of the same host, "
                    + "its first event after the response)", beforeServer);
        }
        stats.put("http requests from untraced clients", entries);
        if (noTuple > 0) stats.put("http calls that never connected", noTuple);
    }

    /**
     * Per address and port a traced process serves HTTP on ({@code addr << 32 | port}, from its server spans): the
     * host's trace and the earliest first event of such a process, {trace, first} ({@code firstOf}: by trace and pid).
     */
    private static Map<Long, long[]> servedFrom(Spans s, Map<Tuple, List<Integer>> servers, Map<Long, Long> firstOf) {
        var out = new HashMap<Long, long[]>();
        for (var list : servers.values()) {
            int sv = list.get(0);
            long at = key(s.dstAddr[sv], s.dstPort[sv]);
            long first = firstOf.getOrDefault(key(s.trace[sv], s.pid[sv]), Long.MIN_VALUE);
            var had = out.get(at);
            if (had == null) out.put(at, new long[] {s.trace[sv], first});
            else if (had[0] != s.trace[sv]) had[1] = Long.MIN_VALUE; // served on two hosts: no one clock to compare
            else had[1] = Math.min(had[1], first);
        }
        return out;
    }

    /** Two ints as one map key: a process (trace, pid) or an address (name id, port). */
    private static long key(int hi, int lo) { return ((long) hi << 32) | (lo & 0xFFFFFFFFL); }

    /**
     * A call with no server span whose response came before the first event of the traced process serving its address
     * (same host, one clock): a session reaches processes one after the other (AttachedInFlightTest: 19–46 calls in
     * the first 50 ms), and that process was not traced yet when it answered. Not a missing peer, so not a problem.
     */
    private static boolean answeredBeforeServer(Spans s, int c, Map<Long, long[]> servedFrom) {
        if (s.end[c] == Spans.UNKNOWN || s.dstAddr[c] < 0 || s.dstPort[c] <= 0) return false;
        var sv = servedFrom.get(key(s.dstAddr[c], s.dstPort[c]));
        return sv != null && sv[0] == s.trace[c] && s.end[c] < sv[1];
    }

    /**
     * One exchange: the same method and path, stamped within {@link #WINDOW_NS} of each other, and a server span that
     * began after its client's process was traced ({@code clientFrom}) unless the client span is one the snapshot
     * named as begun before.
     */
    private static boolean fits(Spans s, int c, int sv, long clientFrom) {
        if (s.method[c] != s.method[sv] || s.path[c] != s.path[sv]) return false;
        if (s.start[sv] < clientFrom && !s.has(c, Spans.BEFORE)) return false;
        long cEnd = s.end[c] == Spans.UNKNOWN ? Long.MAX_VALUE - WINDOW_NS : s.end[c];
        return s.start[sv] >= s.start[c] - WINDOW_NS && s.start[sv] <= cEnd + WINDOW_NS;
    }

    /** A client span answered by no traced server: counted, and its time shown as "not traced". */
    private static void noPeer(ServicesBuilder b, int i) {
        var s = b.spans;
        s.flag(i, Spans.NO_PEER);
        var n = b.names;
        b.problems.add("HTTP calls whose server never appears in the trace (the peer is not traced, or never answered)",
                () -> Units.offset(s.start[i], b.first()) + " " + n.get(s.service[i]) + " (pid " + s.pid[i] + ") → "
                        + peer(b, i) + b.describe(i) + (s.error[i] >= 0 ? " error " + n.get(s.error[i]) : ""));
    }

    /** "10.0.0.5:8080", else the host the request named, else "?". */
    static String peer(ServicesBuilder b, int i) {
        var s = b.spans;
        if (s.dstAddr[i] >= 0 && s.dstPort[i] > 0) return b.names.get(s.dstAddr[i]) + ":" + s.dstPort[i];
        return s.name[i] >= 0 ? b.names.get(s.name[i]) : "?";
    }
}
