package kvscope.cli;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.otel.OwnSpansText;
import kvscope.analysis.report.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Build the model of Redis's internals from a trace (or reuse it) and summarise it.",
                "",
                "Build the model of Redis's internals from a trace (or reuse the stored one) and print a summary.",
                "",
                "The model — connections, requests, threads, event loop, cluster bus over time — and one segment per",
                "request are stored in TRACE/.kvscope/ (or --cache DIR); report, query and serve read them without",
                "reading the trace again. An unchanged trace is not analysed twice; --force rebuilds.",
                "",
                "Examples:",
                "  kvscope analyze trace/",
                "  kvscope analyze node1/ node2/ node3/     three nodes' traces as one experiment",
                "  kvscope analyze --cache /tmp/m trace/     when the trace directory is read-only",
                "  kvscope analyze trace/ --spans otel.json  link your own OpenTelemetry Redis client spans",
                "  kvscope analyze --live net://relay/host/web-1/s1 -o live/   follow a running session (docs/live.md)",
                "  kvscope analyze --live net://relay -o live/    every host's live session on the relay, as one system",
                "  kvscope analyze --live net://relay/host/web-1/s1 --from-now   from its current end (a long recording)",
                "",
                "--spans reads OTLP/JSON files (what the OpenTelemetry Collector's file exporter writes: one",
                "ExportTraceServiceRequest per line; one JSON document per file works too) and links every Redis client",
                "span (kind CLIENT, db.system.name or db.system = redis) to the Redis request that served it, by server",
                "address and port, command and time. A span several requests could have served is reported ambiguous",
                "with its confidence, never linked silently; what could not be linked is counted with the reason.",
                "`kvscope report` then splits each linked span (network, waiting in Redis, executing) and",
                "`kvscope export --format otlp` puts Redis's own spans under yours."})
final class AnalyzeCommand implements Runnable {
    @Mixin TraceArgs args;

    @Option(names = "--spans", arity = "1..*", paramLabel = "FILE",
            description = "OTLP/JSON span files of your own OpenTelemetry instrumentation: their Redis client spans are "
                    + "linked to the requests of the model and stored beside it (replacing earlier links).")
    List<Path> spans;

    @Mixin LiveArgs live;

