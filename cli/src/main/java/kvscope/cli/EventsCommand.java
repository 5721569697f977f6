package kvscope.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import kvscope.ctf.CtfException;
import kvscope.ctf.EventFormat;
import kvscope.ctf.Trace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvscope events}: every event of one or more CTF traces, time-ordered, as text or JSON lines. */
@Command(name = "events", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {
                "Print every event of CTF traces, time-ordered across streams and traces.",
                "",
                "Print every event of CTF traces (LTTng's or kvscope's), merged in time order across streams and",
                "traces. TRACE is a trace directory (holding 'metadata') or a directory searched for them.",
                "",
                "jsonl: one object per line, {\"ts\":ns,\"name\":\"p:e\",\"cpu\":n,\"context\":{..},\"fields\":{..}};",
                "events the tracer discarded show as {\"ts\":end-of-range,\"lost\":count}.",
                "",
                "Examples:",
                "  kvscope events trace --limit 20",
                "  kvscope events trace --format jsonl | jq -c 'select(.name == \"redis:call_command_start\")'",
                ""},
        footer = {"", "Exit codes: 0 ok, 1 the trace is bad (the message names the file and byte offset), 2 usage."})
final class EventsCommand implements Callable<Integer> {

    enum Format { text, jsonl }

    @Parameters(paramLabel = "TRACE", arity = "1..*", description = "trace directories")
    List<Path> traces;

    @Option(names = "--format", paramLabel = "text|jsonl", defaultValue = "text",
            description = "output format. Default: ${DEFAULT-VALUE}")
    Format format;

    @Option(names = "--limit", paramLabel = "N", description = "print at most N events (lost-event notices count)")
    Long limit;


    @Override public Integer call() {
        if (limit != null && limit < 0) throw UserError.usage("--limit must be 0 or more, not " + limit);
        // Large buffered writes: System.out flushes per line otherwise, which costs more than reading the trace.
        var w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        long max = limit == null ? Long.MAX_VALUE : limit;
        try (var trace = open()) {
            var fmt = new EventFormat();
            var sb = new StringBuilder(512);
            long n = 0;
            boolean json = format == Format.jsonl;
            var it = trace.iterator();
            try {
                while (n < max && it.hasNext()) {
                    var e = it.next();
                    sb.setLength(0);
                    if (json) fmt.appendJson(e, sb); else fmt.appendText(e, sb);
                    sb.append('\n');
                    w.append(sb);
                    n++;
                }
            } catch (CtfException e) {
                w.flush();
                throw new UserError("damaged trace after " + n + " events: " + e.getMessage());
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    private Trace open() {
        try {
            return Trace.open(traces);
        } catch (CtfException e) {
            throw new UserError(e.getMessage());
        }
    }
}
