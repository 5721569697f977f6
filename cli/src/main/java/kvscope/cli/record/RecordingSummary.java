package kvscope.cli.record;

import java.io.PrintStream;
import java.nio.file.Path;

/** What `record` and `demo` print at the end: where the trace is, what it holds, how to look at it. */
public final class RecordingSummary {
    private RecordingSummary() {}

    public static EventCounts print(Path traceDir, PrintStream out) {
        out.println("Trace written to " + traceDir);
        var counts = EventCounter.count(traceDir);
        if (counts.total() == 0) {
            out.println("  it holds no events: was the traced program the instrumented Redis (build/redis/bin),"
                    + " and did it run while recording?");
        } else {
            out.println("Events by name (of every instrumented process that ran while recording):");
            counts.print(out);
        }
        out.println("Look at them with:  ./kvscope events " + traceDir + " --limit 20   (or: babeltrace2 " + traceDir + " | less)");
        return counts;
    }
}
