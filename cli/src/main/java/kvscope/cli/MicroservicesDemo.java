package kvscope.cli;

import kvscope.analysis.Analysis;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.report.Units;
import kvscope.analysis.services.Blame;
import kvscope.analysis.services.ServicesReport;
import kvscope.cli.microservices.ExampleApp;
import kvscope.cli.microservices.GroundTruth;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.record.RecordingSummary;
import kvscope.cli.redis.RedisCluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static kvscope.cli.DemoCommand.sleep;
import static kvscope.cli.DemoCommand.stage;

/**
 * {@code kvscope demo --scenario microservices}: the paper's use case IV-B1 end to end — MariaDB, the instrumented
 * Redis and a 3-node cluster carrying the order events, the example application's six Node.js services traced by the
 * agent, its load with three problems injected (a slow Redis command, a slow MariaDB query, a service burning CPU),
 * recorded, analysed, reported beside what each problem cost as measured without the trace, then served. One method
 * per stage.
 */
final class MicroservicesDemo {
    /** Each injected problem's size: well above a healthy request's few milliseconds. */
    static final int INJECTED_MS = 40;
    static final String HEALTHY_MIX = "GET /users/:id=50,POST /users=10,POST /orders=20";
    static final String PROBLEM_MIX = ExampleApp.SLOW_REDIS_ROUTE + "=1," + ExampleApp.SLOW_SQL_ROUTE + "=1," + ExampleApp.BURN_ROUTE + "=1";

    private final Path dir;
    private final int requests;

    MicroservicesDemo(Path dir, int requests) {
        this.dir = dir;
        this.requests = requests;
    }

