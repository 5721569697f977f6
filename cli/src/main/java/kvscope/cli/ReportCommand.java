package kvscope.cli;

import kvscope.analysis.Stored;
import kvscope.analysis.report.HtmlReport;
import kvscope.analysis.report.JsonReport;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.TextReport;
import kvscope.analysis.findings.Thresholds;
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
                "trace damage).",
                "Analyses the trace first if needed.",
                "",
                "Examples:",
                "  kvscope report trace/",
                "  kvscope report trace/ --format json | jq '.servers[0].commands'",
                "  kvscope report trace/ --format html -o report.html"})
final class ReportCommand implements Runnable {
    enum Format { text, json, html }

    @Mixin TraceArgs args;

    @Option(names = "--format", defaultValue = "text", description = "text, json or html (one self-contained file with plots). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Option(names = "--slow", paramLabel = "DURATION", defaultValue = "10ms",
            description = "A request slower than this (server side) is reported as slow. Default: ${DEFAULT-VALUE}.")
    String slow;

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

    private void write(Report report, Stored stored, PrintWriter out) throws IOException {
        switch (format) {
            case text -> TextReport.write(report, out);
            case json -> JsonReport.write(report, out);
            case html -> HtmlReport.write(report, stored, out);
        }
    }

    @Override public void run() {
        try (var stored = args.open(false)) {
            var report = Report.of(stored, new Thresholds(Durations.parse(slow).toNanos(), Durations.parse(stall).toNanos(),
                    amplification, Sizes.parse(backlog)));
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
}
