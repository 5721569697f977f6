package kvscope.analysis.sync;

import kvscope.analysis.Analysis;
import kvscope.fixtures.SkewedCluster;
import kvscope.fixtures.SyntheticRedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * bench/multihost: an experiment of H hosts, each with a synthetic Redis load of N events and a cluster link to the
 * next host whose clock is skewed (SkewedCluster). Measured, each in a fresh JVM (wall, CPU, peak RSS): the
 * synchronisation pass alone ({@link Clocks#estimate}), the whole experiment's analysis in one go (which includes
 * it), each host's own analysis (its model and pairs.bin, as on that host), and the aggregator's combination of those
 * models (docs/combine.md); and the bytes each route moves to the aggregator. Medians of RUNS runs, alternating. (The load traces keep true time; only the
 * bus traces are skewed: the costs, not the estimate, are measured here — ClockSyncTest checks the estimate.)
 */
public final class MultihostBench {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("services")) {
            ServicesMultihostBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Arrays.stream(args[2].split(";")).map(Path::of).toList(), Path.of(args[3]));
            return;
        }
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        long perHost = (long) ((args.length > 1 ? Double.parseDouble(args[1]) : 2) * 1e6);
        int runs = Integer.parseInt(System.getenv().getOrDefault("RUNS", "3"));
        var work = Files.createTempDirectory("kvscope-bench-multihost");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(work)));
        var exp = work.resolve("experiment");
        var list = new ArrayList<SkewedCluster.Host>();
        var links = new ArrayList<SkewedCluster.Link>();
        for (int h = 0; h < hosts; h++) {
            var name = "host-" + (char) ('a' + h);
            list.add(new SkewedCluster.Host(name, h * 1_300_000L, h * 20e-6));
            if (h > 0) links.add(new SkewedCluster.Link(h - 1, h, false));
            System.err.printf(Locale.ROOT, "generating %s: %,d events…%n", name, perHost);
            SyntheticRedis.generate(exp.resolve(name + "-load"), perHost, 50, 42 + h, name);
        }
        SkewedCluster.write(exp.resolve("bus"), list, links, 1);
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        // Jobs: {label, where, kind, trace(s) separated by ';', cache}. Each host's model is built from its own traces
        // (its bus trace and its load), as `kvscope analyze` on that host would; the combine reads those models.
        var modelsDir = work.resolve("models");
        var jobs = new ArrayList<String[]>();
        jobs.add(new String[] {"sync pass alone", "aggregator", "sync", exp.toString(), work.resolve("cache-sync").toString()});
        jobs.add(new String[] {"whole experiment, one go", "aggregator", "analyze", exp.toString(), work.resolve("cache-one").toString()});
        for (var h : list) {
            jobs.add(new String[] {"per host: " + h.name() + " (" + perHost / 1_000_000 + "M events)", "host", "analyze",
                    exp.resolve("bus").resolve(h.name()) + ";" + exp.resolve(h.name() + "-load"),
                    modelsDir.resolve(h.name()).toString()});
        }
        jobs.add(new String[] {"combine " + hosts + " host models", "aggregator", "analyze", modelsDir.toString(),
                work.resolve("cache-combined").toString()});
        int n = jobs.size();
        double[][] wall = new double[n][runs], cpu = new double[n][runs];
        double[] peak = new double[n], model = new double[n];
        for (int r = 0; r < runs; r++) {
            for (int j = 0; j < n; j++) {
                var job = jobs.get(j);
                System.err.printf(Locale.ROOT, "%s (run %d/%d)…%n", job[0], r + 1, runs);
                var m = runChild(job[2], job[3], Path.of(job[4]));
                wall[j][r] = m[0];
                cpu[j][r] = m[1];
                model[j] = m[2];
                peak[j] = Math.max(peak[j], m[3]);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "bench/multihost — %d hosts × %,d events (+ cluster-bus links between neighbours, skewed clocks); medians of %d runs%n",
                hosts, perHost, runs);
        System.out.printf("%-34s %-10s %9s %9s %10s %10s%n", "job", "where", "wall", "CPU", "peak RSS", "model");
        double hostWallMax = 0, hostCpuSum = 0, hostPeakMax = 0;
        for (int j = 0; j < n; j++) {
            var job = jobs.get(j);
            System.out.printf(Locale.ROOT, "%-34s %-10s %8.2fs %8.2fs %7.0f MB %7.1f MB%n", job[0], job[1], median(wall[j]),
                    median(cpu[j]), peak[j] / 1e6, model[j] / 1e6);
            if (job[1].equals("host")) {
                hostWallMax = Math.max(hostWallMax, median(wall[j]));
                hostCpuSum += median(cpu[j]);
                hostPeakMax = Math.max(hostPeakMax, peak[j]);
            }
        }
        int comb = n - 1, one = 1;
        System.out.printf(Locale.ROOT, "per host, in parallel on their own machines (on paper: the slowest host, measured alone): wall %.2fs; CPU summed over hosts %.2fs; peak RSS %.0f MB%n",
                hostWallMax, hostCpuSum, hostPeakMax / 1e6);
        System.out.printf(Locale.ROOT, "per-host route: wall %.2fs (slowest host + combine) vs one go %.2fs; aggregator CPU %.2fs vs %.2fs%n",
                hostWallMax + median(wall[comb]), median(wall[one]), median(cpu[comb]), median(cpu[one]));
        long raw = size(exp), moved = size(modelsDir), pairs = 0;
        for (var h : list) pairs += Files.size(modelsDir.resolve(h.name()).resolve(Analysis.PAIRS));
        System.out.printf(Locale.ROOT, "bytes to the aggregator: raw traces %.1f MB (one go) vs host models %.1f MB (of which pairs.bin %.2f MB) = %.2f × the traces%n",
                raw / 1e6, moved / 1e6, pairs / 1e6, (double) moved / raw);
        System.out.println("model = model.ht + segments.bin + flows.bin + services.bin (+ pairs.bin, repl.bin for a host). CPU = the child JVM's process CPU time;"
                + " peak RSS = the child's VmHWM.");
    }

    /** Runs one job in a fresh JVM: {wall s, CPU s, model bytes, peak RSS bytes, second pass s (0: none)}. */
    static double[] runChild(String job, String trace, Path cache) throws IOException, InterruptedException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                MultihostBench.class.getName(), "--child", job, trace, cache.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        var p = pb.start();
        long peak = 0;
        while (!p.waitFor(50, TimeUnit.MILLISECONDS)) peak = Math.max(peak, rss(p.pid()));
        var out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        if (p.exitValue() != 0 || out.length < 3) throw new IOException("child failed: " + String.join(" ", out));
        return new double[] {Double.parseDouble(out[0]), Double.parseDouble(out[1]), Double.parseDouble(out[2]), peak,
                Double.parseDouble(out[3])};
    }

    private static void child(String job, List<Path> traces, Path cache) throws IOException {
        long t0 = System.nanoTime();
        long model = 0;
        // When a second pass starts (the services' pairs moved a clock: "analyzing again", "combining again").
        long[] again = {0};
        var progress = new Analysis.Progress() {
            @Override public void update(long events, long bytesRead, long totalBytes, long elapsedNs) { }

            @Override public void stage(String what) {
                if (what.contains("again")) again[0] = System.nanoTime();
            }
        };
        if (job.equals("sync")) {
            var c = Clocks.estimate(traces);
            if (c.hosts().isEmpty()) throw new IllegalStateException("no hosts synchronised");
        } else {
            try (var stored = Analysis.analyze(traces, Analysis.Options.defaults().withCache(cache).withForce(true).withProgress(progress))) {
                for (var f : new String[] {Analysis.MODEL, Analysis.SEGMENTS, Analysis.FLOWS, Analysis.SERVICES, Analysis.PAIRS,
                        Analysis.REPLICATION}) {
                    if (Files.exists(cache.resolve(f))) model += Files.size(cache.resolve(f));
                }
            }
        }
        long end = System.nanoTime();
        double wall = (end - t0) / 1e9;
        double cpu = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        System.out.println(wall + " " + cpu + " " + model + " " + (again[0] == 0 ? 0 : (end - again[0]) / 1e9));
    }

    private static long rss(long pid) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException ignored) {
            // the process ended between two samples
        }
        return 0;
    }

    static double median(double[] v) {
        var s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static long size(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
