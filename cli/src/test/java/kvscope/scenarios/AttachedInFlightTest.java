package kvscope.scenarios;

import com.fasterxml.jackson.databind.ObjectMapper;
import kvscope.analysis.Analysis;
import kvscope.analysis.services.Problems;
import kvscope.analysis.services.RequestTree;
import kvscope.analysis.services.SpanKind;
import kvscope.cli.Home;
import kvscope.cli.microservices.ExampleApp;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.testing.Established;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.cli.testing.TraceEvents;
import kvscope.ctf.Trace;
import kvscope.fixtures.TraceRewriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attaching to running services (issue #21), the Node side: the example microservices start and serve a load before
 * the recording; when it starts, three slow requests (GET /orders/:id, a 3 s SELECT SLEEP in MariaDB) are in flight
 * through gateway → order → mysqlgw, and a steady load runs beside them. Each service's snapshot must list exactly the
 * TCP connections `ss` shows that process holding (those there before and after it; nothing that was in neither),
 * every request in flight must become a span flagged as started before the recording — the slow ones with their
 * whole 10 s, counted against load.js's own log of what it had in flight — and every Redis or MariaDB connection the
 * trace meets mid-life must be named.
 */
class AttachedInFlightTest {
    private static final int SLOW = 3, SLOW_MS = 10_000; // longer than the session takes to start (up to 4.1 s seen, loaded)
    /** How much of the recording's beginning the cut trace loses: less than the period of the snapshots (10 s). */
    private static final long CUT_NS = 5_000_000_000L;
    private static final List<String> SERVICES = List.of("gateway", "user", "order", "redisgw", "mysqlgw", "notifier");
    private static final String FAST_MIX = "GET /users/:id=50,POST /users=10,POST /orders=20";
    /**
     * How far a request's start or end as load.js logs it may be from when the gateway saw it: loopback HTTP on the
     * loaded 2-core test machine (load 10–18) took up to a few ms; a request closer than this to the snapshot is
     * neither counted as surely in flight nor as surely not.
     */
    private static final long MARGIN_NS = 25_000_000;

    private record Logged(long start, long end, String route) {}

    @Test
    void requestsAndSocketsInFlightAtAttachAreNamed(@TempDir Path dir) throws Exception {
        InstrumentedRedis.bin();
        NodeAgent.ensureBuilt(System.out);
        var trace = dir.resolve("trace");
        var before = new HashMap<String, Set<String>>();
        var after = new HashMap<String, Set<String>>();
        var pids = new HashMap<String, Long>();
        long recStart, recStarted;
        try (var app = ExampleApp.start(Home.dir(), dir.resolve("app"), new ExampleApp.Problems(0, SLOW_MS, 0), null, null)) {
            for (var s : SERVICES) pids.put(s, app.servicePid(s));
            app.load(200, 60, 4, FAST_MIX, dir.resolve("warm.json"));
            var slow = CompletableFuture.supplyAsync(() -> app.load(SLOW, 60, SLOW, "GET /orders/:id=1",
                    dir.resolve("slow.json"), dir.resolve("slow.log")));
            var fast = CompletableFuture.supplyAsync(() -> app.load(1_000_000, 13, 4, FAST_MIX,
                    dir.resolve("fast.json"), dir.resolve("fast.log")));
            Thread.sleep(800);
            for (var s : SERVICES) before.put(s, Established.of(pids.get(s)));
            recStart = System.nanoTime(); // CLOCK_MONOTONIC, as load.js's log and the trace
            try (var rec = Recording.start(trace, Profile.FULL)) {
                recStarted = System.nanoTime();
                System.out.printf("the session took %d ms to start%n", (recStarted - recStart) / 1_000_000);
                Thread.sleep(1200); // past the agent's 1 s tick: every service has written its first snapshot
                for (var s : SERVICES) after.put(s, Established.of(pids.get(s)));
                slow.get();
                fast.get();
                // Past the periodic snapshots (10 s after the first ones, which come within 1 s of the start: the timer) for
                // the cut trace, and at least one server_info (1 s) after the load.
                Thread.sleep(Math.max(1100, (recStarted + 13_000_000_000L - System.nanoTime()) / 1_000_000));
                rec.stop();
            }
        }
        if (System.getenv("KVSCOPE_KEEP_TRACE") != null) {
            new ProcessBuilder("cp", "-a", trace.toString(), System.getenv("KVSCOPE_KEEP_TRACE")).inheritIO().start().waitFor();
        }
        var slowLog = logged(dir.resolve("slow.log"));
        assertThat(slowLog).as("the slow requests, in flight when the recording started (the test's premise: the session started within the slow requests' " + SLOW_MS + " ms)")
                .hasSize(SLOW).allSatisfy(r -> assertThat(r.start() < recStart && r.end() > recStarted + 1_000_000_000L)
                        .as("started %d ms before the session, ended %d ms after it started", (recStart - r.start()) / 1_000_000,
                                (r.end() - recStarted) / 1_000_000).isTrue());

        var events = TraceEvents.readNamed(trace, List.of("nodejs:snapshot_start", "nodejs:snapshot_socket",
                "nodejs:snapshot_request", "nodejs:snapshot_end"));
        var receives = TraceEvents.readNamed(trace, List.of("nodejs:http_server_receive"));
        long snapshotAt = -1;
        int gatewayFast = 0, gatewayFastUnseen = 0;
        long named = 0;
        for (var s : SERVICES) {
            long pid = pids.get(s);
            // Sockets named by any snapshot of the recording (a periodic one adds those opened since).
            named += events.filter(e -> e.vpid() == pid && e.name().equals("nodejs:snapshot_socket")
                    && e.num("src_port") > 0 && e.num("dst_port") > 0).stream().map(AttachedInFlightTest::local).distinct().count();
            var mine = events.filter(e -> e.vpid() == pid && e.num("seq") == 1);
            var start = mine.stream().filter(e -> e.name().equals("nodejs:snapshot_start")).toList();
            assertThat(start).as(s + ": one snapshot when the session started").hasSize(1)
                    .allSatisfy(e -> assertThat(e.num("periodic")).isZero());
            var socks = new HashSet<String>();
            for (var e : mine) if (e.name().equals("nodejs:snapshot_socket")) socks.add(local(e));
            var stable = new HashSet<>(before.get(s));
            stable.retainAll(after.get(s));
            var either = new HashSet<>(before.get(s));
            either.addAll(after.get(s));
            System.out.printf("%s: ss before %d, after %d, both %d; snapshot %d%n", s, before.get(s).size(),
                    after.get(s).size(), stable.size(), socks.size());
            assertThat(socks).as(s + ": every connection ss showed before and after the snapshot is in it")
                    .containsAll(stable);
            assertThat(either).as(s + ": every socket of the snapshot, ss showed before or after it").containsAll(socks);
            var reqs = mine.stream().filter(e -> e.name().equals("nodejs:snapshot_request")).toList();
            if (s.equals("gateway")) {
                snapshotAt = start.get(0).cycles();
                var slowOnes = reqs.stream().filter(e -> e.str("kind").equals("server") && e.str("method").equals("GET")
                        && e.str("path").startsWith("/orders/")).count();
                assertThat(slowOnes).as("gateway: the slow requests in flight").isEqualTo(SLOW);
                gatewayFast = (int) (reqs.stream().filter(e -> e.str("kind").equals("server")).count() - slowOnes);
                // The snapshot comes once the session is active (Profile.SNAPSHOT_TRIGGERS): a request the gateway
                // received in between is in it and has its receive in the trace, so it did not begin before it.
                var received = receives.filter(e -> e.vpid() == pid)
                        .stream().map(e -> e.num("span")).collect(Collectors.toSet());
                gatewayFastUnseen = gatewayFast - (int) reqs.stream().filter(e -> e.str("kind").equals("server")
                        && !e.str("path").startsWith("/orders/") && received.contains(e.num("span"))).count();
            }
        }
        // The steady load's requests in flight at the gateway's snapshot, by load.js's own log.
        long at = snapshotAt;
        var fastLog = logged(dir.resolve("fast.log"));
        long possible = fastLog.stream().filter(r -> r.start() < at && r.end() > at).count();
        long surely = fastLog.stream().filter(r -> r.start() < at - MARGIN_NS && r.end() > at + MARGIN_NS).count();
        System.out.printf("gateway: fast requests in flight at the snapshot: %d (load.js: surely %d, at most %d)%n",
                gatewayFast, surely, possible);
        assertThat(gatewayFast).isBetween((int) surely, (int) possible);

        long cutAt;
        long[] straddling = new long[2]; // server, client spans begun before the cut and ended after it
        var serverSpansBeforeCut = new HashMap<Integer, List<long[]>>();
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var f = stored.services();
            var beforeByService = new HashMap<String, Integer>();
            var slowByService = new HashMap<String, Integer>();
            // Per process: the latest start of a request in flight at attach, the earliest of one the trace saw begin.
            var lastBefore = new HashMap<Integer, Long>();
            var firstSeen = new HashMap<Integer, Long>();
            for (long i = 0; i < f.count(); i++) {
                if (f.kind(i) != SpanKind.SERVER) continue;
                if (!f.startedBefore(i)) {
                    firstSeen.merge(f.pid(i), f.start(i), Math::min);
                    continue;
                }
                assertThat(f.finished(i)).as("a request in flight at attach ends in the trace").isTrue();
                lastBefore.merge(f.pid(i), f.start(i), Math::max);
                beforeByService.merge(f.service(i), 1, Integer::sum);
                if (f.end(i) - f.start(i) >= SLOW_MS * 1_000_000L) {
                    slowByService.merge(f.service(i), 1, Integer::sum);
                    assertThat(RequestTree.of(f, stored.segments(), i).root().detail()).contains("began before the recording");
                }
            }
            // Each hop of the slow chain joined, though both of its sides began before the recording: the call (from the
            // client's snapshot) to the server span (from the server's). A call issued before the session has no parent:
            // the context is not kept without a session (EVENTS.md), so the hops are not chained into one tree.
            var slowHops = new HashMap<String, Integer>();
            for (long c = 0; c < f.count(); c++) {
                if (f.kind(c) != SpanKind.CLIENT || !f.startedBefore(c) || f.noPeer(c) || f.link(c) < 0) continue;
                long sv = f.link(c);
                if (f.startedBefore(sv) && f.end(sv) - f.start(sv) >= SLOW_MS * 1_000_000L) {
                    slowHops.merge(f.service(c) + "→" + f.service(sv), 1, Integer::sum);
                }
            }
            assertThat(slowHops).as("the slow chain's hops").containsEntry("gateway→order", SLOW)
                    .containsEntry("order→mysqlgw", SLOW);
            for (var e : lastBefore.entrySet()) {
                assertThat(e.getValue()).as("pid %d: requests in flight at attach began before any the trace saw begin",
                        e.getKey()).isLessThan(firstSeen.getOrDefault(e.getKey(), Long.MAX_VALUE));
            }
            for (var s : List.of("gateway", "order", "mysqlgw")) {
                assertThat(slowByService.get(s)).as(s + ": the slow requests, whole (≥ %d ms)", SLOW_MS).isEqualTo(SLOW);
            }
            assertThat(beforeByService.get("gateway")).isEqualTo(SLOW + gatewayFastUnseen);
            var stats = f.stats();
            System.out.println("services stats: " + stats);
            for (var p : f.problems()) System.out.println("problem: " + p.count() + " " + p.what() + " " + p.examples());
            assertThat(stats.entrySet().stream().filter(e -> e.getKey().startsWith("node sockets named by a snapshot"))
                    .mapToLong(Map.Entry::getValue).sum()).as("sockets named, all services").isEqualTo(named);
            assertThat(stats.get("service connections to Redis or MySQL met mid-life")).isPositive();
            assertThat(stats.get("service connections to Redis or MySQL met mid-life, named by a snapshot"))
                    .isEqualTo(stats.get("service connections to Redis or MySQL met mid-life"));
            // Redis's session starts before the agents' (0.1–0.4 s apart), so Redis saw commands on the pooled
            // connection before the first call the agent saw. Aligned by name only, every later GET was linked to the
            // request before its own: 2,938 of 5,167 links outside their call in one run; with the leading requests
            // skipped (RedisLinks.leadingSkip), 0 of 2,841. A few may still straddle a call sent as the session began.
            assertThat(stats.get("redis links outside their call")).as("Redis links outside their call")
                    .isLessThanOrEqualTo(stats.get("redis calls linked") / 100);
            // Every Redis request on the services' connections is a call's, or explained by the attach (issue #21):
            // answered before the agent's session reached the process, or in flight then (the agent saw its reply
            // only). Every call has its request; no reply is left without one.
            assertThat(stats.get("redis requests without a call")).as("Redis requests with no call, unexplained").isZero();
            assertThat(stats.get("redis calls without a request")).as("Redis calls with no request").isZero();
            assertThat(stats.get("redis calls on untraced connections")).isZero();
            assertThat(f.problems()).as("Redis replies with no command").noneMatch(p -> p.what().startsWith("Redis replies"));
            // The slow SELECT SLEEPs were in flight on mysqlgw's connections when its session started: the agent follows
            // their responses, which start after it, as the first events of their connections (issue #21).
            assertThat(stats.getOrDefault("mysql replies to commands sent before the recording (in flight when it started)", 0L))
                    .as("MySQL replies in flight at attach").isGreaterThanOrEqualTo(SLOW);
            assertThat(f.problems()).as("MySQL replies with no command").noneMatch(p -> p.what().startsWith("MySQL replies"));
            cutAt = f.start() + CUT_NS;
            for (long i = 0; i < f.count(); i++) {
                var k = f.kind(i);
                if (k != SpanKind.SERVER && k != SpanKind.CLIENT) continue;
                if (f.start(i) < cutAt && f.finished(i) && f.end(i) >= cutAt) {
                    if (k == SpanKind.SERVER) straddling[0]++;
                    else straddling[1]++;
                }
                if (k == SpanKind.SERVER && f.start(i) < cutAt) {
                    serverSpansBeforeCut.computeIfAbsent(f.pid(i), x -> new ArrayList<>())
                            .add(new long[] {f.start(i), f.finished(i) ? f.end(i) : Long.MAX_VALUE});
                }
            }
            assertThat(f.problems()).as("problems of the services analysis")
                    .noneMatch(p -> p.what().startsWith("service connections to Redis or MySQL opened before"))
                    .noneMatch(p -> p.what().startsWith("HTTP responses for a request never received"))
                    .noneMatch(p -> p.what().startsWith("HTTP client responses for a request never sent"));
        }
        checkCut(trace, dir, pids, cutAt, straddling, serverSpansBeforeCut);
    }

    /**
     * The same recording without its first {@link #CUT_NS} (cut with the CTF writer): the first snapshots of Redis and
     * of every service are gone, the periodic ones (10 s after them) remain. After them everything is named; what
     * ended before them without having begun in the cut trace is counted — exactly the requests that straddle the cut.
     */
    private static void checkCut(Path trace, Path dir, Map<String, Long> pids, long cutAt, long[] straddling,
                                 Map<Integer, List<long[]>> serverSpansBeforeCut) throws Exception {
        var cut = dir.resolve("cut");
        TraceRewriter.rewrite(trace, cut, List.of(new TraceRewriter.Cut(CUT_NS)));
        long offset;
        try (var t = Trace.open(cut)) {
            offset = t.traces().get(0).clockOffsetNs();
        }
        var events = TraceEvents.readNamed(cut, List.of("nodejs:snapshot_start", "redis:snapshot_start"));
        assertThat(events.filter(e -> e.name().equals("redis:snapshot_start")))
                .as("Redis: only its periodic snapshot is left").isNotEmpty().allSatisfy(e -> assertThat(e.num("periodic")).isOne());
        var expectedBefore = new HashMap<Integer, Long>();
        for (var s : SERVICES) {
            long pid = pids.get(s);
            var snaps = events.filter(e -> e.vpid() == pid && e.name().equals("nodejs:snapshot_start"));
            assertThat(snaps).as(s + ": a periodic snapshot in the cut trace").isNotEmpty()
                    .allSatisfy(e -> assertThat(e.num("periodic")).isOne());
            long at = snaps.get(0).cycles() + offset;
            // In flight at that snapshot and begun before the cut: the cut model's spans started before its recording.
            expectedBefore.put((int) pid, serverSpansBeforeCut.getOrDefault((int) pid, List.of()).stream()
                    .filter(x -> x[1] > at).count());
        }
        try (var stored = Analysis.analyze(List.of(cut), Analysis.Options.defaults().withCache(dir.resolve("cut.model")))) {
            for (var st : stored.summary().servers()) {
                assertThat(st.connectionsSeenMidLife()).as(st.name() + ": the cut trace begins mid-life").isPositive();
                assertThat(st.connectionsNamedBySnapshot()).as(st.name() + ": all named by the periodic snapshot")
                        .isEqualTo(st.connectionsSeenMidLife());
            }
            var f = stored.services();
            var stats = f.stats();
            System.out.println("cut trace: services stats: " + stats);
            for (var p : f.problems()) System.out.println("cut trace: problem: " + p.count() + " " + p.what());
            assertThat(stats.get("service connections to Redis or MySQL met mid-life")).isPositive();
            assertThat(stats.get("service connections to Redis or MySQL met mid-life, named by a snapshot"))
                    .isEqualTo(stats.get("service connections to Redis or MySQL met mid-life"));
            var before = new HashMap<Integer, Long>();
            for (long i = 0; i < f.count(); i++) {
                if (f.kind(i) == SpanKind.SERVER && f.startedBefore(i)) before.merge(f.pid(i), 1L, Long::sum);
            }
            for (var e : expectedBefore.entrySet()) {
                assertThat(before.getOrDefault(e.getKey(), 0L)).as("pid %d: requests in flight at its periodic snapshot, begun "
                        + "before the cut", e.getKey()).isEqualTo(e.getValue());
            }
            // What could not be named: the ends of requests begun before the cut, each counted once — as begun before
            // the process was traced (they come before its first snapshot in the cut trace), not as problems.
            assertThat(stats.getOrDefault("HTTP responses of requests begun before the process was traced (met before "
                    + "its first snapshot)", 0L)).isEqualTo(straddling[0]);
            assertThat(stats.getOrDefault("HTTP client responses of calls begun before the process was traced (met "
                    + "before its first snapshot)", 0L)).isEqualTo(straddling[1]);
            assertThat(count(f.problems(), "HTTP responses for a request never received")).isZero();
            assertThat(count(f.problems(), "HTTP client responses for a request never sent")).isZero();
            System.out.printf("cut trace: requests straddling the cut %d, calls %d%n", straddling[0], straddling[1]);
        }
    }

    private static long count(List<Problems.Problem> problems, String prefix) {
        return problems.stream().filter(p -> p.what().startsWith(prefix)).mapToLong(p -> p.count()).sum();
    }

    /** A snapshot_socket's connection from its process's side ("local->peer", as {@link Established#of}). */
    private static String local(TraceEvents.Ev e) {
        var src = e.str("src_addr") + ":" + e.str("src_port");
        var dst = e.str("dst_addr") + ":" + e.str("dst_port");
        return e.num("inbound") == 1 ? dst + "->" + src : src + "->" + dst;
    }

    private static List<Logged> logged(Path log) throws IOException {
        var json = new ObjectMapper();
        return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).map(l -> {
            try {
                var n = json.readTree(l);
                return new Logged(Long.parseLong(n.get("start_ns").asText()), Long.parseLong(n.get("end_ns").asText()),
                        n.get("route").asText());
            } catch (IOException e) {
                throw new AssertionError(log + ": " + l, e);
            }
        }).toList();
    }
}
