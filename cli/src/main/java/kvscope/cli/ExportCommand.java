package kvscope.cli;

import kvscope.analysis.Stored;
import kvscope.analysis.export.Exported;
import kvscope.analysis.export.OtlpWriter;
import kvscope.analysis.export.PerfettoWriter;
import kvscope.analysis.export.Selection;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "The model in the formats other tools open: OpenTelemetry (OTLP/JSON) and Perfetto.",
                "",
                "otlp: OTLP/JSON, one resource per Redis server and per traced service. Every Redis request is a",
                "server span with a child span per phase (queued, reading, waiting to execute, executing, waiting to",
                "write, writing) and the semantic-convention attributes (db.system.name, db.operation.name,",
                "server.address/port, network.peer.address/port); PUBLISH, cluster-bus and MOVED hops are spans",
                "linked to the request they reached; findings are span events. With the Node.js services traced, their",
                "HTTP, Redis and MariaDB calls are spans too — one trace per incoming request — and each Redis request",
                "hangs under the call that sent it. With your own spans linked (kvscope analyze --spans), a Redis request",
                "your span certainly led to is in your trace, under your span. Import it with an OpenTelemetry Collector (otlpjsonfile receiver)",
                "into Jaeger, Tempo or any OTLP backend.",
                "perfetto: Chrome trace-event JSON for ui.perfetto.dev (or chrome://tracing): a process per server",
                "and service, a track per thread and per connection, every request an async slice with its phases,",
                "the Netflow arrows as flows, the bytes read and written as a counter.",
                "The output streams from the stored model: any trace size in bounded memory.",
                "Analyses the trace first if needed.",
                "",
                "Examples:",
                "  kvscope export trace/ --format otlp -o spans.json",
                "  kvscope export trace/ --format perfetto -o trace.json      then open it in ui.perfetto.dev",
                "  kvscope export trace/ --format perfetto --from +1s --to +1.5s --server 127.0.0.1:7000 -o part.json"})
final class ExportCommand implements Runnable {
    enum Format { otlp, perfetto }

    @Mixin TraceArgs args;

    @Spec CommandSpec spec;

    @Option(names = "--format", required = true, description = "otlp or perfetto.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--from", paramLabel = "TIME", description = "Only what overlaps [from, to]: ns since the epoch, "
            + "an ISO-8601 instant, or an offset from the trace start (+1.5s, +250ms).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End of the part to export (default: the trace's end).")
    String to;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Only this Redis server (as `kvscope report` "
            + "names it); the services are left out.")
    String server;

    @Override public void run() {
        try (var stored = args.open(output == null)) {
            var sel = selection(stored);
            var findings = format == Format.otlp ? Findings.detect(stored, Thresholds.DEFAULT) : null;
            Exported done;
            if (output == null) {
                // Not closed: closing would close System.out for whatever runs next in this JVM.
                var out = new BufferedOutputStream(new FilterOutputStream(System.out) {
                    @Override public void close() throws IOException { flush(); }
                }, 1 << 16);
                done = write(stored, sel, findings, out);
                out.flush();
            } else {
                try (var out = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
                    done = write(stored, sel, findings, out);
                }
                spec.commandLine().getErr().println(format + " written to " + output + ": " + done.describe());
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    private Exported write(Stored stored, Selection sel, List<Finding> findings,
                           OutputStream out) throws IOException {
        return format == Format.otlp ? new OtlpWriter(stored, sel, findings).write(out)
                : new PerfettoWriter(stored, sel).write(out);
    }

    private Selection selection(Stored stored) throws IOException {
        long start = stored.summary().start();
        long t0 = from == null ? Long.MIN_VALUE : TimeArg.parse(from, start);
        long t1 = to == null ? Long.MAX_VALUE : TimeArg.parse(to, start);
        if (t0 > t1) throw UserError.usage("--from " + from + " is after --to " + to);
        int s = -1;
        if (server != null) {
            var names = stored.segments().servers();
            s = names.indexOf(server);
            if (s < 0) throw UserError.usage("no server " + server + " in this trace; it has " + String.join(", ", names));
        }
        return new Selection(t0, t1, s);
    }
}
