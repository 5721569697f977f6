package kvscope.cli.record;

import kvscope.cli.UserError;
import kvscope.ctf.CtfException;
import kvscope.ctf.Event;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;

/** Counts the events of a CTF trace per name, and the events the tracer discarded, with kvscope's own reader. */
public final class EventCounter {
    /** The light profile's batch of commands (instrument/redis/EVENTS.md). */
    static final String BATCH = "redis:commands";
    /** ... and of publishes. */
    static final String PUBLISHES = "redis:publishes";

    private EventCounter() {}

    public static EventCounts count(Path traceDir) {
        if (!holdsTrace(traceDir)) return new EventCounts(new TreeMap<>(), 0, 0, 0);
        try (var trace = Trace.open(traceDir)) {
            var perType = new long[1024];
            var names = new String[perType.length];
            long discarded = 0, commands = 0, publishes = 0;
            var batch = trace.eventType(BATCH);
            var fd = batch.field("fd");
            var pubs = trace.eventType(PUBLISHES);
            var pubFd = pubs.field("fd");
            for (var e : trace) {
                if (e.isLost()) {
                    discarded += e.lostCount();
                    continue;
                }
                if (e.type() == batch && e.has(fd)) commands += batchLength(e, fd);
                else if (e.type() == pubs && e.has(pubFd)) publishes += batchLength(e, pubFd);
                int i = e.type().index();
                if (i >= perType.length) {
                    perType = Arrays.copyOf(perType, i * 2);
                    names = Arrays.copyOf(names, i * 2);
                }
                if (perType[i]++ == 0) names[i] = e.name();
            }
            var byName = new TreeMap<String, Long>();
            for (int i = 0; i < perType.length; i++) if (perType[i] > 0) byName.merge(names[i], perType[i], Long::sum);
            return new EventCounts(byName, discarded, commands, publishes);
        } catch (CtfException e) {
            throw new UserError("cannot read the trace: " + e.getMessage());
        }
    }

    /** The commands (publishes) a batch holds: the length of its sequences, 0 for an event of another layout. */
    private static long batchLength(Event e, Field fd) {
        try {
            return e.length(fd);
        } catch (IllegalArgumentException notASequence) {
            return 0;
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
}
