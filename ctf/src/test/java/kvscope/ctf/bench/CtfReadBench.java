package kvscope.ctf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import kvscope.ctf.Field;
import kvscope.ctf.Trace;
import kvscope.ctf.write.CtfWriter;
import kvscope.ctf.write.FieldSpec;
import kvscope.ctf.write.FieldType;

/**
 * bench/ctf-read: writes a Redis-shaped trace (the instrumented Redis's event names and field types, LTTng's
 * vpid/vtid/procname contexts, 4 CPUs) with {@link CtfWriter}, then reads it with kvscope (every field of every
 * event; and, as analyses do, the type, time and two fields of every event), {@code babeltrace2 -o dummy}, and a
 * python3-bt2 loop (on a prefix, it is slow), and prints a table with the machine's load average.
 */
public final class CtfReadBench {

    public static void main(String[] args) throws Exception {
        long events = 10_000_000;
        int runs = 3;
        long pyEvents = 300_000;
        Path keep = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--python-events" -> pyEvents = Long.parseLong(args[++i]);
                case "--dir" -> keep = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("usage: [--events N] [--runs N] [--python-events N] [--dir DIR]");
            }
        }
        var dir = keep != null ? keep : Files.createTempDirectory("kvscope-ctf-bench");
        try {
            var big = dir.resolve("redis-" + events);
            var small = dir.resolve("redis-" + pyEvents);
            long t0 = System.nanoTime();
            // The checksums of what was written sit beside the trace (not in it: every other file there is a stream).
            var sums = dir.resolve("redis-" + events + ".checksums");
            if (!Files.exists(big.resolve("metadata")) || !Files.exists(sums)) {
                if (Files.exists(big)) delete(big);
                var c = generate(big, events, 42);
                Files.writeString(sums, c[0] + " " + c[1] + "\n");
            }
            if (!Files.exists(small.resolve("metadata"))) generate(small, pyEvents, 42);
            var expected = Files.readString(sums).trim().split(" ");
            long expectedAll = Long.parseLong(expected[0]), expectedTwo = Long.parseLong(expected[1]);
            System.out.printf("trace: %,d events, %,d bytes in %s (written in %.1f s)%n", events, size(big), big,
                    (System.nanoTime() - t0) / 1e9);
            System.out.printf("machine: %d cores shared with other builds; load average %s at the start; medians of %d runs%n%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage(), runs);

            // Wall time is what a user waits; CPU time (user + system) is steadier on a shared, busy machine.
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            var out = new long[2];
            readAll(big, out); // one warm-up pass (JIT)
            var kv = new double[runs];
            var kvCpu = new double[runs];
            for (int r = 0; r < runs; r++) {
                long s = System.nanoTime(), c = os.getProcessCpuTime();
                readAll(big, out);
                kv[r] = (System.nanoTime() - s) / 1e9;
                kvCpu[r] = (os.getProcessCpuTime() - c) / 1e9;
                check("every field", out, events, expectedAll);
            }
            long sumAll = out[1];
            var few = new double[runs];
            var fewCpu = new double[runs];
            for (int r = 0; r < runs; r++) {
                long s = System.nanoTime(), c = os.getProcessCpuTime();
                readTwoFields(big, out);
                few[r] = (System.nanoTime() - s) / 1e9;
                fewCpu[r] = (os.getProcessCpuTime() - c) / 1e9;
                check("two fields", out, events, expectedTwo);
            }
            var bt = new double[runs];
            var btCpu = new double[runs];
            for (int r = 0; r < runs; r++) {
                var t = time(dir, List.of("babeltrace2", big.toString(), "-o", "dummy"));
                bt[r] = t[0];
                btCpu[r] = t[1];
            }
            var py = new double[runs];
            var pyCpu = new double[runs];
            var script = Path.of(System.getProperty("kvscope.home", ".")).resolve("bench/ctf-read/bt2_loop.py");
            for (int r = 0; r < runs; r++) {
                var t = time(dir, List.of(python(), script.toString(), small.toString()));
                py[r] = t[0];
                pyCpu[r] = t[1];
            }
            double mb = size(big) / 1e6, mbSmall = size(small) / 1e6;
            var rows = new ArrayList<String[]>();
            rows.add(row("kvscope (Java, 1 thread, every field)", events, median(kv), median(kvCpu), mb));
            rows.add(row("kvscope (type, time and 2 fields: an analysis)", events, median(few), median(fewCpu), mb));
            rows.add(row("babeltrace2 -o dummy", events, median(bt), median(btCpu), mb));
            rows.add(row("python3-bt2 loop (" + pyEvents / 1000 + "k-event prefix)", pyEvents, median(py), median(pyCpu), mbSmall));
            System.out.printf("%-48s %11s %12s %9s %9s %12s%n", "reader", "events", "events/s", "MB/s", "wall s", "CPU events/s");
            for (var row : rows) System.out.printf("%-48s %11s %12s %9s %9s %12s%n", (Object[]) row);
            System.out.printf("%nkvscope / babeltrace2: %.1fx events/s (wall), %.1fx (CPU time)%n",
                    median(bt) / median(kv), median(btCpu) / median(kvCpu));
            System.out.printf("runs (wall s): kvscope %s, babeltrace2 %s, python %s%n", fmt(kv), fmt(bt), fmt(py));
            System.out.printf("kvscope checksum of every value read (timestamps, cpus, integers, string lengths): %d,"
                    + " equal to the writer's%n", sumAll);
            System.out.printf("load average at the end: %s%n", loadAverage());
        } finally {
            if (keep == null) delete(dir);
        }
    }

    private static String[] row(String name, long events, double seconds, double cpuSeconds, double mb) {
        return new String[] {name, String.format("%,d", events), String.format("%,.0f", events / seconds),
                String.format("%.1f", mb / seconds), String.format("%.2f", seconds),
                cpuSeconds > 0 ? String.format("%,.0f", events / cpuSeconds) : "n/a"};
    }

    private static String fmt(double[] a) {
        var sb = new StringBuilder();
        for (double d : a) sb.append(sb.length() > 0 ? "/" : "").append(String.format("%.2f", d));
        return sb.toString();
    }

    private static double median(double[] a) {
        var c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Runs a command: {wall seconds, CPU seconds (user + system, via /usr/bin/time; 0 when unavailable)}. */
    private static double[] time(Path dir, List<String> cmd) throws IOException, InterruptedException {
        var timeBin = Path.of("/usr/bin/time");
        var cpuFile = dir.resolve("cpu.txt");
        var full = new ArrayList<String>();
        if (Files.isExecutable(timeBin)) full.addAll(List.of(timeBin.toString(), "-f", "%U %S", "-o", cpuFile.toString()));
        full.addAll(cmd);
        long s = System.nanoTime();
        var p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        if (p.exitValue() != 0) throw new IllegalStateException("failed (" + p.exitValue() + "): " + cmd);
        double wall = (System.nanoTime() - s) / 1e9;
        double cpu = 0;
        if (Files.exists(cpuFile)) {
            var parts = Files.readString(cpuFile).trim().split("\\s+");
            cpu = Double.parseDouble(parts[parts.length - 2]) + Double.parseDouble(parts[parts.length - 1]);
            Files.delete(cpuFile);
        }
        return new double[] {wall, cpu};
    }

    /** The 1, 5 and 15 minute load averages (other builds share the machine), or "n/a". */
    private static String loadAverage() {
        try {
            var parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Fails unless a pass read every event and its checksum is the one of the values written. */
    private static void check(String pass, long[] out, long events, long expected) {
        if (out[0] != events) throw new IllegalStateException("kvscope (" + pass + ") read " + out[0] + " events, expected " + events);
        if (out[1] != expected)
            throw new IllegalStateException("kvscope (" + pass + ") checksum " + out[1] + ", the writer's is " + expected);
    }

    /**
     * What an analysis typically reads: the event type, its timestamp and two payload integers (fd, id). Leaves the
     * number of events and the sum of the values read in {@code out}.
     */
    static void readTwoFields(Path dir, long[] out) {
        long n = 0, sum = 0;
        try (var t = Trace.open(dir)) {
            var fd = new Field[t.eventTypes().size()];
            var id = new Field[fd.length];
            for (var type : t.eventTypes()) {
                fd[type.index()] = type.field("fd");
                id[type.index()] = type.field("id");
            }
            for (var e : t) {
                n++;
                int k = e.type().index();
                sum += e.timestamp() + e.getLong(fd[k]) + e.getLong(id[k]);
            }
        }
        out[0] = n;
        out[1] = sum;
    }

    /**
     * Reads every event and every field: the number of events and the sum of every value (timestamps, cpus, integers,
     * string lengths) go to {@code out}, checked against the writer's.
     */
    static void readAll(Path dir, long[] out) {
        long n = 0, sum = 0;
        try (var t = Trace.open(dir)) {
            var types = t.eventTypes();
            var ints = new Field[types.size()][];
            var strs = new Field[types.size()][];
            for (var type : types) {
                var i = new ArrayList<Field>();
                var s = new ArrayList<Field>();
                for (var name : type.allFieldNames()) {
                    if (name.equals("procname") || name.equals("name") || name.equals("key")) s.add(type.field(name));
                    else i.add(type.field(name));
                }
                ints[type.index()] = i.toArray(new Field[0]);
                strs[type.index()] = s.toArray(new Field[0]);
            }
            for (var e : t) {
                n++;
                sum += e.timestamp() + e.cpu();
                int k = e.type().index();
                for (var f : ints[k]) sum += e.getLong(f);
                for (var f : strs[k]) sum += e.getString(f).length();
            }
        }
        out[0] = n;
        out[1] = sum;
    }

    /**
     * A trace shaped like the instrumented Redis's: request life cycles on 4 CPUs with LTTng's contexts. Returns the
     * checksums of what it wrote, as {@link #readAll} and {@link #readTwoFields} compute them.
     */
    static long[] generate(Path dir, long events, long seed) {
        var b = CtfWriter.builder(dir).env("hostname", "bench-node").env("domain", "ust").env("tracer_name", "lttng-ust")
                .packetBytes(512 * 1024, 512 * 1024).clockOffsetSeconds(1_700_000_000L)
                .context(FieldSpec.of("vpid", FieldType.s32()), FieldSpec.of("vtid", FieldType.s32()),
                        FieldSpec.of("procname", FieldType.textArray(17)));
        var readStart = b.event("redis:read_client_query_start", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()));
        var readEnd = b.event("redis:end_read_client_query", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()),
                FieldSpec.of("start_ns", FieldType.u64()), FieldSpec.of("readlen", FieldType.u64()),
                FieldSpec.of("nread", FieldType.s64()), FieldSpec.of("qbuf_len", FieldType.u64()));
        var cmdStart = b.event("redis:call_command_start", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()),
                FieldSpec.of("name", FieldType.string()), FieldSpec.of("argc", FieldType.s32()), FieldSpec.of("depth", FieldType.s32()));
        var cmdEnd = b.event("redis:call_command_end", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()),
                FieldSpec.of("name", FieldType.string()), FieldSpec.of("duration_ns", FieldType.u64()), FieldSpec.of("dirty", FieldType.s64()));
        var write = b.event("redis:write_to_client", FieldSpec.of("fd", FieldType.s32()), FieldSpec.of("id", FieldType.u64()),
                FieldSpec.of("nwritten", FieldType.s64()), FieldSpec.of("bufpos", FieldType.u64()));
        var commands = new byte[][] {"GET".getBytes(StandardCharsets.UTF_8), "SET".getBytes(StandardCharsets.UTF_8),
                "HSET".getBytes(StandardCharsets.UTF_8), "LPUSH".getBytes(StandardCharsets.UTF_8), "INCR".getBytes(StandardCharsets.UTF_8)};
        var procname = "redis-server".getBytes(StandardCharsets.UTF_8);
        var r = new Random(seed);
        long ts = 1_700_000_000L * 1_000_000_000L + 1_000_000L;
        long all = 0, two = 0;
        try (var w = b.open()) {
            var streams = new kvscope.ctf.write.StreamWriter[4];
            for (int c = 0; c < 4; c++) streams[c] = w.stream(c);
            long written = 0;
            long id = 1;
            while (written < events) {
                int cpu = r.nextInt(4);
                var s = streams[cpu];
                int fd = 8 + r.nextInt(200);
                int tid = 1000 + cpu;
                var cmd = commands[r.nextInt(commands.length)];
                // one request: read start, read end, command start, command end, write (5 events), fewer at the end
                for (int k = 0; k < 5 && written < events; k++, written++) {
                    ts += 50 + r.nextInt(400);
                    s.begin(k == 0 ? readStart : k == 1 ? readEnd : k == 2 ? cmdStart : k == 3 ? cmdEnd : write, ts)
                            .putLong(4242).putLong(tid).putString(procname).putLong(fd).putLong(id);
                    long[] more = switch (k) {
                        case 1 -> new long[] {ts - 300, 16 * 1024, 30 + r.nextInt(100), 64};
                        case 2 -> new long[] {2 + r.nextInt(3), 1};
                        case 3 -> new long[] {1000 + r.nextInt(5000), r.nextInt(2)};
                        case 4 -> new long[] {5 + r.nextInt(200), 0};
                        default -> new long[0];
                    };
                    if (k == 2 || k == 3) s.putString(cmd);
                    for (long x : more) s.putLong(x);
                    s.end();
                    all += ts + cpu + 4242 + tid + procname.length + fd + id + (k == 2 || k == 3 ? cmd.length : 0);
                    for (long x : more) all += x;
                    two += ts + fd + id;
                }
                id++;
            }
        }
        return new long[] {all, two};
    }

    private static long size(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("metadata")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (var p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private CtfReadBench() {}
}
