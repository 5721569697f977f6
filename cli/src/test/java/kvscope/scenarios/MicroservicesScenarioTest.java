package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.services.Blame;
import kvscope.analysis.services.ServicesFile;
import kvscope.analysis.services.SpanKind;
import kvscope.cli.Home;
import kvscope.cli.microservices.ExampleApp;
import kvscope.cli.microservices.GroundTruth;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

/**
 * Scenario microservices (paper use case IV-B1): the example application — gateway, user, order, Redis gateway,
 * MySQL gateway, notifier — on a real MariaDB, the instrumented Redis, and a 3-node cluster carrying the order
 * events, traced by the Node.js agent in the same LTTng session as Redis, under load. Three problems are injected,
 * each on its own route and measured independently in the same run (Redis's SLOWLOG, MariaDB's slow query log, the
 * user service's own count of its CPU burns, the load generator's latencies): kvscope must name each as the main cause
 * of its route's slow requests with the right share, and no other route may get such a finding. The spans must
 * match what the load generator did, request for request; every Redis call of the Redis gateway must be one
 * request of the Redis model; a service killed mid-request must be counted, not crash anything.
 */
class MicroservicesScenarioTest {
    /** Each problem's size: large beside the few milliseconds of scheduling noise a busy 2-core machine adds. */
    static final int INJECTED_MS = 80;
    /** Routes that carry no injected problem. */
    static final List<String> HEALTHY = List.of("GET /users/:id", "POST /users", "POST /orders");

