package kvscope.cli.multihost;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.segments.Segment;
import kvscope.analysis.services.Blame;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.SpanKind;
import kvscope.analysis.sync.HostClock;
import kvscope.analysis.sync.ServicePairs;
import kvscope.analysis.sync.Verdict;
import kvscope.cli.testing.Cli;
import kvscope.ctf.ClockFix;
import kvscope.ctf.Trace;
import kvscope.fixtures.TraceRewriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clocks synchronised from the services (issue #16 §2): three "hosts" of network namespaces (two-hosts.sh with
 * SERVICES=1) — host-a and host-b each a Redis cluster node, host-c no Redis but a Node.js service calling host-a's
 * Redis with ioredis, host-b a Node.js caller of host-c over HTTP, every process recorded through the relay. host-c's
 * clock can only be known from its Redis calls and HTTP exchanges. The namespaces share one clock: the truth is 0;
 * then host-c's clock is moved by a known 3.7 ms (its metadata) and made to run 50 ppm fast (its timestamps written
 * again): the estimate must hold the truth within the bound it reports, every Redis call's request and every HTTP
 * server span must lie inside its call on the synchronised time line — and, on the hosts' own clocks, some must not.
 */
class ServiceHostsTest {
    static final long SKEW_NS = 3_700_000;
    static final double DRIFT = 50e-6;
    static final int CALLS = 150;
    @TempDir static Path tmp;
    static Path experiment;

    @BeforeAll static void record() throws Exception {
        experiment = tmp.resolve("experiment");
        var out = TwoHostsTest.twoHosts(experiment, Map.of("SERVICES", "1", "CALLS", Integer.toString(CALLS)), 240);
        assertThat(out).as("the caller's own count").contains("calls " + CALLS + "/" + CALLS);
        assertThat(out).contains("host-a: host-a/", "host-b: host-b/", "host-c: host-c/");
    }

