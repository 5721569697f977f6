package kvscope.cli.record;

import kvscope.cli.UserError;
import kvscope.cli.redis.Tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Counts the events of a CTF trace per name. For now it streams babeltrace2's text output (the reference reader);
 * this is the one place to switch to kvscope's own CTF reader once it lands.
 */
public final class EventCounter {
    private static final Pattern DISCARDED = Pattern.compile("discarded (\\d+) events?", Pattern.CASE_INSENSITIVE);

    private EventCounter() {}

    public static EventCounts count(Path traceDir) {
        if (!Tools.onPath("babeltrace2")) {
            throw new UserError("babeltrace2 is not installed (needed to count events): apt-get install babeltrace2");
        }
        if (!holdsTrace(traceDir)) return new EventCounts(new TreeMap<>(), 0);
        Path err = null;
        try {
            err = Files.createTempFile("kvscope-bt2", ".err");
            var pb = new ProcessBuilder("babeltrace2", "--no-delta", "--names=none", traceDir.toString())
                    .redirectError(err.toFile());
            var p = Tools.start(pb);
            var counts = new HashMap<String, long[]>();
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                while ((line = in.readLine()) != null) {
                    var name = eventName(line);
                    if (name != null) counts.computeIfAbsent(name, k -> new long[1])[0]++;
                }
            }
            int rc = p.waitFor();
            var stderr = Files.readString(err);
            if (rc != 0) {
                throw new UserError("babeltrace2 cannot read the trace in " + traceDir + ":\n" + stderr.strip());
            }
            long discarded = 0;
            var m = DISCARDED.matcher(stderr);
            while (m.find()) discarded += Long.parseLong(m.group(1));
            var byName = new TreeMap<String, Long>();
            counts.forEach((k, v) -> byName.put(k, v[0]));
            return new EventCounts(byName, discarded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting events", e);
        } finally {
            if (err != null) err.toFile().delete();
        }
    }

    /** LTTng writes no stream files when no instrumented process registered while it recorded. */
    static boolean holdsTrace(Path dir) {
        try (var walk = Files.walk(dir)) {
            return walk.anyMatch(p -> p.getFileName().toString().equals("metadata"));
        } catch (IOException e) {
            throw new UserError("cannot read the trace directory " + dir + ": " + e.getMessage());
        }
    }

    /**
     * The event name of one babeltrace2 text line: {@code [ts] host provider:event: { … }} — the last token before
     * the first ": " (the timestamp has colons but no ": ", host names have no spaces).
     */
    static String eventName(String line) {
        int colon = line.indexOf(": ");
        if (colon <= 0 || line.charAt(0) != '[') return null;
        int start = line.lastIndexOf(' ', colon - 1) + 1;
        return line.substring(start, colon);
    }
}
