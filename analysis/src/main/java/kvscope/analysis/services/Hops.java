package kvscope.analysis.services;

import kvscope.analysis.report.Units;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTP hops: a service's client span and another service's server span are one exchange when they carry the same
 * 4-tuple (EVENTS.md: both name the connection by who opened it) and the server handled it while the client waited.
 * On one connection HTTP/1.1 exchanges follow each other (Node does not pipeline), so per 4-tuple the k-th client
 * request that is still waiting when a server span starts is its caller: a walk over both lists in time order.
 * Nothing is added to the requests themselves (the paper's transparency): the tuple and the times are the only join.
 */
final class Hops {
    /**
     * How much earlier than its client a server span may seem to start and still be its callee. Within one host both
     * read one clock and the client's event always comes first; the slack is for traces of several hosts whose clocks
     * were synchronised to within this.
     */
    static final long SLACK_NS = 1_000_000;

    private Hops() {}

    static void match(ServicesBuilder b, Map<String, Long> stats) {
        var s = b.spans;
        var clients = new HashMap<Tuple, List<Integer>>();
        var servers = new HashMap<Tuple, List<Integer>>();
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
            int c = 0;
            for (int sv : srv) {
                // A client that ended before this server span began was answered by no traced server.
                while (c < cli.size() && s.end[cli.get(c)] != Spans.UNKNOWN && s.end[cli.get(c)] < s.start[sv] - SLACK_NS) {
                    noPeer(b, cli.get(c++));
                }
                if (c < cli.size() && s.start[cli.get(c)] <= s.start[sv] + SLACK_NS) {
                    int cl = cli.get(c++);
                    s.link[cl] = sv;
                    s.link[sv] = cl;
                    s.parent[sv] = cl;
                    hops++;
                } else {
                    entries++;
                }
            }
            while (c < cli.size()) noPeer(b, cli.get(c++));
        }
        for (var rest : clients.values()) for (int cl : rest) noPeer(b, cl);
        stats.put("http hops joined", hops);
        stats.put("http requests from untraced clients", entries);
        if (noTuple > 0) stats.put("http calls that never connected", noTuple);
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
