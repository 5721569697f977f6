package kvscope.statesystem.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import kvscope.statesystem.Config;
import kvscope.statesystem.FullState;
import kvscope.statesystem.History;

/**
 * One measurement, in its own JVM (bench/sht/run forks one per size and store so the peak heap is this run's):
 * {@code ShtBench sht|sqlite|sht17 CHANGES DIR RESULTS.tsv}, and {@code ShtBench table RESULTS.tsv} prints the table.
 */
public final class ShtBench {

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        if (args[0].equals("table")) {
            Table.print(Path.of(args[1]));
            return;
        }
        long changes = Long.parseLong(args[1]);
        Path dir = Path.of(args[2]);
        Path results = Path.of(args[3]);
        List<String> row = switch (args[0]) {
            case "sht" -> sht(changes, dir, new Workload(100, 25, 42), "sht");
            case "sht17" -> sht(changes, dir, new Workload(1, 4, 42), "sht17");
            case "sqlite" -> SqlitePeer.run(changes, dir, new Workload(100, 25, 42));
            default -> throw new IllegalArgumentException(args[0]);
        };
        Files.writeString(results, String.join("\t", row) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    /** Evicts a file from the OS page cache (posix_fadvise DONTNEED), so "cold" means read from disk. */
    static boolean evict(Path file) {
        try {
            var p = new ProcessBuilder("python3", "-c",
                    "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); "
                            + "os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)", file.toString())
                    .inheritIO().start();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static List<String> sht(long changes, Path dir, Workload w, String name) throws Exception {
        Path file = dir.resolve(name + "-" + changes + ".ht");
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        long intervals;
        int[] leafQuark = new int[w.leaves];
        try (var h = History.create(file, Config.DEFAULT)) {
            for (int i = 0; i < w.leaves; i++) leafQuark[i] = h.attribute(w.path(i));
            for (long i = 0; i < changes; i++) {
                w.next();
                int q = leafQuark[w.leaf];
                switch (w.field) {
                    case 0 -> h.set(w.time, q, Workload.STATUS[(int) w.value]);
                    case 1 -> h.set(w.time, q, w.value);
                    case 2 -> h.set(w.time, q, (int) w.value);
                    default -> h.set(w.time, q, Workload.TYPE[(int) w.value]);
                }
            }
            h.close(w.time + 1);
            intervals = h.intervalCount();
        }
        long buildNs = System.nanoTime() - t0;
        long buildCpu = cpu() - cpu0;
        long size = Files.size(file);
        var rnd = new SplittableRandom(7);
        var row = new ArrayList<String>();
        row.add(name);
        row.add(Long.toString(intervals));
        row.add(fmt(intervals / (buildNs / 1e9)));
        row.add(fmt((double) size / intervals));
        boolean evicted = evict(file);
        try (var h = History.open(file)) {
            long start = h.start(), end = h.end();
            int attrs = h.attributeCount();
            // cold: fresh open (empty node cache) and, if eviction worked, the file out of the page cache
            long[] cold = new long[1000];
            for (int i = 0; i < cold.length; i++) {
                long t = start + (long) (rnd.nextDouble() * (end - start));
                int q = leafQuark[rnd.nextInt(leafQuark.length)];
                long a = System.nanoTime();
                if (h.at(t, q) == null) throw new AssertionError();
                cold[i] = System.nanoTime() - a;
            }
            for (int i = 0; i < 200_000; i++) h.at(start + (long) (rnd.nextDouble() * (end - start)), leafQuark[rnd.nextInt(leafQuark.length)]);
            long[] warm = new long[100_000];
            for (int i = 0; i < warm.length; i++) {
                long t = start + (long) (rnd.nextDouble() * (end - start));
                int q = leafQuark[rnd.nextInt(leafQuark.length)];
                long a = System.nanoTime();
                if (h.at(t, q) == null) throw new AssertionError();
                warm[i] = System.nanoTime() - a;
            }
            var full = new FullState();
            for (int i = 0; i < 300; i++) h.at(start + (long) (rnd.nextDouble() * (end - start)), full);
            long[] fulls = new long[1000];
            for (int i = 0; i < fulls.length; i++) {
                long t = start + (long) (rnd.nextDouble() * (end - start));
                long a = System.nanoTime();
                h.at(t, full);
                fulls[i] = System.nanoTime() - a;
            }
            int nq = Math.min(1000, leafQuark.length);
            int[] qs = new int[nq];
            for (int i = 0; i < nq; i++) qs[i] = leafQuark[(int) ((long) i * leafQuark.length / nq)];
            long step = Math.max(1, (end - start) / 1000);
            long[] count = {0};
            long[] res = new long[10]; // the 1st cold, then the JIT settles: report the median of the last 5
            long[] resCpu = new long[10];
            for (int i = 0; i < res.length; i++) {
                count[0] = 0;
                long c = cpu();
                long a = System.nanoTime();
                h.scan(qs, start, end, step, (q, s, e, k, l, d, str) -> count[0]++);
                res[i] = System.nanoTime() - a;
                resCpu[i] = cpu() - c;
            }
            row.add(Long.toString(peakHeap()));
            row.add(fmt(Stats.pct(cold, 0.5)) + (evicted ? "" : "*"));
            row.add(fmt(Stats.pct(cold, 0.99)) + (evicted ? "" : "*"));
            row.add(fmt(Stats.pct(warm, 0.5)));
            row.add(fmt(Stats.pct(warm, 0.99)));
            row.add(fmt(Stats.pct(fulls, 0.5)));
            row.add(Integer.toString(attrs));
            row.add(fmt(res[0] / 1e6));
            long[] warmRes = java.util.Arrays.copyOfRange(res, 5, 10);
            row.add(fmt(Stats.pct(warmRes, 0.5) / 1000));
            row.add(nq + "x" + count[0]);
            row.add(fmt(intervals / (buildCpu / 1e9)));
            row.add(fmt(Stats.pct(java.util.Arrays.copyOfRange(resCpu, 5, 10), 0.5) / 1000));
        }
        Files.delete(file);
        return row;
    }

    /** CPU time of this thread: contention from other work on the shared cores does not inflate it. */
    static long cpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    static String fmt(double v) {
        return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }
}
