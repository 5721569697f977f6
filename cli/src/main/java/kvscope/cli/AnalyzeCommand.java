package kvscope.cli;

import kvscope.analysis.report.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
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
                "  kvscope analyze --cache /tmp/m trace/     when the trace directory is read-only"})
final class AnalyzeCommand implements Runnable {
    @Mixin TraceArgs args;

    @Override public void run() {
        long t0 = System.nanoTime();
        try (var stored = args.open(false)) {
            var s = stored.summary();
            var c = s.counters();
            var out = System.out;
            out.printf(Locale.ROOT, "%s %s: %s events, %s of trace, %d server(s)%n",
                    stored.reused() ? "reused the stored model in" : "model stored in", stored.dir(), Units.count(c.events()),
                    Units.duration(s.end() - s.start()), s.servers().size());
            if (!stored.reused()) {
                double secs = s.analysisNs() / 1e9;
                out.printf(Locale.ROOT, "analysed in %.2f s (%.2f M events/s)%n", secs, c.events() / Math.max(secs, 1e-9) / 1e6);
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
}