    @Test void aHostWithOnlyServicesIsSynchronisedByItsCallsTheTrueOffsetZeroInsideTheBound() throws Exception {
        try (var s = Analysis.analyze(List.of(experiment), Analysis.Options.defaults().withForce(true))) {
            var c = clock(s, "host-c");
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.ACCURATE);
            assertThat((double) Math.abs(c.offsetNs())).as(c.toString()).isLessThanOrEqualTo(c.boundNs());
            assertThat(c.boundNs()).as("a bound that says something").isLessThan(2_000_000);
            // Its calls to host-a's Redis bound it tighter than the HTTP exchanges with host-b (then the bus to host-a).
            assertThat(c.pairsByKind()).as(c.toString()).containsOnlyKeys("redis calls");
            assertThat(c.path()).containsExactly("host-a", "host-c");
            assertThat(clock(s, "host-b").pairsByKind()).containsOnlyKeys("bus");
            assertThat(violations(s, null)).as("links outside their call on one kernel's clock").isEqualTo(new Links(0, 0));
        }
        var report = Cli.run("report", experiment.toString());
        assertThat(report.out()).contains("== clocks of 3 hosts").containsPattern("host-c .* accurate.*pairs: redis calls [0-9,]+")
                .containsPattern("host-b .* accurate.*pairs: bus [0-9,]+");
    }

    @Test void httpExchangesAloneSynchroniseTwoServiceHosts() throws Exception {
        // Without host-a, host-b and host-c share only the caller's HTTP requests to the service.
        var pair = tmp.resolve("b-and-c");
        for (var h : List.of("host-b", "host-c")) TwoHostsTest.copyTree(experiment.resolve(h), pair.resolve(h));
        TwoHostsTest.shiftClockOffset(pair.resolve("host-c"), SKEW_NS);
        try (var s = Analysis.analyze(List.of(pair), Analysis.Options.defaults().withForce(true))) {
            var c = clock(s, "host-c");
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.ACCURATE);
            assertThat(c.pairsByKind()).as(c.toString()).containsOnlyKeys("http");
            assertThat(c.pairs()).as(c.toString()).isEqualTo(2L * CALLS);
            assertThat((double) Math.abs(c.offsetNs() + SKEW_NS)).as(c.toString()).isLessThanOrEqualTo(c.boundNs());
        }
    }

    @Test void aSkewedDriftingServiceHostIsFoundWithinTheBoundAndItsLinksAreInOrder() throws Exception {
        var copy = skewed("skewed", List.of());
        try (var s = Analysis.analyze(List.of(copy), Analysis.Options.defaults().withForce(true))) {
            var c = clock(s, "host-c");
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.ACCURATE);
            // host-c reads t' = first + S + (t − first)(1 + d): its correction must bring every t' back to t, ± bound.
            // The bound holds over the host's events (the hull is not extrapolated beyond them): from its first to its last.
            var span = span(experiment.resolve("host-c"));
            long first = span[0];
            for (int k = 0; k <= 10; k++) {
                long dt = (span[1] - span[0]) / 10 * k;
                long t = first + dt;
                long read = first + SKEW_NS + Math.round(dt * (1 + DRIFT));
                assertThat((double) Math.abs(c.fix().apply(read) - t)).as(c + " at +" + dt + " ns").isLessThanOrEqualTo(c.boundNs());
            }
            assertThat(Math.abs(c.driftPpm() + DRIFT / (1 + DRIFT) * 1e6)).as(c.toString()).isLessThanOrEqualTo(c.driftBoundPpm());
            var synced = violations(s, null);
            assertThat(synced).as("links outside their call after synchronisation").isEqualTo(new Links(0, 0));
            var raw = violations(s, s.clocks().hosts());
            assertThat(raw.redis() + raw.http()).as("links outside their call on the hosts' own clocks").isPositive();
        }
    }

    /**
     * A chain across kinds: host-b's bus messages left out (as a trace of a Redis whose cluster events were not
     * recorded), it is known only through its HTTP calls to host-c, which is known through its Redis calls to host-a.
     */
    @Test void aChainThroughAServiceHost() throws Exception {
        var copy = skewed("chain", List.of());
        var b = copy.resolve("host-b");
        var moved = tmp.resolve("chain-host-b");
        TraceRewriter.rewrite(b, moved, List.of(new TraceRewriter.DropEvent("redis:cluster_send"),
                new TraceRewriter.DropEvent("redis:cluster_process_packet")));
        deleteTree(b);
        Files.move(moved, b);
        try (var s = Analysis.analyze(List.of(copy), Analysis.Options.defaults().withForce(true))) {
            var hb = clock(s, "host-b");
            assertThat(hb.path()).as(hb.toString()).containsExactly("host-a", "host-c", "host-b");
            assertThat(hb.pairsByKind()).as(hb.toString()).containsOnlyKeys("redis calls", "http");
            assertThat(hb.verdict()).as(hb.toString()).isEqualTo(Verdict.ACCURATE);
            // host-b's own clock is right (one kernel): its correction is 0 within the bound, over its events.
            var span = span(experiment.resolve("host-b"));
            for (long t : new long[] {span[0], span[0] + (span[1] - span[0]) / 2, span[1]}) {
                assertThat((double) Math.abs(hb.fix().apply(t) - t)).as(hb.toString()).isLessThanOrEqualTo(hb.boundNs());
            }
            assertThat(violations(s, null)).as("links outside their call after synchronisation").isEqualTo(new Links(0, 0));
        }
    }

    @Test void pairsInOneDirectionOnlyAndNoPairsAtAllAreSaid() throws Exception {
        // Without its replies and HTTP server events, host-c's messages all go one way (its Redis commands to host-a).
        var oneWay = skewed("one-way", List.of(new TraceRewriter.DropEvent("nodejs:redis_reply"),
                new TraceRewriter.DropEvent("nodejs:http_server_receive"), new TraceRewriter.DropEvent("nodejs:http_server_response")));
        try (var s = Analysis.analyze(List.of(oneWay), Analysis.Options.defaults().withForce(true))) {
            var c = clock(s, "host-c");
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.ONE_DIRECTION);
            assertThat(c.pairsByKind()).as(c.toString()).containsOnlyKeys("redis calls");
            // The least shift that keeps every command after its sending: the −3.7 ms the skew needs is not less.
            assertThat(c.offsetNs()).as(c.toString()).isLessThan(0).isGreaterThanOrEqualTo(-SKEW_NS - 2_000_000);
        }
        var none = skewed("no-pairs", List.of(new TraceRewriter.DropEvent("nodejs:redis_reply"),
                new TraceRewriter.DropEvent("nodejs:redis_send"), new TraceRewriter.DropEvent("nodejs:http_server_receive"),
                new TraceRewriter.DropEvent("nodejs:http_server_response")));
        try (var s = Analysis.analyze(List.of(none), Analysis.Options.defaults().withForce(true))) {
            var c = clock(s, "host-c");
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.NONE);
            assertThat(c.pairs()).isZero();
        }
        assertThat(Cli.run("report", none.toString()).out()).containsPattern("host-c .*not synchronised");
    }

    /**
     * Issue #16 §3 with the services: each host's trace analysed alone (its model and pairs file, as on that host), the
     * models combined, must equal the one-go analysis of the same (skewed, drifting) experiment — the clocks with their
     * verdicts (host-c, known only through its Redis calls, synchronised), the spans of each kind, every Redis call's
     * request and every HTTP client's server span, the span trees, the counts of the joins, the blame, the Redis
     * percentiles. Before the services were combined, host-c had the verdict none and the combined model no span.
     */
    @Test void hostModelsCombinedEqualOneGoServicesAndClocksIncluded() throws Exception {
        var copy = skewed("per-host", List.of());
        var models = tmp.resolve("per-host-models");
        for (var h : List.of("host-a", "host-b", "host-c")) {
            try (var s = Analysis.analyze(List.of(copy.resolve(h)),
                    Analysis.Options.defaults().withForce(true).withCache(models.resolve(h)))) {
                assertThat(s.clocks().hosts()).as("a host model is of one host").isEmpty();
            }
        }
        try (var one = Analysis.analyze(List.of(copy), Analysis.Options.defaults().withForce(true));
             var all = Analysis.analyze(List.of(models), Analysis.Options.defaults().withForce(true)
                     .withCache(tmp.resolve("per-host-combined")))) {
            var c = clock(all, "host-c");
            assertThat(all.clocks()).as("the combined services' counts " + all.services().stats()).isEqualTo(one.clocks());
            assertThat(c.verdict()).as(c.toString()).isEqualTo(Verdict.ACCURATE);
            assertThat(c.pairsByKind()).as(c.toString()).containsKey("redis calls");
            // (Commands of one server with equal counts are listed in no set order.)
            assertThat(all.summary().latencies()).as("Redis percentiles").containsExactlyInAnyOrderElementsOf(one.summary().latencies());
            assertThat(all.segments().count()).isEqualTo(one.segments().count());
            var a = all.services();
            var o = one.services();
            assertThat(kinds(a)).as("spans per kind").isEqualTo(kinds(o)).containsKeys(SpanKind.REDIS, SpanKind.SERVER, SpanKind.CLIENT);
            assertThat(a.stats()).as("the joins' counts").isEqualTo(o.stats()).containsKey("redis calls linked");
            assertThat(a.stats().get("redis calls linked")).isGreaterThanOrEqualTo(4L * CALLS);
            assertThat(a.events()).isEqualTo(o.events());
            assertThat(problemCounts(a)).isEqualTo(problemCounts(o));
            var linksAll = links(all);
            assertThat(linksAll).as("each span: its parent, its link").isEqualTo(links(one));
            // Whether a route has a main cause (one part ≥ 50 % of its requests' time) depends on the machine's load
            // (an idle CI run spread the time over the hops: no cause); the parts below, from which blame is made,
            // are the same attribution, and never empty.
            assertThat(Blame.causes(a, 0)).as("blame of every request").isEqualTo(Blame.causes(o, 0));
            var parts = new TreeMap<String, Long>();
            for (long i = 0; i < a.count(); i++) for (var p : a.parts(i)) parts.merge(p.label(), p.ns(), Long::sum);
            var partsOne = new TreeMap<String, Long>();
            for (long i = 0; i < o.count(); i++) for (var p : o.parts(i)) partsOne.merge(p.label(), p.ns(), Long::sum);
            assertThat(parts).as("every span's parts, summed by kind").isEqualTo(partsOne).isNotEmpty();
        }
        var report = Cli.run("report", models.toString(), "--cache", tmp.resolve("per-host-combined").toString());
        assertThat(report.out()).doesNotContain("not combined").containsPattern("host-c .* accurate.*pairs: redis calls [0-9,]+");
    }

    private static Map<SpanKind, Long> kinds(ServicesFile f) {
        var out = new TreeMap<SpanKind, Long>();
        for (long i = 0; i < f.count(); i++) out.merge(f.kind(i), 1L, Long::sum);
        return out;
    }

    private static Map<String, Long> problemCounts(ServicesFile f) {
        var out = new TreeMap<String, Long>();
        for (var p : f.problems()) out.put(p.what(), p.count());
        return out;
    }

    /**
     * Every span by what it is (kind, service, pid, times…): its parent's and its link's (a span, or a Redis request)
     * identity — sorted, for the commands of one write, alike but for their requests.
     */
    private static Map<String, List<String>> links(Stored s) throws IOException {
        var f = s.services();
        var segs = s.segments();
        var out = new TreeMap<String, List<String>>();
        for (long i = 0; i < f.count(); i++) {
            var parent = f.parent(i) < 0 ? "-" : id(f, f.parent(i));
            String link = "-";
            if (f.link(i) >= 0 && f.kind(i) == SpanKind.REDIS) {
                var g = segs.get(f.link(i));
                link = segs.servers().get(g.server()) + " fd " + g.fd() + " client " + g.clientId() + " at " + g.commandStart();
            } else if (f.link(i) >= 0) {
                link = id(f, f.link(i));
            }
            out.computeIfAbsent(id(f, i), k -> new ArrayList<>()).add(parent + " | " + link);
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    private static String id(ServicesFile f, long i) {
        return f.kind(i) + " " + f.service(i) + " " + f.pid(i) + " " + f.start(i) + " " + f.end(i) + " " + f.name(i)
                + " " + f.srcPort(i) + ">" + f.dstPort(i) + " " + f.spanId(i);
    }

    /** A copy of the experiment with host-c's clock moved by SKEW_NS and drifting by DRIFT, its events so changed. */
    private static Path skewed(String name, List<TraceRewriter.Change> changes) throws IOException {
        var copy = tmp.resolve(name);
        TwoHostsTest.copyTree(experiment, copy);
        var c = copy.resolve("host-c");
        TwoHostsTest.shiftClockOffset(c, SKEW_NS);
        var moved = tmp.resolve(name + "-host-c");
        var all = new ArrayList<TraceRewriter.Change>(changes);
        all.add(new TraceRewriter.Drift(DRIFT));
        TraceRewriter.rewrite(c, moved, all);
        deleteTree(c);
        Files.move(moved, c);
        return copy;
    }

    /** The first and last event's time. */
    private static long[] span(Path trace) {
        long[] s = {Long.MAX_VALUE, Long.MIN_VALUE};
        try (var t = Trace.open(trace)) {
            for (var e : t) {
                s[0] = Math.min(s[0], e.timestamp());
                s[1] = Math.max(s[1], e.timestamp());
            }
        }
        assertThat(s[0]).as("events in " + trace).isLessThanOrEqualTo(s[1]);
        return s;
    }

    private static HostClock clock(Stored s, String host) throws IOException {
        return s.clocks().hosts().stream().filter(h -> h.host().equals(host)).findFirst().orElseThrow();
    }

    /** Links whose other side is outside the call: Redis requests, HTTP server spans. */
    record Links(long redis, long http) {}

    /**
     * Counts the links out of order in time: a Redis call whose request began before it was sent or was answered after
     * it ended, an HTTP server span that began before its client span or ended after it. With {@code undo} the hosts'
     * corrections are taken back first: the times on each host's own clock.
     */
    private static Links violations(Stored s, List<HostClock> undo) throws IOException {
        var sf = s.services();
        var segs = s.segments();
        var fixes = new HashMap<String, ClockFix>();
        if (undo != null) for (var h : undo) fixes.put(h.host(), h.fix());
        var traceHost = new HashMap<Integer, String>();
        try (var t = Trace.open(List.of(Path.of(s.summary().traces().get(0))))) {
            for (var i : t.traces()) traceHost.put(i.index(), i.host());
        }
        Map<String, String> serverHost = new HashMap<>();
        for (var sv : s.summary().servers()) serverHost.put(sv.name(), sv.host());
        LongUnaryOperator none = x -> x;
        long redis = 0, http = 0, linked = 0, hops = 0, calls = 0;
        var names = new TreeMap<String, Long>();
        for (long i = 0; i < sf.count(); i++) {
            var kind = sf.kind(i);
            if (kind == SpanKind.REDIS) {
                calls++;
                names.merge(String.valueOf(sf.name(i)), 1L, Long::sum);
            }
            var own = at(fixes, traceHost.get(sf.trace(i)), none);
            if (kind == SpanKind.REDIS && sf.link(i) >= 0) {
                Segment g = segs.get(sf.link(i));
                var redisClock = at(fixes, serverHost.get(segs.servers().get(g.server())), none);
                long written = g.writeStart() != Segment.UNKNOWN ? g.writeStart() : g.commandEnd();
                linked++;
                if (g.commandStart() == Segment.UNKNOWN) continue;
                if (redisClock.applyAsLong(g.commandStart()) < own.applyAsLong(sf.start(i))
                        || (sf.finished(i) && redisClock.applyAsLong(written) > own.applyAsLong(sf.end(i)))) redis++;
            } else if (kind == SpanKind.CLIENT && sf.link(i) >= 0) {
                long sv = sf.link(i);
                var server = at(fixes, traceHost.get(sf.trace(sv)), none);
                hops++;
                if (server.applyAsLong(sf.start(sv)) < own.applyAsLong(sf.start(i))
                        || (sf.finished(i) && sf.finished(sv) && server.applyAsLong(sf.end(sv)) > own.applyAsLong(sf.end(i)))) http++;
            }
        }
        // Each request makes 4 calls; ioredis adds its own on connecting (HELLO, and CLIENT SETINFO, which Redis 7.0 does
        // not know: refused, no request).
        assertThat(linked).as("Redis calls linked " + names).isGreaterThanOrEqualTo(4L * CALLS).isGreaterThanOrEqualTo(calls - names.getOrDefault("client", 0L));
        assertThat(hops).as("HTTP hops joined").isEqualTo(CALLS);
        return new Links(redis, http);
    }

    /** The time on the host's own clock, when its correction is to be taken back. */
    private static LongUnaryOperator at(Map<String, ClockFix> fixes, String host, LongUnaryOperator none) {
        var fix = host == null ? null : fixes.get(host);
        return fix == null ? none : t -> ServicePairs.raw(fix, t);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (var f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
