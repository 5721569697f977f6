package kvscope.analysis.otel;

import kvscope.analysis.segments.Segment;
import kvscope.analysis.segments.SegmentFile;
import kvscope.statesystem.History;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Links each Redis client span to the request of the model that served it.
 *
 * <p>The server first: the span's server.port (else network.peer.port) names a traced server listening there; when
 * several do (several hosts), the address must name one. Then the spans' clock ({@link SpanClock}), per resource.
 * Then a span's candidates: the server's requests of the span's command (a subcommand's full name too) that fit
 * within the span at an offset the clock allows; with the client's local port in the span, only requests of the
 * connection whose peer has that port. A request serves one span, so the truth is a matching; a link is certain when
 * every maximum matching has it ({@link Matching}) — then it is right whenever each span's own request is among its
 * candidates. Every other span with candidates is ambiguous: the nearest request it may have is stored with
 * confidence 1/k, never counted as linked.
 */
public final class SpanLinker {
    private final List<ClientSpan> spans;
    private final SegmentFile sf;
    private final History history;
    private final Unusable why = new Unusable();
    private final List<SpanLinks.Clock> clocks = new ArrayList<>();
    /** Per server: its requests near the spans, by start. */
    private final Map<Integer, List<Req>> bySrv = new HashMap<>();
    /** Per command a span names: which of the segment file's commands fit it. */
    private final Map<String, BitSet> fitting = new HashMap<>();

    private SpanLinker(List<ClientSpan> spans, SegmentFile sf, History history) {
        this.spans = spans;
        this.sf = sf;
        this.history = history;
    }

    /** Reads the span files and links their Redis client spans to the model's requests. */
    public static SpanLinks link(List<Path> files, SegmentFile sf, History history, String fingerprint) throws IOException {
        var read = OtlpSpanReader.read(files);
        var l = new SpanLinker(read.spans(), sf, history);
        var links = l.run();
        long linked = links.stream().filter(x -> x.state() == SpanLink.State.LINKED).count();
        long amb = links.stream().filter(x -> x.state() == SpanLink.State.AMBIGUOUS).count();
        var reasons = new ArrayList<SpanLinks.Reason>();
        for (var r : read.unusable().all()) reasons.add(new SpanLinks.Reason(r.what(), r.count(), r.examples()));
        for (var r : l.why.all()) reasons.add(new SpanLinks.Reason(r.what(), r.count(), r.examples()));
        return new SpanLinks(fingerprint, files.stream().map(Path::toString).toList(), read.documents(), read.spansSeen(),
                read.spans().size(), linked, amb, links.size() - linked - amb, l.clocks, reasons, links);
    }

