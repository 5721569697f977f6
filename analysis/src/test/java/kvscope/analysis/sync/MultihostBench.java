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
 * it), and one host's analysis alone. Medians of RUNS runs, alternating. (The load traces keep true time; only the
 * bus traces are skewed: the costs, not the estimate, are measured here — ClockSyncTest checks the estimate.)
 */
public final class MultihostBench {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Path.of(args[2]), Path.of(args[3]));
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
        String[][] jobs = {{"sync pass alone (aggregator)", "sync", exp.toString()},
                {"whole experiment, one go (aggregator)", "analyze", exp.toString()},
                {"one host alone (" + perHost / 1_000_000 + "M events)", "analyze", exp.resolve("host-a-load").toString()}};
        double[][] wall = new double[jobs.length][runs], cpu = new double[jobs.length][runs];
        double[] peak = new double[jobs.length], model = new double[jobs.length];
        for (int r = 0; r < runs; r++) {
            for (int j = 0; j < jobs.length; j++) {
                System.err.printf(Locale.ROOT, "%s (run %d/%d)…%n", jobs[j][0], r + 1, runs);
                var m = runChild(jobs[j][1], Path.of(jobs[j][2]), work.resolve("cache-" + j));
                wall[j][r] = m[0];
                cpu[j][r] = m[1];
                model[j] = m[2];
                peak[j] = Math.max(peak[j], m[3]);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "bench/multihost — %d hosts × %,d events (+ cluster-bus links between neighbours, skewed clocks); medians of %d runs%n",
                hosts, perHost, runs);
        System.out.printf("%-42s %9s %9s %10s %10s%n", "job", "wall", "CPU", "peak RSS", "model");
        for (int j = 0; j < jobs.length; j++) {
            System.out.printf(Locale.ROOT, "%-42s %8.2fs %8.2fs %7.0f MB %7.1f MB%n", jobs[j][0], median(wall[j]), median(cpu[j]),
                    peak[j] / 1e6, model[j] / 1e6);
        }
        System.out.printf(Locale.ROOT, "trace size: experiment %.0f MB, one host %.0f MB%n", size(exp) / 1e6, size(exp.resolve("host-a-load")) / 1e6);
        System.out.println("model = model.ht + segments.bin + flows.bin. CPU = the child JVM's process CPU time.");
    }

    private static double[] runChild(String job, Path trace, Path cache) throws IOException, InterruptedException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                MultihostBench.class.getName(), "--child", job, trace.toString(), cache.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        var p = pb.start();
        long peak = 0;
        while (!p.waitFor(50, TimeUnit.MILLISECONDS)) peak = Math.max(peak, rss(p.pid()));
        var out = new String(p.getInputStream().readAllBytes()).trim().split(" ");
        if (p.exitValue() != 0 || out.length < 3) throw new IOException("child failed: " + String.join(" ", out));
        return new double[] {Double.parseDouble(out[0]), Double.parseDouble(out[1]), Double.parseDouble(out[2]), peak};
    }

    private static void child(String job, Path trace, Path cache) throws IOException {
        long t0 = System.nanoTime();
        long model = 0;
        if (job.equals("sync")) {
            var c = Clocks.estimate(List.of(trace));
            if (c.hosts().isEmpty()) throw new IllegalStateException("no hosts synchronised");
        } else {
            try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(cache).withForce(true))) {
                for (var f : new String[] {Analysis.MODEL, Analysis.SEGMENTS, Analysis.FLOWS}) model += Files.size(cache.resolve(f));
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
        System.out.println(wall + " " + cpu + " " + model);
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

    private static double median(double[] v) {
        var s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long size(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}