    @Test
    void eachInjectedProblemIsBlamedOnItsRouteWithItsShareAndEveryRequestAndRedisCallIsAccountedFor(@TempDir Path temp)
            throws Exception {
        // KVSCOPE_KEEP_TRACES=DIR keeps the trace, the model and the app's logs there, to look at after the test.
        var keep = System.getenv("KVSCOPE_KEEP_TRACES");
        var dir = keep != null ? Files.createDirectories(Path.of(keep).resolve("microservices-" + System.currentTimeMillis())) : temp;
        var home = Home.dir();
        var bin = InstrumentedRedis.bin();
        NodeAgent.ensureBuilt(System.out);
        var trace = dir.resolve("trace");
        ExampleApp.Load healthy, problems;
        GroundTruth truth;
        long killedPid;
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3);
             var rec = Recording.start(trace, Profile.FULL);
             var app = ExampleApp.start(home, dir.resolve("app"), new ExampleApp.Problems(INJECTED_MS, INJECTED_MS, INJECTED_MS),
                     "127.0.0.1:" + cluster.node(0).port(), "127.0.0.1:" + cluster.node(1).port())) {
            // The problem routes block what they use (Redis's event loop, the user service's) for everyone: the
            // healthy routes are driven first, the problem routes after, one request at a time, so that each
            // route's time is its own.
            healthy = app.load(300, 60, 2, "GET /users/:id=50,POST /users=10,POST /orders=20", dir.resolve("healthy.json"));
            problems = app.load(90, 60, 1, "GET /ranking=1,GET /orders/:id=1,POST /login=1", dir.resolve("problems.json"));
            truth = GroundTruth.measure(app);
            // A service killed mid-request: a login sent straight to the user service, killed while it burns.
            killedPid = app.servicePid("user");
            var login = CompletableFuture.runAsync(() -> {
                try {
                    app.http("POST", app.serviceUrl("user") + "/login", "{\"name\":\"user7\",\"password\":\"secret7\"}");
                } catch (RuntimeException expected) {
                    // the connection is reset when the service dies
                }
            });
            Thread.sleep(INJECTED_MS / 2 + 10);
            ProcessHandle.of(killedPid).ifPresent(ProcessHandle::destroyForcibly);
            login.exceptionally(e -> null).join();
            Thread.sleep(1100); // every Redis says who it is (server_info) once a second: the model names it host:port
            rec.stop();
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var f = stored.services();
            var causes = Blame.causes(f, Thresholds.DEFAULT.slowHttpNs());
            print(f, healthy, problems, truth, causes);

            // Every request the load generator made is a span of the gateway, with its route and status.
            var loadCounts = new TreeMap<String, Long>();
            var loadStatus = new TreeMap<String, Map<Integer, Long>>();
            for (var load : List.of(healthy, problems)) {
                load.summary().get("routes").fields().forEachRemaining(e -> {
                    loadCounts.merge(e.getKey(), e.getValue().get("count").asLong(), Long::sum);
                    e.getValue().get("status").fields().forEachRemaining(s -> loadStatus
                            .computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(Integer.parseInt(s.getKey()), s.getValue().asLong(), Long::sum));
                });
            }
            var spanCounts = new TreeMap<String, Long>();
            var spanStatus = new TreeMap<String, Map<Integer, Long>>();
            for (long i = 0; i < f.count(); i++) {
                // start.sh's own GET /health probes are not the load generator's.
                if (!f.isEntry(i) || !f.service(i).equals("gateway") || f.routeKey(i).equals("GET /health")) continue;
                spanCounts.merge(f.routeKey(i), 1L, Long::sum);
                spanStatus.computeIfAbsent(f.routeKey(i), k -> new TreeMap<>()).merge(f.status(i), 1L, Long::sum);
            }
            assertThat(spanCounts).as("requests per route, spans vs load.js").isEqualTo(loadCounts);
            // Where the time went: every answered request's parts add up to its latency (within 1 %; exactly, by
            // construction).
            for (long i = 0; i < f.count(); i++) {
                if (!f.isEntry(i) || !f.finished(i)) continue;
                long latency = f.end(i) - f.start(i), sum = f.parts(i).stream().mapToLong(x -> x.ns()).sum();
                final long request = i;
                assertThat((double) sum).as("parts of request %d", request).isCloseTo(latency, withPercentage(1));
            }
            assertThat(spanStatus).as("status codes per route, spans vs load.js").isEqualTo(loadStatus);

            // Spans nest: a request holds the calls its handler made (one process, program order), and a call holds
            // the request it reached in the callee (the agent stamps a call when it is issued and a response when it
            // is ended, before its bytes leave; see instrument/node/EVENTS.md).
            long nested = 0, hops = 0;
            for (long i = 0; i < f.count(); i++) {
                int p = f.parent(i);
                if (p < 0 || !f.finished(i) || !f.finished(p)) continue;
                final long child = i;
                assertThat(f.start(i)).as("span %d (%s) starts within its parent %d", child, f.kind(i), p).isGreaterThanOrEqualTo(f.start(p));
                assertThat(f.end(i)).as("span %d (%s) ends within its parent %d", child, f.kind(i), p).isLessThanOrEqualTo(f.end(p));
                if (f.kind(i) == SpanKind.SERVER) hops++;
                else nested++;
            }
            assertThat(nested).isGreaterThan(1000);
            assertThat(hops).isGreaterThan(500);
            // Every call a service made once the load began was made by a request's handler, whose span it names
            // (the agent's request context, instrument/node/lib/context.js: awaits, bodies, nextTick, pools); the
            // only calls without one are the services' own start (connections' ready checks, the subscription).
            long loadBegan = Long.MAX_VALUE;
            for (long i = 0; i < f.count(); i++) {
                if (f.isEntry(i) && f.service(i).equals("gateway") && !f.routeKey(i).equals("GET /health")) {
                    loadBegan = Math.min(loadBegan, f.start(i));
                }
            }
            var orphans = new ArrayList<String>();
            for (long i = 0; i < f.count(); i++) {
                if (f.kind(i) != SpanKind.SERVER && f.parent(i) < 0 && f.start(i) >= loadBegan) {
                    orphans.add(f.service(i) + " " + f.kind(i) + " " + f.name(i) + " at " + f.start(i));
                }
            }
            assertThat(orphans).as("calls made during the load with no parent span").isEmpty();
            assertThat(f.stats()).containsEntry("redis links outside their call", 0L);

            // Every Redis call of the Redis gateway is one request of the model, of the same command; every request
            // of its connections is one of its calls.
            checkRedisGateway(stored, f);

            // The three problems, each the main cause of its route's slow requests, with the share it really took:
            // the time kvscope gives the cause against what the problem cost as measured without the trace (every
            // request of these routes is slow, so both sum the same requests; the share is of the same latency).
            assertBlamed(causes, ExampleApp.SLOW_REDIS_ROUTE, "Redis executing (eval)", truth.evalNs());
            assertBlamed(causes, ExampleApp.SLOW_SQL_ROUTE, "MariaDB (select)", truth.sleepNs());
            assertBlamed(causes, ExampleApp.BURN_ROUTE, "user own time", truth.burnWallNs());
            assertThat(causes).as("routes without a problem get no finding")
                    .noneMatch(c -> c.service().equals("gateway") && HEALTHY.contains(c.route()));

            // The killed service: its request never answered, counted with where; nothing crashed.
            assertThat(f.problems()).anySatisfy(p -> {
                assertThat(p.what()).startsWith("HTTP requests never answered");
                assertThat(p.examples()).anyMatch(x -> x.contains("user (pid " + killedPid + ") POST /login"));
            });
        }
    }

    /** The load generator's own summed latency of a route (ns). */
    private static long latencySum(ExampleApp.Load load, String route) {
        var r = load.route(route);
        return Math.round(r.get("count").asLong() * r.get("mean_ms").asDouble() * 1e6);
    }

    /**
     * The route's finding names the part, and gives it the time the problem cost as measured without the trace, within
     * 10 % (so its share of the requests' time is within 10 % of the injected share).
     */
    private static void assertBlamed(List<Blame.Cause> causes, String route, String part, long measuredNs) {
        assertThat(causes).as("a finding for %s", route).anySatisfy(c -> {
            assertThat(c.service()).isEqualTo("gateway");
            assertThat(c.route()).isEqualTo(route);
            assertThat(c.cause().label()).isEqualTo(part);
            assertThat(c.slow()).as("every request of %s is slow", route).isEqualTo(c.requests());
            assertThat((double) c.cause().ns()).as("time of %s in %s: kvscope's share %.3f, measured %.3f", part, route,
                    c.share(), (double) measuredNs / c.slowNs()).isBetween(measuredNs * 0.9, measuredNs * 1.1);
        });
    }

    static void checkRedisGateway(Stored stored, ServicesFile f) throws IOException {
        var segments = stored.segments();
        var linked = new HashSet<Long>();
        var connections = new HashSet<String>();
        long calls = 0, refused = 0;
        for (long i = 0; i < f.count(); i++) {
            if (f.kind(i) != SpanKind.REDIS || !f.service(i).equals("redisgw")) continue;
            calls++;
            long g = f.link(i);
            final long call = i;
            if (g < 0 && f.notExecuted(i)) {
                // Redis refused it (ioredis's CLIENT SETINFO is Redis 7.2's: 7.0 answers an error) — no request
                // segment exists for a command Redis does not execute; its place among what Redis processed was found,
                // and the reply that answered it held an error (the agent counts errors per chunk of replies).
                assertThat(f.status(i)).as("error replies where Redis call %d (%s) was refused", call, f.name(i)).isPositive();
                refused++;
                continue;
            }
            assertThat(g).as("Redis call %d (%s) of redisgw is linked", call, f.name(i)).isGreaterThanOrEqualTo(0);
            assertThat(linked.add(g)).as("request %d is linked to one call only", g).isTrue();
            var s = segments.get(g);
            if (f.name(i) != null) assertThat(segments.commands().get(s.command())).as("command of call %d", call).isEqualTo(f.name(i));
            connections.add(s.server() + "/" + s.fd() + "/" + s.clientId());
        }
        assertThat(calls).isGreaterThan(300);
        assertThat(refused).as("calls Redis refused, of %d", calls).isLessThan(10);
        var unlinked = new long[1];
        segments.forEach(c -> {
            if (connections.contains(c.server() + "/" + c.fd() + "/" + c.clientId()) && !linked.contains(c.index())) unlinked[0]++;
        });
        assertThat(unlinked[0]).as("requests on redisgw's connections without a call").isZero();
        assertThat(connections).as("redisgw's connections: the cache and the cluster node it publishes to").hasSizeGreaterThanOrEqualTo(2);
    }

    private static void print(ServicesFile f, ExampleApp.Load healthy, ExampleApp.Load problems, GroundTruth truth,
                              List<Blame.Cause> causes) {
        System.out.println();
        System.out.println("scenario microservices: " + f.count() + " spans; problems of " + INJECTED_MS + " ms on "
                + ExampleApp.SLOW_REDIS_ROUTE + ", " + ExampleApp.SLOW_SQL_ROUTE + ", " + ExampleApp.BURN_ROUTE);
        System.out.printf("%-62s | %s%n", "kvscope (from the trace)", "ground truth (same run)");
        var byRoute = new HashMap<String, Blame.Cause>();
        for (var c : causes) if (c.service().equals("gateway")) byRoute.put(c.route(), c);
        var truths = Map.of(ExampleApp.SLOW_REDIS_ROUTE, String.format(Locale.ROOT, "SLOWLOG: %d EVAL, %.0f ms (%.1f %% of load.js's time)",
                        truth.evals(), truth.evalNs() / 1e6, 100.0 * truth.evalNs() / latencySum(problems, ExampleApp.SLOW_REDIS_ROUTE)),
                ExampleApp.SLOW_SQL_ROUTE, String.format(Locale.ROOT, "slow log: %d SLEEP, %.0f ms (%.1f %% of load.js's time)",
                        truth.sleeps(), truth.sleepNs() / 1e6, 100.0 * truth.sleepNs() / latencySum(problems, ExampleApp.SLOW_SQL_ROUTE)),
                ExampleApp.BURN_ROUTE, String.format(Locale.ROOT, "user: %d burns, %.0f ms (%.1f %% of load.js's time)",
                        truth.burns(), truth.burnWallNs() / 1e6, 100.0 * truth.burnWallNs() / latencySum(problems, ExampleApp.BURN_ROUTE)));
        for (var route : List.of(ExampleApp.SLOW_REDIS_ROUTE, ExampleApp.SLOW_SQL_ROUTE, ExampleApp.BURN_ROUTE,
                "GET /users/:id", "POST /users", "POST /orders")) {
            var c = byRoute.get(route);
            var k = c == null ? route + ": no finding" : String.format(Locale.ROOT, "%s: %d slow, %s %.1f %% (%.0f ms)", route,
                    c.slow(), c.cause().label(), 100 * c.share(), c.cause().ns() / 1e6);
            var load = healthy.summary().get("routes").has(route) ? healthy.route(route) : problems.route(route);
            var g = truths.getOrDefault(route, String.format(Locale.ROOT, "load.js: %d requests, p99 %.1f ms",
                    load.get("count").asLong(), load.get("p99_ms").asDouble()));
            System.out.printf("%-62s | %s%n", k, g);
        }
        System.out.println("joins: " + f.stats());
        f.problems().forEach(p -> System.out.println("  " + p.count() + "  " + p.what() + "  e.g. " + p.examples()));
    }
}