    private List<SpanLink> run() {
        int n = spans.size();
        var result = new SpanLink[n];
        var server = new int[n];
        var servers = sf.servers();
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            var s = spans.get(i);
            server[i] = serverOf(s, servers);
            if (server[i] == -1) {
                result[i] = unlinked(s, null, "spans to a server not in the trace (no traced Redis listens on its port)", 0);
            } else if (server[i] == -2) {
                result[i] = unlinked(s, null, "spans whose address names none of the traced servers listening on its port", 0);
            } else if (server[i] == -3) {
                result[i] = unlinked(s, null, "spans that name no server port (server.port, net.peer.port, network.peer.port)", 0);
            } else if (s.queued()) {
                result[i] = unlinked(s, servers.get(server[i]), "commands queued by MULTI (Redis runs them within EXEC, not as requests of their own)", 0);
            } else {
                lo = Math.min(lo, s.start());
                hi = Math.max(hi, s.end());
            }
        }
        if (lo <= hi) loadRequests(lo - SpanClock.WINDOW_NS, hi + SpanClock.WINDOW_NS, server);
        // The clock of each resource (a process: one clock).
        var byResource = new LinkedHashMap<String, List<Integer>>();
        for (int i = 0; i < n; i++) if (result[i] == null) byResource.computeIfAbsent(spans.get(i).resource(), k -> new ArrayList<>()).add(i);
        var clockOf = new SpanClock.Estimate[n];
        for (var e : byResource.entrySet()) {
            var idx = e.getValue();
            var list = idx.stream().map(spans::get).toList();
            var est = SpanClock.estimate(list, j -> near(list.get(j), server[idx.get(j)], SpanClock.WINDOW_NS));
            String note = est.fitted() == 0 ? "no span had a request of its command near it: nothing linked"
                    : est.fitted() * 2 < est.spans() ? "fewer than half the spans fit any request at this offset: links uncertain" : null;
            clocks.add(new SpanLinks.Clock(e.getKey(), est.offsetNs(), est.toleranceNs(), est.quantumNs(), est.spans(),
                    est.fitted(), note));
            for (int i : idx) clockOf[i] = est;
        }
        // Candidates at the offset.
        var cand = new ArrayList<List<Req>>(n);
        for (int i = 0; i < n; i++) {
            List<Req> c = List.of();
            if (result[i] == null && atEdge(spans.get(i), clockOf[i])) {
                // Its request may be outside the recording, and it would take another span's: left out of the
                // matching (a request only it fits stays free, which leaves the spans that also fit it uncertain).
                var s = spans.get(i);
                result[i] = outside(s.start() + clockOf[i].offsetNs(), s.end() + clockOf[i].offsetNs() + clockOf[i].quantumNs())
                        ? unlinked(s, servers.get(server[i]), "spans outside the recording's time", 0)
                        : unlinked(s, servers.get(server[i]), "spans at the edge of the recording (started before it or "
                        + "ended after it: their request may not be in the trace)", 0);
            }
            if (result[i] == null) {
                var s = spans.get(i);
                var clk = clockOf[i];
                c = new ArrayList<>();
                for (var g : near(s, server[i], clk.offsetNs() - clk.toleranceNs(), clk.quantumNs() + 2 * clk.toleranceNs())) {
                    if (clk.allows(g.answered() - s.end(), g.start() - s.start()) && ownPort(s, server[i], g)) c.add(g);
                }
            }
            cand.add(c);
        }
        // Certain links: those every maximum matching of spans to requests has (Matching).
        var number = new HashMap<Long, Integer>();
        var reqs = new ArrayList<Req>();
        var graph = new int[n][];
        for (int i = 0; i < n; i++) {
            var c = cand.get(i);
            graph[i] = new int[c.size()];
            for (int k = 0; k < c.size(); k++) {
                var g = c.get(k);
                graph[i][k] = number.computeIfAbsent(g.index(), x -> { reqs.add(g); return reqs.size() - 1; });
            }
        }
        var mt = new Matching(graph, reqs.size());
        var movable = mt.movable();
        for (int i = 0; i < n; i++) {
            if (result[i] != null) continue;
            var s = spans.get(i);
            var srv = servers.get(server[i]);
            var clk = clockOf[i];
            if (graph[i].length == 0) {
                result[i] = outside(s.start() + clk.offsetNs(), s.end() + clk.offsetNs() + clk.quantumNs())
                        ? unlinked(s, srv, "spans outside the recording's time", 0)
                        : unlinked(s, srv, "spans with no request of their command on their server within their time "
                        + "(Redis refused it before executing, events lost, or the span's clock is further off than "
                        + SpanClock.WINDOW_NS / 1_000_000 + " ms)", 0);
            } else if (mt.certain[i]) {
                result[i] = link(s, server[i], clk, SpanLink.State.LINKED, reqs.get(mt.ofSpan[i]), 1, 1.0, null);
            } else {
                // The requests it may have; the nearest of them is stored, with confidence 1/k.
                var possible = new ArrayList<Req>();
                for (int g : graph[i]) {
                    if (mt.ofSpan[i] < 0 || g == mt.ofSpan[i] || mt.ofReq[g] < 0 || movable[mt.ofReq[g]]) possible.add(reqs.get(g));
                }
                long mid = clk.offsetNs() + clk.quantumNs() / 2;
                var best = possible.stream().min(Comparator.comparingLong(g -> Math.abs(clk.pick(g.answered() - s.end(), g.start() - s.start()) - mid))).get();
                var reason = mt.ofSpan[i] < 0 ? "more spans than requests fit around it (a request missing from the trace)"
                        : possible.size() + " requests could have served it (same command, within its time)";
                result[i] = link(s, server[i], clk, SpanLink.State.AMBIGUOUS, best, possible.size(),
                        1.0 / Math.max(1, possible.size()), reason);
                why.add(mt.ofSpan[i] < 0 ? "ambiguous: more spans than requests fit around them"
                        : "ambiguous: several requests could have served them (the nearest is stored with confidence 1/k)",
                        () -> s.where() + " " + s.command());
            }
        }
        return List.of(result);
    }

    /** Whether the span may have started before the recording or ended after it (at the offsets its clock allows). */
    private boolean atEdge(ClientSpan s, SpanClock.Estimate k) {
        return history != null && (s.start() + k.offsetNs() < history.start()
                || s.end() + k.offsetNs() + k.quantumNs() > history.end());
    }

    /** Whether the span lies wholly outside the recording (on the trace's clock). */
    private boolean outside(long st, long en) {
        return history != null && (en < history.start() || st > history.end());
    }

    private SpanLink unlinked(ClientSpan s, String server, String reason, int candidates) {
        why.add("not linked: " + reason, () -> s.where() + " " + s.command() + " → " + s.server());
        return new SpanLink(s.traceId(), s.spanId(), s.parentSpanId(), s.service(), s.name(), s.command(), s.statement(),
                s.start(), s.end(), 0, server, SpanLink.State.UNLINKED, -1, candidates, 0, reason, s.where());
    }

    private SpanLink link(ClientSpan s, int server, SpanClock.Estimate k, SpanLink.State state, Req g, int candidates,
                          double conf, String reason) {
        long offset = k.pick(g.answered() - s.end(), g.start() - s.start());
        return new SpanLink(s.traceId(), s.spanId(), s.parentSpanId(), s.service(), s.name(), s.command(), s.statement(),
                s.start(), s.end(), offset, sf.servers().get(server), state, g.index(), candidates, conf, reason, s.where());
    }

    /**
     * The traced server a span names: by port (server.port, else network.peer.port), then by address when several
     * servers listen on that port. −1 none on that port, −2 several and the address names none, −3 no port.
     */
    static int serverOf(ClientSpan s, List<String> servers) {
        int port = s.serverPort() > 0 ? s.serverPort() : s.peerPort();
        if (port <= 0) return -3;
        var onPort = new ArrayList<Integer>();
        for (int i = 0; i < servers.size(); i++) if (port(servers.get(i)) == port) onPort.add(i);
        if (onPort.isEmpty()) return -1;
        if (onPort.size() == 1) return onPort.get(0);
        for (var a : new String[] {s.peerAddress(), s.serverAddress()}) {
            if (a == null) continue;
            for (int i : onPort) if (address(servers.get(i)).equalsIgnoreCase(plain(a))) return i;
        }
        return -2;
    }

    private static String plain(String a) {
        return a.regionMatches(true, 0, "::ffff:", 0, 7) && a.indexOf('.') > 0 ? a.substring(7) : a;
    }

    private static int port(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        try {
            return c < 0 ? -1 : Integer.parseInt(hostPort.substring(c + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String address(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        return c < 0 ? hostPort : hostPort.substring(0, c);
    }

    /** Reads the requests of the spans' servers between lo and hi, once, sorted by start per server. */
    private void loadRequests(long lo, long hi, int[] server) {
        var wanted = new BitSet();
        for (int s : server) if (s >= 0) wanted.set(s);
        sf.scan(lo, hi, -1, -1, c -> {
            if (!wanted.get(c.server())) return;
            long answered = c.answered();
            // The client had sent the command before Redis's poll reported the bytes (readable), when that is known.
            long sent = c.readable() != Segment.UNKNOWN && c.readable() <= c.start() ? c.readable() : c.start();
            bySrv.computeIfAbsent(c.server(), k -> new ArrayList<>()).add(new Req(c.index(), c.command(), c.fd(), sent, answered));
        });
        for (var l : bySrv.values()) l.sort(Comparator.comparingLong(Req::start));
    }

    /** The server's requests of the span's command starting within ±window of the span (any offset). */
    private List<Req> near(ClientSpan s, int server, long window) { return near(s, server, -window, 2 * window); }

    /** The requests of the span's command starting in [start+shift, end+shift+width]. */
    private List<Req> near(ClientSpan s, int server, long shift, long width) {
        var list = bySrv.get(server);
        if (list == null) return List.of();
        long from = s.start() + shift, to = s.end() + shift + width;
        int a = 0, b = list.size();
        while (a < b) {
            int m = (a + b) >>> 1;
            if (list.get(m).start() < from) a = m + 1; else b = m;
        }
        var fits = fitting.computeIfAbsent(s.command(), this::fitting);
        var out = new ArrayList<Req>();
        for (int i = a; i < list.size() && list.get(i).start() <= to; i++) {
            var g = list.get(i);
            if (fits.get(g.command())) out.add(g);
        }
        return out;
    }

    /** The segment file's commands a span's command fits: the same name, or a subcommand of it ("client|setname"). */
    private BitSet fitting(String command) {
        var out = new BitSet();
        var cmds = sf.commands();
        for (int i = 0; i < cmds.size(); i++) {
            var r = cmds.get(i).toLowerCase(Locale.ROOT);
            if (r.equals(command) || (r.startsWith(command) && r.length() > command.length() && r.charAt(command.length()) == '|')) out.set(i);
        }
        return out;
    }

    /** With the client's local port in the span: whether the request's connection has a peer of that port. */
    private boolean ownPort(ClientSpan s, int server, Req g) {
        if (s.localPort() <= 0 || history == null) return true;
        int q = history.lookup(sf.servers().get(server), "Connections", Integer.toString(g.fd()), "Peer");
        if (q < 0) return true;
        var st = g.start() < history.start() || g.start() > history.end() ? null : history.at(g.start(), q);
        if (st == null || st.isNull()) return true;
        var peer = String.valueOf(st.value());
        return port(peer) == s.localPort();
    }
}