    void run(Path bin) {
        var home = Home.dir();
        stage("Building the Node.js agent's addon (instrument/node/build.sh; cached)");
        NodeAgent.ensureBuilt(System.out);
        var appDir = dir.resolveSibling(dir.getFileName() + "-app");
        GroundTruth truth;
        ExampleApp.Load healthy, problems;
        stage("Starting a 3-node instrumented Redis cluster on loopback (it carries the order events)");
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3)) {
            System.out.println("  ports " + cluster.nodes().stream().map(n -> Integer.toString(n.port())).toList());
            try (var rec = Recording.start(dir, Profile.FULL)) {
                stage("Recording (LTTng session " + rec.session() + "); starting MariaDB, Redis and the services with the "
                        + "agent (examples/microservices/start.sh, logs in " + appDir + ")");
                try (var app = ExampleApp.start(home, appDir, new ExampleApp.Problems(INJECTED_MS, INJECTED_MS, INJECTED_MS),
                        "127.0.0.1:" + cluster.node(0).port(), "127.0.0.1:" + cluster.node(1).port())) {
                    System.out.println("  gateway " + app.gateway() + "; injected: " + INJECTED_MS + " ms on "
                            + ExampleApp.SLOW_REDIS_ROUTE + " (Redis EVAL), " + ExampleApp.SLOW_SQL_ROUTE
                            + " (MariaDB SLEEP), " + ExampleApp.BURN_ROUTE + " (CPU in user)");
                    stage("Load (load.js, not traced): " + requests + " requests of the healthy routes from 2 clients, then "
                            + (requests / 5) + " of the problem routes one at a time (each problem blocks what it uses for everyone)");
                    healthy = app.load(requests, 120, 2, HEALTHY_MIX, appDir.resolve("load-healthy.json"));
                    problems = app.load(Math.max(3, requests / 5), 120, 1, PROBLEM_MIX, appDir.resolve("load-problems.json"));
                    printLoad(healthy);
                    printLoad(problems);
                    truth = GroundTruth.measure(app);
                    sleep(1100); // every Redis says who it is (server_info) once a second: the model names it host:port
                    rec.stop();
                } catch (IOException e) {
                    throw new UserError("measuring the injected problems: " + e.getMessage());
                }
            }
        }
        RecordingSummary.print(dir.toAbsolutePath().normalize(), System.out);
        report(healthy, problems, truth);
    }

    private static void printLoad(ExampleApp.Load load) {
        load.summary().get("routes").fields().forEachRemaining(e -> System.out.printf(Locale.ROOT,
                "  load.js %-16s %5d requests, status %s, p50 %.1f ms, p99 %.1f ms%n", e.getKey(),
                e.getValue().get("count").asLong(), e.getValue().get("status"), e.getValue().get("p50_ms").asDouble(),
                e.getValue().get("p99_ms").asDouble()));
    }

    /** The services part of the report, and each finding beside the cost measured without the trace. */
    private void report(ExampleApp.Load healthy, ExampleApp.Load problems, GroundTruth truth) {
        stage("Analysing the trace (kvscope analyze " + dir + ")");
        try (var stored = Analysis.analyze(List.of(dir), Analysis.Options.defaults())) {
            var f = stored.services();
            var r = ServicesReport.of(f, Thresholds.DEFAULT, 3);
            System.out.printf(Locale.ROOT, "services %s: %s spans, %s HTTP hops joined, %s of %s Redis calls linked to a request%n",
                    r.services().stream().map(ServicesReport.ServiceRow::name).toList(), Units.count(r.spans()),
                    Units.count(r.joins().getOrDefault("http hops joined", 0L)),
                    Units.count(r.joins().getOrDefault("redis calls linked", 0L)), Units.count(r.joins().getOrDefault("redis calls", 0L)));
            for (var rt : r.routes()) {
                if (!rt.service().equals("gateway") || rt.route().equals("GET /health")) continue;
                System.out.printf(Locale.ROOT, "  %-16s %5d requests, p50 %s, p99 %s; the 3 slowest: %s%n", rt.route(), rt.count(),
                        Units.duration(rt.p50Ns()), Units.duration(rt.p99Ns()), top(rt.slowestParts()));
            }
            System.out.println("findings, beside what each problem cost as measured without the trace:");
            var causes = Blame.causes(f, Thresholds.DEFAULT.slowHttpNs());
            if (causes.isEmpty()) System.out.println("  none");
            for (var c : causes) {
                System.out.printf(Locale.ROOT, "  %s on %s: %d of %d slower than %s, mostly %s: %s, %.1f %% of their time%s%n",
                        c.route(), c.service(), c.slow(), c.requests(), Units.duration(Thresholds.DEFAULT.slowHttpNs()),
                        c.cause().label(), Units.duration(c.cause().ns()), 100 * c.share(), truthOf(c, problems, truth));
            }
            System.out.println("one request hop by hop: ./kvscope report " + dir + " --request ID (ids: the report's lists)");
            System.out.println("the whole report: ./kvscope report " + dir + "   (--format html -o report.html for plots)");
        } catch (IOException e) {
            throw new UserError("analysing " + dir + ": " + e.getMessage());
        }
    }

    private static String top(List<ServicesReport.Share> parts) {
        var sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, parts.size()); i++) {
            if (i > 0) sb.append(" · ");
            sb.append(parts.get(i).part()).append(String.format(Locale.ROOT, " %.0f %%", parts.get(i).percent()));
        }
        return sb.toString();
    }

    /** "  — measured: SLOWLOG 60 EVAL, 2.410 s" for the routes with a problem: what it cost, without the trace. */
    private static String truthOf(Blame.Cause c, ExampleApp.Load load, GroundTruth t) {
        if (!c.service().equals("gateway") || !load.summary().get("routes").has(c.route())) return "";
        return switch (c.route()) {
            case ExampleApp.SLOW_REDIS_ROUTE -> "  — measured: SLOWLOG " + t.evals() + " EVAL, " + Units.duration(t.evalNs());
            case ExampleApp.SLOW_SQL_ROUTE -> "  — measured: slow query log " + t.sleeps() + " SLEEP, " + Units.duration(t.sleepNs());
            case ExampleApp.BURN_ROUTE -> "  — measured: user's " + t.burns() + " burns, " + Units.duration(t.burnWallNs());
            default -> "";
        };
    }
}
