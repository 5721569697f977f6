package kvscope.cli;

import kvscope.analysis.Stored;
import kvscope.analysis.report.HtmlReport;
import kvscope.analysis.report.JsonReport;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.TextReport;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.services.RequestTree;
import kvscope.analysis.services.ServicesReport;
import kvscope.analysis.services.ServicesText;
import kvscope.cli.record.Durations;
import kvscope.cli.record.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Latencies per server and command, connections, threads, event loop, cluster bus, findings.",
                "",
                "Per server and command: count, throughput, latency p50/p90/p99/max (server side: read start → reply",
                "written) and the slowest requests; connections, threads, event-loop iterations, cluster-bus volume",
                "by message type and peer, lost events — and findings: what the detectors found wrong, explained with",
                "the numbers (cluster-bus amplification by PUBLISH, clients queued or freed twice, two threads on one",
                "connection, event-loop stalls, slow requests and where their time went, client output buffers growing,",
                "replicas behind their master, full resyncs, trace damage).",
                "Replication: each master → replica link, the writes it carried (paired by replication offset), its",
                "bytes, its lag (mean and worst), the offset lag at REPLCONF ACKs, and every resync with its reason.",
                "With the Node.js agent's events (kvscope record of Node services): the services, every route's",
                "requests (count, status codes, p50/p90/p99/max at the first traced service), where the time of each",
                "route's slowest requests went — each service's own time, network, Redis (queued, reading, waiting to",
                "execute, executing, waiting to write, writing), MariaDB — and which part made a route's slow requests",
                "slow, with its share. --request follows one request hop by hop, down into Redis.",
                "With your own OpenTelemetry spans linked (kvscope analyze TRACE --spans FILE): how many were linked,",
                "ambiguous or not (and why), and the slowest linked spans split by the Redis request that served them.",
                "Analyses the trace first if needed.",
                "",
                "Examples:",
                "  kvscope report trace/",
                "  kvscope report trace/ --format json | jq '.servers[0].commands'",
                "  kvscope report trace/ --format html -o report.html",
                "  kvscope report trace/ --request 4711.42      one request (ids are in the report's lists)"})
final class ReportCommand implements Runnable {
    enum Format { text, json, html }

    @Mixin TraceArgs args;

    @Option(names = "--format", defaultValue = "text", description = "text, json or html (one self-contained file with plots). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--slow", paramLabel = "DURATION", defaultValue = "10ms",
            description = "A request slower than this (server side) is reported as slow. The time a client spends "
                    + "blocked by BLPOP, BLMOVE, XREAD BLOCK, WAIT… (waiting for data or replicas by design) is left "
                    + "out, as in Redis's SLOWLOG; see --slow-with-blocked. Default: ${DEFAULT-VALUE}.")
    String slow;

    @Option(names = "--slow-with-blocked",
            description = "Count a blocked client's wait in latencies: the per-command p50/p90/p99/max, the slowest "
                    + "requests and --slow (a BLPOP that waited 2 s for a push is then a slow request, its time showing a "
                    + "\"blocked\" part). By default they leave it out, as Redis's SLOWLOG does, and the table's "
                    + "\"blocked\" column says how many requests blocked and for how long.")
    boolean slowWithBlocked;

    @Option(names = "--stall", paramLabel = "DURATION", defaultValue = "20ms",
            description = "An event-loop iteration busier than this is a stall. Default: ${DEFAULT-VALUE}.")
    String stall;

    @Option(names = "--amplification", paramLabel = "FACTOR", defaultValue = "2",
            description = "Cluster-bus bytes per PUBLISH payload byte above which the bus is amplifying. Default: ${DEFAULT-VALUE}.")
    double amplification;

    @Option(names = "--backlog", paramLabel = "SIZE", defaultValue = "1MiB",
            description = "Reply bytes waiting for one client above which its growing output buffer is reported "
                    + "(e.g. 512k, 4MiB). Default: ${DEFAULT-VALUE}.")
    String backlog;

    @Option(names = "--slow-http", paramLabel = "DURATION", defaultValue = "20ms",
            description = "An HTTP request slower than this (at the first traced service) is a slow request of its "
                    + "route; a route whose slow requests are a pattern gets a finding naming their main cause. "
                    + "Default: ${DEFAULT-VALUE}.")
    String slowHttp;

    @Option(names = "--replica-lag", paramLabel = "DURATION", defaultValue = "100ms",
            description = "A replica that applied a write of its master later than this after the master fed it is "
                    + "reported as behind (a LAN replica is normally well under 1 ms behind). Default: ${DEFAULT-VALUE}.")
    String replicaLag;

    @Option(names = "--slowest", paramLabel = "N", defaultValue = "10",
            description = "How many of each route's slowest HTTP requests to split into where their time went. "
                    + "Default: ${DEFAULT-VALUE}.")
    int slowest;

    @Option(names = "--request", paramLabel = "ID",
            description = "Only this HTTP request (PID.SPAN, as the report lists them): where its time went, and its "
                    + "path hop by hop down into Redis (text or json).")
    String request;

    private void write(Report report, Stored stored, PrintWriter out) throws IOException {
        switch (format) {
            case text -> TextReport.write(report, out);
            case json -> JsonReport.write(report, out);
            case html -> HtmlReport.write(report, stored, out);
        }
    }

    @Override public void run() {
        var thresholds = new Thresholds(Durations.parse(slow).toNanos(), Durations.parse(stall).toNanos(),
                amplification, Sizes.parse(backlog), Durations.parse(slowHttp).toNanos(),
                Durations.parse(replicaLag).toNanos(), slowWithBlocked);
        if (request != null && format == Format.html) throw UserError.usage("--request prints text or json, not html");
        if (slowest < 1 || slowest > 100_000) throw UserError.usage("--slowest must be 1 to 100000, not " + slowest);
        try (var stored = args.open(false)) {
            if (request != null) {
                writeRequest(stored);
                return;
            }
            var report = Report.of(stored, thresholds, slowest);
            if (output == null) {
                // Not closed: closing would close System.out for whatever runs next in this JVM.
                var out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
                write(report, stored, out);
                out.flush();
            } else {
                try (var out = new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8))) {
                    write(report, stored, out);
                }
                System.err.println("report written to " + output);
            }
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** --request: one request followed hop by hop. */
    private void writeRequest(Stored stored) throws IOException {
        var f = stored.services();
        long i = ServicesReport.find(f, request);
        if (i < 0) {
            throw new UserError("no HTTP request " + request + " in this trace: ids are PID.SPAN, as `kvscope report "
                    + "TRACE` lists them under \"where the time went\" (and the page's Service requests table)");
        }
        var tree = RequestTree.of(f, stored.segments(), i);
        var out = output == null ? new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
                : new PrintWriter(Files.newBufferedWriter(output, StandardCharsets.UTF_8));
        try {
            if (format == Format.json) JsonReport.writeValue(tree, out);
            else ServicesText.write(tree, stored.summary().start(), out);
            out.flush();
        } finally {
            if (output != null) out.close();
        }
    }
}
