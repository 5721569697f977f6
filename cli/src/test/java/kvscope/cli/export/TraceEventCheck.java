package kvscope.cli.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a Chrome trace-event JSON file against the rules of the Trace Event Format (the format's specification,
 * "Trace Event Format", Google, as implemented by catapult and Perfetto's JSON importer): the phases used are known,
 * times are numbers in µs, complete slices ("X") on one thread track nest (a slice lies inside the one it starts in),
 * nestable async events ("b"/"e") of one id close in reverse order of opening, each flow id has one start ("s") and one
 * end ("f") and both lie inside a slice of their track, counters carry numbers. Perfetto's own trace processor is not
 * installable here (no package, no network build), so this is our reading of its rules, not its code.
 */
final class TraceEventCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PHASES = Set.of("X", "b", "e", "s", "f", "M", "C");

    /** Slices per category ("X"), async slices per category (each b/e pair), flows, counter samples, process names. */
    record Stats(Map<String, Long> slices, Map<String, Long> async, long flows, long counters,
                 Map<Integer, String> processes, List<JsonNode> events) {}

    private record Slice(BigDecimal start, BigDecimal end) {}

    private TraceEventCheck() {}

    static Stats read(Path file) throws IOException {
        var root = JSON.readTree(Files.newBufferedReader(file));
        var events = root.isArray() ? root : root.get("traceEvents");
        check(events != null && events.isArray(), "no traceEvents array");
        var slices = new HashMap<String, List<Slice>>();
        var sliceCount = new TreeMap<String, Long>();
        var async = new HashMap<String, List<JsonNode>>();
        var flowStart = new HashMap<String, JsonNode>();
        var flowEnd = new HashMap<String, JsonNode>();
        var processes = new TreeMap<Integer, String>();
        long counters = 0;
        var all = new ArrayList<JsonNode>();
        for (var e : events) {
            all.add(e);
            var ph = text(e, "ph");
            check(PHASES.contains(ph), "unknown phase " + ph + " in " + e);
            check(e.path("pid").isInt(), "pid missing in " + e);
            check(e.path("name").isTextual(), "name missing in " + e);
            if (ph.equals("M")) {
                check(e.path("args").path("name").isTextual(), "metadata without a name: " + e);
                if (text(e, "name").equals("process_name")) processes.put(e.get("pid").asInt(), e.get("args").get("name").asText());
                continue;
            }
            check(e.path("ts").isNumber(), "ts is not a number (µs) in " + e);
            var track = e.get("pid").asInt() + "/" + e.path("tid").asInt();
            switch (ph) {
                case "X" -> {
                    check(e.path("dur").isNumber() && e.get("dur").decimalValue().signum() >= 0, "X without dur ≥ 0: " + e);
                    var start = e.get("ts").decimalValue();
                    slices.computeIfAbsent(track, k -> new ArrayList<>()).add(new Slice(start, start.add(e.get("dur").decimalValue())));
                    sliceCount.merge(text(e, "cat"), 1L, Long::sum);
                }
                case "b", "e" -> {
                    check(e.path("id").isTextual() || e.path("id").isNumber(), "async event without id: " + e);
                    async.computeIfAbsent(e.get("pid").asInt() + "/" + text(e, "cat") + "/" + e.get("id").asText(),
                            k -> new ArrayList<>()).add(e);
                }
                case "s" -> check(flowStart.put(e.get("id").asText(), e) == null, "flow id started twice: " + e);
                case "f" -> check(flowEnd.put(e.get("id").asText(), e) == null, "flow id ended twice: " + e);
                case "C" -> {
                    check(e.path("args").isObject() && e.get("args").size() > 0, "counter without values: " + e);
                    e.get("args").forEach(v -> check(v.isNumber(), "counter value not a number: " + e));
                    counters++;
                }
                default -> { }
            }
        }
        for (var entry : slices.entrySet()) nests(entry.getKey(), entry.getValue());
        var asyncCount = new TreeMap<String, Long>();
        for (var entry : async.entrySet()) asyncCount.merge(entry.getKey().split("/")[1], balanced(entry.getKey(), entry.getValue()), Long::sum);
        check(flowStart.keySet().equals(flowEnd.keySet()), "flows not bound at both ends: started " + flowStart.size()
                + ", ended " + flowEnd.size());
        for (var id : flowStart.keySet()) {
            var s = flowStart.get(id);
            var f = flowEnd.get(id);
            check("e".equals(f.path("bp").asText()), "flow end " + id + " not bound to its enclosing slice");
            enclosed(slices, s);
            enclosed(slices, f);
        }
        return new Stats(sliceCount, asyncCount, flowStart.size(), counters, processes, all);
    }

    /** Sorted by start (longer first at equal starts), each slice must end within the one it starts inside. */
    private static void nests(String track, List<Slice> list) {
        list.sort(Comparator.comparing(Slice::start).thenComparing(Slice::end, Comparator.reverseOrder()));
        var open = new ArrayDeque<Slice>();
        for (var s : list) {
            while (!open.isEmpty() && open.peek().end().compareTo(s.start()) < 0) open.pop();
            // Touching ends (one state ends where the next begins, in µs) are adjacent, not overlapping.
            while (!open.isEmpty() && open.peek().end().compareTo(s.start()) == 0 && s.end().compareTo(s.start()) > 0) open.pop();
            if (!open.isEmpty()) {
                check(s.end().compareTo(open.peek().end()) <= 0, "track " + track + ": slice [" + s.start() + ", "
                        + s.end() + "] overlaps [" + open.peek().start() + ", " + open.peek().end() + "] without nesting");
            }
            open.push(s);
        }
    }

    /** b/e events of one async id, in time order (file order at equal times): a stack that ends empty. Returns pairs. */
    private static long balanced(String key, List<JsonNode> events) {
        var sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(e -> e.get("ts").decimalValue()));
        var open = new ArrayDeque<JsonNode>();
        long pairs = 0;
        for (var e : sorted) {
            if (text(e, "ph").equals("b")) open.push(e);
            else {
                check(!open.isEmpty(), "async " + key + ": end without begin: " + e);
                var b = open.pop();
                check(b.get("name").asText().equals(e.get("name").asText()), "async " + key + ": " + e.get("name")
                        + " closes " + b.get("name"));
                pairs++;
            }
        }
        check(open.isEmpty(), "async " + key + ": " + open.size() + " slices never closed");
        return pairs;
    }

    private static void enclosed(Map<String, List<Slice>> slices, JsonNode e) {
        var ts = e.get("ts").decimalValue();
        var track = e.get("pid").asInt() + "/" + e.path("tid").asInt();
        var list = slices.getOrDefault(track, List.of());
        check(list.stream().anyMatch(s -> s.start().compareTo(ts) <= 0 && ts.compareTo(s.end()) <= 0),
                "flow event with no slice to bind to on track " + track + ": " + e);
    }

    private static String text(JsonNode e, String field) { return e.path(field).asText(); }

    private static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError("trace-event JSON: " + what);
    }
}
