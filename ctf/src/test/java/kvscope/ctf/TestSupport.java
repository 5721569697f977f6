package kvscope.ctf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Runs babeltrace2 (through python3-bt2) and kvscope on the same traces and compares what they read. */
final class TestSupport {
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private TestSupport() {}

    static Path home() {
        return Path.of(System.getProperty("kvscope.home", ".")).toAbsolutePath();
    }

    static Path resource(String name) {
        try {
            return Path.of(TestSupport.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Debian python3 (python3-bt2 lives there, not in a pyenv one that may come first on PATH). */
    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Runs a command, returns its stdout; fails the test with stderr when it fails. */
    static String run(Path workDir, long timeoutSeconds, List<String> cmd) throws IOException, InterruptedException {
        var out = Files.createTempFile(workDir, "out", ".txt");
        var err = Files.createTempFile(workDir, "err", ".txt");
        var p = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
        }
        var stdout = Files.readString(out, StandardCharsets.UTF_8);
        var stderr = Files.readString(err, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        if (p.exitValue() != 0) throw new AssertionError("exit " + p.exitValue() + " from " + cmd + "\n" + stderr);
        return stdout;
    }

    /** What babeltrace2 reads, one canonical record per event or discarded-events message. */
    static List<Map<String, Object>> babeltrace(Path workDir, List<Path> traces) throws IOException, InterruptedException {
        var cmd = new ArrayList<String>(List.of(python(), resource("bt2_jsonl.py").toString()));
        for (var t : traces) cmd.add(t.toString());
        var text = run(workDir, 300, cmd);
        var list = new ArrayList<Map<String, Object>>();
        for (var line : text.split("\n")) if (!line.isBlank()) list.add(canonical(JSON.readTree(line)));
        return list;
    }

    /** What kvscope reads, in the same canonical form (lost records carry their start, like the bt2 script's). */
    static List<Map<String, Object>> kvscope(List<Path> traces) throws IOException {
        var list = new ArrayList<Map<String, Object>>();
        try (var t = Trace.open(traces)) {
            var fmt = new EventFormat();
            var sb = new StringBuilder();
            for (var e : t) {
                sb.setLength(0);
                fmt.appendJson(e, sb);
                var m = canonical(JSON.readTree(sb.toString()));
                if (e.isLost()) m.put("start", BigInteger.valueOf(e.lostStart()));
                list.add(m);
            }
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> canonical(JsonNode n) {
        return (Map<String, Object>) value(n);
    }

    private static Object value(JsonNode n) {
        if (n.isObject()) {
            var m = new LinkedHashMap<String, Object>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            var l = new ArrayList<>();
            n.forEach(x -> l.add(value(x)));
            return l;
        }
        if (n.isIntegralNumber()) return n.bigIntegerValue();
        if (n.isNumber()) return n.doubleValue();
        if (n.isNull()) return null;
        if (n.isBoolean()) return n.booleanValue();
        return n.textValue();
    }

    /**
     * Asserts both readers saw the same events in the same order. Events with equal timestamps on different
     * streams may come in either order (the two merges break ties differently), so runs of equal timestamps are
     * compared as multisets; lost-event records are compared as a multiset (count and time range).
     */
    static void assertSameEvents(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
        var expEvents = expected.stream().filter(m -> !m.containsKey("lost")).toList();
        var actEvents = actual.stream().filter(m -> !m.containsKey("lost")).toList();
        var expLost = expected.stream().filter(m -> m.containsKey("lost")).toList();
        // babeltrace2 reports no count for losses in a stream's first packet (it has no previous counter to
        // subtract); kvscope reports the counter itself (tracers start it at 0). Compare those by time range only.
        var unknown = new java.util.HashSet<Object>();
        for (var m : expLost) if (m.get("lost") == null) unknown.add(List.of(m.get("ts"), m.get("start")));
        var actLost = actual.stream().filter(m -> m.containsKey("lost")).map(m -> {
            if (!unknown.contains(List.of(m.get("ts"), m.get("start")))) return m;
            var copy = new LinkedHashMap<>(m);
            copy.put("lost", null);
            return (Map<String, Object>) copy;
        }).toList();
        assertThat(actEvents).as("number of events").hasSize(expEvents.size());
        int i = 0;
        while (i < expEvents.size()) {
            var ts = expEvents.get(i).get("ts");
            int j = i;
            while (j < expEvents.size() && expEvents.get(j).get("ts").equals(ts)) j++;
            var exp = expEvents.subList(i, j);
            var act = actEvents.subList(i, j);
            if (j - i == 1) {
                assertThat(act.get(0)).as("event #%d", i).isEqualTo(exp.get(0));
            } else {
                assertThat(act).as("events #%d..#%d (same timestamp)", i, j - 1).containsExactlyInAnyOrderElementsOf(exp);
            }
            i = j;
        }
        assertThat(actLost).as("lost-event records").containsExactlyInAnyOrderElementsOf(expLost);
        // And the lost records sit at the same place relative to the events: count events before each.
        var actualWithUnknown = new ArrayList<Map<String, Object>>();
        int k = 0;
        for (var m : actual) actualWithUnknown.add(m.containsKey("lost") ? actLost.get(k++) : m);
        assertThat(positions(actualWithUnknown)).as("events before each lost record").isEqualTo(positions(expected));
    }

    private static Map<Object, Integer> positions(List<Map<String, Object>> all) {
        var m = new HashMap<Object, Integer>();
        int events = 0;
        for (var r : all) {
            if (r.containsKey("lost")) m.merge(java.util.Arrays.asList(r.get("ts"), r.get("start"), r.get("lost")), events, Math::min);
            else events++;
        }
        return m;
    }
}
