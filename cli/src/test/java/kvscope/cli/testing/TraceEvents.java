package kvscope.cli.testing;

import kvscope.cli.redis.Tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A trace as babeltrace2 (the reference reader, via its Python bindings) sees it: every event in time order, with
 * its raw clock value (cycles = CLOCK_MONOTONIC ns, comparable to start_ns fields), vpid/vtid/procname contexts and
 * payload fields as strings. For tests only: it holds the whole trace in memory.
 */
public record TraceEvents(List<Ev> events, long discarded) {

    /** One event. */
    public record Ev(String name, long cycles, long vpid, long vtid, String procname, Map<String, String> fields) {
        public String str(String field) {
            var v = fields.get(field);
            if (v == null) throw new AssertionError(name + " has no field '" + field + "'; it has " + fields.keySet());
            return v;
        }

        public long num(String field) { return Long.parseLong(str(field)); }

        /** The connection identity of EVENTS.md: (fd, id), within one process. */
        public String conn() { return vpid + "/" + str("fd") + "/" + str("id"); }

        public boolean is(String shortName) { return name.equals("redis:" + shortName); }
    }

    public static TraceEvents read(Path traceDir) {
        return read(traceDir, List.of());
    }

    /** Only the events with these short names (e.g. "call_command_start"); all events if empty. */
    public static TraceEvents read(Path traceDir, List<String> only) {
        return readNamed(traceDir, only.stream().map(n -> "redis:" + n).toList());
    }

    /** Only the events with these full names (e.g. "nodejs:snapshot_socket"); all events if empty. */
    public static TraceEvents readNamed(Path traceDir, List<String> only) {
        var python = Path.of("/usr/bin/python3"); // not a pyenv shim: python3-bt2 is installed for Debian's python
        if (!Files.isExecutable(python)) throw new AssertionError("/usr/bin/python3 is missing: apt-get install python3-bt2");
        Path script;
        try (InputStream in = TraceEvents.class.getResourceAsStream("/kvscope/cli/record/trace_tsv.py")) {
            script = Files.createTempFile("trace_tsv", ".py");
            Files.write(script, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            var cmd = new ArrayList<>(List.of(python.toString(), script.toString(), traceDir.toString()));
            if (!only.isEmpty()) cmd.add(String.join(",", only));
            var run = Tools.run(Duration.ofMinutes(5), cmd);
            if (!run.ok()) throw new AssertionError("babeltrace2 (python3-bt2) could not read " + traceDir + ": " + run.describe());
            var events = new ArrayList<Ev>();
            long discarded = 0;
            for (var line : (Iterable<String>) run.stdout().lines()::iterator) {
                var parts = line.split("\t", -1);
                if (parts[0].equals("#discarded")) {
                    discarded += Long.parseLong(parts[1]);
                    continue;
                }
                var fields = new LinkedHashMap<String, String>();
                for (int i = 5; i < parts.length; i++) {
                    int eq = parts[i].indexOf('=');
                    fields.put(parts[i].substring(0, eq), unescape(parts[i].substring(eq + 1)));
                }
                events.add(new Ev(parts[0], Long.parseLong(parts[1]), parseOr(parts[2]), parseOr(parts[3]),
                        unescape(parts[4]), fields));
            }
            return new TraceEvents(List.copyOf(events), discarded);
        } finally {
            script.toFile().delete();
        }
    }

    private static long parseOr(String s) { return s.isEmpty() ? -1 : Long.parseLong(s); }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        var sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    public List<Ev> named(String shortName) { return filter(e -> e.is(shortName)); }

    public List<Ev> filter(Predicate<Ev> p) { return events.stream().filter(p).toList(); }

    public long count(String shortName) { return events.stream().filter(e -> e.is(shortName)).count(); }

    public List<Ev> ofProcess(long vpid) { return filter(e -> e.vpid() == vpid); }
}
