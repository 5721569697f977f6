package kvscope.analysis.sync;

import kvscope.analysis.Analysis;
import kvscope.fixtures.RedisTraceWriter;
import kvscope.fixtures.ServicesTraceWriter;
import kvscope.fixtures.ServicesTraceWriter.Conn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * bench/multihost services: what the services cost across hosts (issue #16 §3). Two hosts: host-r a Redis (full
 * profile) answering host-s's service, whose clock is 0.8 ms ahead and which has no other link to host-r — so the
 * bus gives no clock, the services' pairs do, and the one-go analysis (and the combine) runs a second pass on the
 * moved clocks. Measured, each in a fresh JVM: the one go with its second pass timed apart from the first (the
 * synchronisation read and the first pass), each host's own model and its pairs.bin (services included), and the
 * combination of the two (with its second build). Medians of RUNS runs; the load average before and after.
 */
final class ServicesMultihostBench {
    /**
     * Less than the services linker's slack (RedisLinks.SLACK_NS, 1 ms): with more, its first pass on the unsynchronised
     * clocks aligns a pooled connection's calls with requests begun later (leadingSkip finds them "inside" within the
     * slack), in one go and in the combine alike, and the estimate is off — a limit of the linker, not measured here.
     */
    static final long SKEW_NS = 800_000;

    private ServicesMultihostBench() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        var work = Files.createTempDirectory("kvscope-bench-multihost-services");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> MultihostBench.deleteTree(work)));
        var exp = work.resolve("experiment");
        System.err.printf(Locale.ROOT, "generating %,d calls…%n", calls);
        write(exp, calls);
        var models = work.resolve("models");
        var jobs = new ArrayList<String[]>();
        jobs.add(new String[] {"whole experiment, one go", "aggregator", exp.toString(), work.resolve("cache-one").toString()});
        for (var h : List.of("host-r", "host-s")) {
            jobs.add(new String[] {"per host: " + h, "host", exp.resolve(h).toString(), models.resolve(h).toString()});
        }
        jobs.add(new String[] {"combine 2 host models", "aggregator", models.toString(), work.resolve("cache-combined").toString()});
        var loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        int n = jobs.size();
        double[][] wall = new double[n][runs], cpu = new double[n][runs], second = new double[n][runs];
        double[] peak = new double[n], model = new double[n];
        for (int r = 0; r < runs; r++) {
            for (int j = 0; j < n; j++) {
                var job = jobs.get(j);
                System.err.printf(Locale.ROOT, "%s (run %d/%d)…%n", job[0], r + 1, runs);
                var m = MultihostBench.runChild("analyze", job[2], Path.of(job[3]));
                wall[j][r] = m[0];
                cpu[j][r] = m[1];
                model[j] = m[2];
                peak[j] = Math.max(peak[j], m[3]);
                second[j][r] = m[4];
            }
        }
        var loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.println();
        System.out.printf(Locale.ROOT, "bench/multihost services — host-r (Redis) + host-s (a service, clock %.1f ms off, no bus): %,d calls "
                + "(+ an HTTP request each); medians of %d runs; load average %s → %s%n", SKEW_NS / 1e6, calls, runs, loadBefore, loadAfter);
        System.out.printf("%-28s %-10s %9s %11s %11s %9s %10s %10s%n", "job", "where", "wall", "1st part", "2nd pass", "CPU",
                "peak RSS", "output");
        for (int j = 0; j < n; j++) {
            var job = jobs.get(j);
            double w = MultihostBench.median(wall[j]), s = MultihostBench.median(second[j]);
            System.out.printf(Locale.ROOT, "%-28s %-10s %8.2fs %10s %10s %8.2fs %7.0f MB %7.1f MB%n", job[0], job[1], w,
                    s > 0 ? String.format(Locale.ROOT, "%.2fs", w - s) : "—", s > 0 ? String.format(Locale.ROOT, "%.2fs", s) : "—",
                    MultihostBench.median(cpu[j]), peak[j] / 1e6, model[j] / 1e6);
        }
        for (var h : List.of("host-r", "host-s")) {
            var dir = models.resolve(h);
            System.out.printf(Locale.ROOT, "%s: pairs.bin %.2f MB (services.bin %.2f MB), trace %.1f MB%n", h,
                    Files.size(dir.resolve(Analysis.PAIRS)) / 1e6, Files.size(dir.resolve(Analysis.SERVICES)) / 1e6,
                    MultihostBench.size(exp.resolve(h)) / 1e6);
        }
        var clocks = Clocks.read(work.resolve("cache-combined").resolve(Clocks.FILE));
        for (var h : clocks.hosts()) System.out.println("combined clock: " + h);
        System.out.println("1st part = the synchronisation read and the first pass (or build); 2nd pass = the one on the clocks the "
                + "services' pairs moved. output = model.ht + segments.bin + flows.bin + services.bin (+ pairs.bin for a host).");
    }

    /** The two hosts' traces: each call's times on the true clock, host-s's written SKEW_NS off. */
    static void write(Path exp, int calls) {
        long t0 = RedisTraceWriter.T0 + 10_000_000;
        int conns = 8;
        var conn = new Conn[conns];
        for (int k = 0; k < conns; k++) conn[k] = new Conn("10.0.0.2", 40_000 + k, "10.0.0.1", 6379);
        try (var r = new ServicesTraceWriter(exp.resolve("host-r"), "host-r", 100)) {
            r.serverInfo(t0 - 5_000_000, 6379);
            for (int k = 0; k < conns; k++) r.accept(t0 - 4_000_000 + k, 10 + k, k + 1, conn[k]);
            for (int i = 0; i < calls; i++) {
                long t = t0 + i * 20_000L;
                int k = i % conns;
                r.request(10 + k, k + 1, "get", t + 2_000, t + 3_000, t + 4_000, t + 5_000, t + 6_000, t + 7_000, t + 8_000, t + 9_000);
            }
        }
        try (var s = new ServicesTraceWriter(exp.resolve("host-s"), "host-s", 900)) {
            for (int i = 0; i < calls; i++) {
                long t = t0 + i * 20_000L + SKEW_NS;
                int k = i % conns;
                long span = i + 1;
                s.receive(t - 2_000, 300, "api", span, "GET", "/items/:id", new Conn("10.0.0.3", 50_000 + i % 10_000, "10.0.0.2", 8080));
                s.redisSend(t, 300, "api", span, conn[k], "get", 1);
                s.redisReply(t + 11_000, 300, "api", conn[k], 1);
                s.respond(t + 13_000, 300, "api", span, 200, "/items/:id");
            }
        }
    }
}
