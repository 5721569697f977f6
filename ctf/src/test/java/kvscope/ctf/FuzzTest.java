package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutation fuzzer over real LTTng traces and writer traces (plain and packetized metadata, both byte
 * orders): bit flips, truncation at and around packet boundaries, overwritten packet sizes and sequence lengths,
 * random metadata edits. Every case must end in events or a {@link CtfException} within a time bound, under the
 * module's 256 MB heap. Seeds are fixed: a failure names the seed that reproduces it.
 */
class FuzzTest {
    static final int CASES = 10_000;
    static final long CASE_TIMEOUT_SECONDS = 10;

    @TempDir static Path dir;
    static final List<Map<String, byte[]>> bases = new ArrayList<>();
    static ExecutorService runner;

    @BeforeAll
    static void makeBaseTraces() throws Exception {
        bases.add(load(TestSupport.resource("traces/lttng-kvtest")));
        for (int seed = 100; seed < 106; seed++) {
            var g = WriterRoundTripTest.generate(dir.resolve("w" + seed), new Random(seed), true);
            bases.add(load(g.dir()));
        }
        runner = Executors.newSingleThreadExecutor(r -> {
            var t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() {
        if (runner != null) runner.shutdownNow();
    }

    /** A trace as relative path → bytes (the LTTng one is found below its session directory). */
    static Map<String, byte[]> load(Path root) throws IOException {
        var files = new LinkedHashMap<String, byte[]>();
        try (var walk = Files.walk(root)) {
            for (var p : walk.filter(Files::isRegularFile).sorted().toList()) {
                if (p.toString().contains("/index/")) continue;
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    @Test
    void tenThousandMutatedTracesEndInEventsOrATypedError() throws Exception {
        int errors = 0, clean = 0;
        var work = dir.resolve("case");
        for (int seed = 0; seed < CASES; seed++) {
            var r = new Random(seed);
            var base = bases.get(seed % bases.size());
            var files = new LinkedHashMap<String, byte[]>();
            base.forEach((k, v) -> files.put(k, v.clone()));
            var what = mutate(r, files);
            deleteTree(work);
            for (var e : files.entrySet()) {
                var p = work.resolve(e.getKey());
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
            }
            var future = runner.submit(() -> readEverything(work));
            try {
                if (future.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) errors++; else clean++;
            } catch (TimeoutException e) {
                future.cancel(true);
                throw new AssertionError("seed " + seed + " (" + what + "): no result within " + CASE_TIMEOUT_SECONDS + " s");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("seed " + seed + " (" + what + "): " + e.getCause(), e.getCause());
            }
        }
        // The mutations must actually exercise the error paths, and leave some traces readable.
        assertThat(errors).as("cases ending in CtfException").isGreaterThan(CASES / 10);
        assertThat(clean).as("cases read to the end").isGreaterThan(CASES / 20);
    }

    /** Opens and reads every field of every event; true when it ended in a CtfException. */
    static boolean readEverything(Path root) {
        var sb = new StringBuilder();
        var fmt = new EventFormat();
        try (var t = Trace.open(root)) {
            for (var e : t) {
                sb.setLength(0);
                fmt.appendJson(e, sb);
                fmt.appendText(e, sb);
            }
            t.timeRange();
            return false;
        } catch (CtfException e) {
            assertThat(e.file()).isNotNull();
            return true;
        }
    }

    private static String mutate(Random r, Map<String, byte[]> files) {
        var names = new ArrayList<>(files.keySet());
        var metadata = names.stream().filter(n -> n.endsWith("metadata")).findFirst().orElseThrow();
        var data = names.stream().filter(n -> !n.endsWith("metadata")).toList();
        var name = data.get(r.nextInt(data.size()));
        var bytes = files.get(name);
        int kind = r.nextInt(8);
        switch (kind) {
            case 0, 1 -> { // bit flips
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips && bytes.length > 0; i++) bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                return "flip " + flips + " bits in " + name;
            }
            case 2 -> { // truncate anywhere
                int at = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
                files.put(name, java.util.Arrays.copyOf(bytes, at));
                return "truncate " + name + " at " + at;
            }
            case 3 -> { // truncate at a packet boundary (or just around it)
                var starts = packetStarts(bytes);
                int at = starts.get(r.nextInt(starts.size())) + r.nextInt(5) - 2;
                at = Math.max(0, Math.min(bytes.length, at));
                files.put(name, java.util.Arrays.copyOf(bytes, at));
                return "truncate " + name + " near a packet boundary, at " + at;
            }
            case 4 -> { // overwrite a word with an extreme value (sizes, lengths, ids)
                long[] extremes = {0, 1, -1, 0xFFFFFFFFL, 1L << 32, 1L << 40, Long.MAX_VALUE, 0x80000000L, 7};
                int at = bytes.length < 8 ? 0 : r.nextInt(bytes.length - 7);
                long v = extremes[r.nextInt(extremes.length)];
                int width = r.nextBoolean() ? 4 : 8;
                for (int k = 0; k < width && at + k < bytes.length; k++) bytes[at + k] = (byte) (v >>> (8 * k));
                return "write " + v + " (" + width + " bytes) at " + at + " of " + name;
            }
            case 5 -> { // random bytes over a range
                int at = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
                int len = Math.min(bytes.length - at, 1 + r.nextInt(64));
                for (int k = 0; k < len; k++) bytes[at + k] = (byte) r.nextInt(256);
                return "scribble " + len + " bytes at " + at + " of " + name;
            }
            default -> { // metadata edits
                var md = files.get(metadata);
                boolean packetized = md.length >= 4 && (md[0] & 0xFF) == 0x57 && (md[3] & 0xFF) == 0x75;
                if (packetized || r.nextInt(4) == 0) {
                    int at = r.nextInt(md.length);
                    md[at] = (byte) r.nextInt(256);
                    return "metadata byte " + at;
                }
                var text = new String(md, StandardCharsets.UTF_8);
                String[] edits = {"align = 8", "size = 32", "signed = 1", "byte_order = le", "id = 1", ";", "{", "}",
                        "uint32_t", "struct", "variant", "enum", "_length", "[", "]", "= 0"};
                String[] replacements = {"align = 3", "size = 0", "size = 65", "signed = maybe", "byte_order = middle",
                        "id = 99999999999", "", "{{", "}", "floating_point { exp_dig = 3; mant_dig = 3; }", "struct nope",
                        "variant <nowhere>", "enum : string", "_nothing", "[4294967296]", "[-1]", "= 0x"};
                var from = edits[r.nextInt(edits.length)];
                int at = text.indexOf(from, r.nextInt(Math.max(1, text.length())));
                if (at < 0) at = text.indexOf(from);
                if (at < 0) {
                    files.put(metadata, java.util.Arrays.copyOf(md, r.nextInt(md.length)));
                    return "truncate metadata";
                }
                var to = replacements[r.nextInt(replacements.length)];
                files.put(metadata, (text.substring(0, at) + to + text.substring(at + from.length())).getBytes(StandardCharsets.UTF_8));
                return "metadata '" + from + "' -> '" + to + "' at " + at;
            }
        }
    }

    /** Packet starts of a writer or LTTng stream file (64-bit packet_size at byte 56 of each packet; stops at nonsense). */
    private static List<Integer> packetStarts(byte[] b) {
        var list = new ArrayList<Integer>();
        long off = 0;
        boolean le = b.length > 4 && (b[0] & 0xFF) == 0xC1 && (b[3] & 0xFF) == 0xC1;
        var bb = java.nio.ByteBuffer.wrap(b).order(le ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        while (off >= 0 && off + 64 <= b.length && list.size() < 10_000) {
            list.add((int) off);
            long size = bb.getLong((int) off + 56) / 8;
            if (size <= 0) break;
            off += size;
        }
        list.add(b.length);
        return list;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (var q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