    @Override public void run() {
        long t0 = System.nanoTime();
        var liveDir = live.traceDir(args.traces);
        if (liveDir != null) args.traces = List.of(liveDir);
        try (var stored = live.given() ? followLive() : args.open(false)) {
            var s = stored.summary();
            var c = s.counters();
            var out = System.out;
            out.printf(Locale.ROOT, "%s %s: %s events, %s of trace, %d server(s)%n",
                    stored.reused() ? "reused the stored model in" : "model stored in", stored.dir(), Units.count(c.events()),
                    Units.duration(s.end() - s.start()), s.servers().size());
            if (!stored.reused()) {
                double secs = s.analysisNs() / 1e9;
                if (stored.combined()) out.printf(Locale.ROOT, "combined from %d host models in %.2f s%n", s.traces().size(), secs);
                else out.printf(Locale.ROOT, "analysed in %.2f s (%.2f M events/s)%n", secs, c.events() / Math.max(secs, 1e-9) / 1e6);
            }
            for (var st : s.servers()) {
                long requests = s.latencies().stream().filter(l -> l.server().equals(st.name())).mapToLong(l -> l.count()).sum();
                out.printf(Locale.ROOT, "  %-28s %s requests, %s connections, %d threads, bus out %s in %s%n", st.name(),
                        Units.count(requests), Units.count(st.connectionsAccepted()), st.threads().size(),
                        Units.bytes(st.busBytesOut()), Units.bytes(st.busBytesIn()));
            }
            if (c.flows() > 0) {
                out.printf(Locale.ROOT, "  %s causal links between connections (PUBLISH → bus → subscriber, MOVED → retry): "
                        + "the Netflow view's arrows%s%n", Units.count(c.flows()), c.busMessagesUnpaired() > 0
                        ? "; " + Units.count(c.busMessagesUnpaired()) + " bus messages from untraced or unnamed nodes" : "");
            }
            var sv = stored.services();
            if (sv.count() > 0 || !sv.problems().isEmpty()) {
                long requests = 0;
                for (long i = 0; i < sv.count(); i++) if (sv.isEntry(i)) requests++;
                long problems = sv.problems().stream().mapToLong(p -> p.count()).sum();
                out.printf(Locale.ROOT, "  services %s: %s spans, %s HTTP requests entered them, %s of %s Redis calls "
                                + "linked to a request%s%n", sv.services().stream().map(x -> x.name()).toList(),
                        Units.count(sv.count()), Units.count(requests),
                        Units.count(sv.stats().getOrDefault("redis calls linked", 0L)),
                        Units.count(sv.stats().getOrDefault("redis calls", 0L)),
                        problems > 0 ? "; " + Units.count(problems) + " agent events or joins unusable (see the report)" : "");
            }
            if (spans != null && !spans.isEmpty()) spanLinks(stored, out);
            if (c.lostEvents() > 0) {
                out.printf(Locale.ROOT, "  WARNING: %s events were lost by the tracer; %s requests in flight were dropped%n",
                        Units.count(c.lostEvents()), Units.count(c.requestsAffectedByLoss()));
            }
            for (var d : c.damage()) out.println("  WARNING: the trace is damaged: " + d + "; the model holds what came before");
            if (!c.unknownEvents().isEmpty()) out.println("  events the model does not use: " + c.unknownEvents().keySet());
            for (var l : c.layout()) out.println("  layout: " + l);
            if (!c.otherProviders().isEmpty()) {
                out.println("  events of other providers, not modelled: " + c.otherProvidersByProvider());
            }
            out.println("next: kvscope report " + String.join(" ", args.traces.stream().map(Object::toString).toList()));
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
    }

    /** analyze --live: follows the session, printing how it goes every 2 s, until it ends. */
    private Stored followLive() {
        var out = args.traces.get(0);
        try (var follow = LiveFollow.open(live.url, live.fromNow, out, System.out::println)) {
            System.out.println("Following " + String.join(", ", follow.session.names())
                    + (follow.session.fromNow() ? " from now" : "") + " (live timer " + follow.session.liveTimerUs() / 1000
                    + " ms); the trace is copied to " + out + ". The model is stored when the session is destroyed.");
            try (var status = follow.report(System.out, Duration.ofSeconds(2))) {
                var stored = follow.analyze(args.cache, null, h -> { });
                var damage = stored.summary().counters().damage();
                System.out.println(follow.describe() + (damage.isEmpty() ? "; the session ended"
                        : "; the reading stopped: " + damage.get(0) + " (the model of what arrived is stored)"));
                return stored;
            } catch (IOException e) {
                throw new UserError(e.getMessage());
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        }
    }

    private void spanLinks(Stored stored, PrintStream out) throws IOException {
        for (var f : spans) {
            if (!Files.isRegularFile(f)) throw new UserError(f + ": no such span file (give OTLP/JSON files, e.g. what "
                    + "the OpenTelemetry Collector's file exporter wrote)");
        }
        var l = Analysis.linkSpans(stored, spans);
        out.printf(Locale.ROOT, "  your spans: %s spans in %s OTLP documents, %s Redis client spans: %s linked, "
                        + "%s ambiguous, %s not linked%n", Units.count(l.spansSeen()), Units.count(l.documents()),
                Units.count(l.redisSpans()), Units.count(l.linked()), Units.count(l.ambiguous()), Units.count(l.unlinked()));
        for (var c : l.clocks()) out.println("    " + OwnSpansText.clock(c));
        for (var r : l.reasons()) {
            out.printf(Locale.ROOT, "    %s: %s%s%n", r.what(), Units.count(r.count()),
                    r.examples().isEmpty() ? "" : " (first: " + r.examples().get(0) + ")");
        }
        if (l.redisSpans() == 0) {
            out.println("    WARNING: no Redis client spans in " + spans + " (want kind CLIENT with db.system.name or "
                    + "db.system = redis, as the ioredis, node-redis, Jedis and Lettuce instrumentations write)");
        }
    }
}
