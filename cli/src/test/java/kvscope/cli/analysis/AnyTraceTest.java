package kvscope.cli.analysis;

import kvscope.analysis.Analysis;
import kvscope.analysis.Summary;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.RedisTools;
import kvscope.cli.redis.TempDirs;
import kvscope.cli.testing.Cli;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.ctf.FieldKind;
import kvscope.ctf.Trace;
import kvscope.ctf.write.FieldType;
import kvscope.fixtures.SampleTraces;
import kvscope.fixtures.TraceRewriter;
import kvscope.fixtures.TraceRewriter.Change;
import kvscope.fixtures.TraceRewriter.Drop;
import kvscope.fixtures.TraceRewriter.DropEvent;
import kvscope.fixtures.TraceRewriter.OtherProviders;
import kvscope.fixtures.TraceRewriter.Rename;
import kvscope.fixtures.TraceRewriter.Resize;
import kvscope.fixtures.TraceRewriter.Retype;
import kvscope.fixtures.TraceRewriter.Unbatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Any trace a user brings (issue #20): real traces of the instrumented Redis, recorded here in both profiles, written
 * again by the repo's CTF writer with their layouts changed at the schema level — each field of each redis:* event
 * dropped, renamed, resized, retyped in turn; other providers mixed in; each earlier layout of the patch from its git
 * history. Every variant is analysed in this JVM as {@code kvscope analyze} runs: exit code 0 or 1, never an internal
 * error, no hang, bounded memory; whatever was not modelled is said, and whatever is not said is modelled as before.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnyTraceTest {
    private static final Duration LOAD = Duration.ofMinutes(2);
    /** One analysis of a few thousand events takes well under a second; a hang is what this catches. */
    private static final Duration ONE_ANALYSIS = Duration.ofSeconds(60);
    /** Heap in use after an analysis: the model is on disk, so a variant that kept growing would show here. */
    private static final long HEAP_BOUND = 256L << 20;
    private static final int REQUESTS = 150;

    private Path tmp;
    private final Map<Profile, Path> recorded = new LinkedHashMap<>();
    private final Map<Profile, Numbers> baseline = new LinkedHashMap<>();
    private int variants;
    /**
     * The traces mutated field by field: both recordings, and the repo's 3-node cluster fixture (written in our
     * layout by RedisTraceWriter) for the cluster-bus events no single recorded server emits.
     */
    private final List<Source> sources = new ArrayList<>();

    /** What a variant must keep when the report says nothing about a change. */
    record Numbers(long requests, Map<String, Long> byCommand, long connections, long publishes, long arrows,
                   long busBytes) {
        static Numbers of(Summary s) {
            var byCommand = new TreeMap<String, Long>();
            for (var l : s.latencies()) byCommand.merge(l.command(), l.count(), Long::sum);
            return new Numbers(s.latencies().stream().mapToLong(l -> l.count()).sum(), byCommand,
                    s.servers().stream().mapToLong(x -> x.connectionsAccepted()).sum(),
                    s.servers().stream().mapToLong(x -> x.publishes()).sum(), s.counters().flows(),
                    s.servers().stream().mapToLong(x -> x.busBytesOut() + x.busBytesIn()).sum());
        }
    }

    /** A trace whose layout is mutated, and the numbers of its unchanged model. */
    record Source(String name, Path trace, Numbers baseline) {}

    @BeforeAll
    void recordBothProfiles() throws IOException {
        tmp = Files.createTempDirectory("kvscope-anytrace");
        var bin = InstrumentedRedis.bin();
        for (var profile : List.of(Profile.FULL, Profile.LIGHT)) {
            var dir = tmp.resolve(profile.name().toLowerCase());
            try (var server = RedisServer.start(bin.resolve("redis-server"))) {
                try (var rec = Recording.start(dir, profile)) {
                    var run = RedisTools.benchmark(bin, server.port(), LOAD, "-n", Integer.toString(REQUESTS), "-t", "set,get",
                            "-c", "3");
                    assertThat(run.ok()).as(run.describe()).isTrue();
                    var pub = RedisTools.benchmark(bin, server.port(), LOAD, "-n", "30", "-c", "2", "PUBLISH", "news", "hi");
                    assertThat(pub.ok()).as(pub.describe()).isTrue();
                    sleep(1100); // serverCron writes server_info once a second
                    rec.stop();
                }
            }
            recorded.put(profile, dir);
            // The rewriter itself changes nothing: the same trace written again gives the same model.
            var same = tmp.resolve(profile.name().toLowerCase() + "-same");
            TraceRewriter.rewrite(dir, same, List.of());
            Numbers original, rewritten;
            try (var s = Analysis.analyze(List.of(dir), Analysis.Options.defaults().withCache(tmp.resolve("m-" + profile)))) {
                original = Numbers.of(s.summary());
                assertThat(s.summary().counters().layout()).as("our own trace: nothing to say").isEmpty();
            }
            try (var s = Analysis.analyze(List.of(same), Analysis.Options.defaults().withCache(tmp.resolve("m-same-" + profile)))) {
                rewritten = Numbers.of(s.summary());
                assertThat(s.summary().counters().layout()).isEmpty();
            }
            assertThat(original.requests()).as(profile + " requests").isGreaterThanOrEqualTo(2L * REQUESTS + 30);
            assertThat(original.publishes()).isEqualTo(30);
            assertThat(rewritten).as(profile + ": written again").isEqualTo(original);
            baseline.put(profile, original);
            sources.add(new Source(profile.name(), dir, original));
        }
        var cluster = SampleTraces.publishAcrossCluster(tmp.resolve("cluster"));
        TraceRewriter.rewrite(cluster, tmp.resolve("cluster-same"), List.of());
        Numbers original, rewritten;
        try (var s = Analysis.analyze(List.of(cluster), Analysis.Options.defaults().withCache(tmp.resolve("m-cluster")))) {
            original = Numbers.of(s.summary());
        }
        try (var s = Analysis.analyze(List.of(tmp.resolve("cluster-same")),
                Analysis.Options.defaults().withCache(tmp.resolve("m-cluster-same")))) {
            rewritten = Numbers.of(s.summary());
        }
        assertThat(original.arrows()).as("the fixture's arrows").isPositive();
        assertThat(rewritten).as("cluster fixture written again").isEqualTo(original);
        sources.add(new Source("cluster fixture", cluster, original));
    }

    @AfterAll
    void deleteTraces() {
        TempDirs.deleteRecursively(tmp);
    }

    @Test
    void everyFieldOfEveryRedisEventDroppedRenamedResizedOrRetypedIsReadAsFarAsItCanBe() throws IOException {
        var notSaid = new ArrayList<String>();
        var problems = new ArrayList<String>();
        var skipLines = new TreeSet<String>();
        for (var source : sources) {
            var profile = source.name();
            var fields = redisFields(source.trace());
            assertThat(fields).as(profile + " events").isNotEmpty();
            for (var ev : fields.entrySet()) {
                for (var field : ev.getValue().keySet()) {
                    var e = ev.getKey();
                    var kind = ev.getValue().get(field);
                    var drop = variant(source, List.of(new Drop(e, field)));
                    skipLines.addAll(drop.counters().layout());
                    expectSaidOrUnchanged(source, drop, e, field, notSaid, problems);
                    var rename = variant(source, List.of(new Rename(e, field, field + "_v2")));
                    expectSaidOrUnchanged(source, rename, e, field, notSaid, problems);
                    var retype = variant(source, List.of(new Retype(e, field)));
                    if (retype.counters().layout().stream().noneMatch(l -> l.startsWith(e + "." + field + " holds")))
                        problems.add(profile + " " + e + "." + field + " retyped, not said: " + retype.counters().layout());
                    if (kind == FieldKind.INTEGER || kind == FieldKind.NUMBERS) {
                        variant(source, List.of(new Resize(e, field, new FieldType.Int(8, false, 8, false, false))));
                    }
                }
            }
        }
        System.out.printf("AnyTraceTest: %d variants; %d skip lines, e.g. %s; fields whose loss changed nothing: %s%n",
                variants, skipLines.size(), skipLines.stream().limit(3).toList(), notSaid);
        assertThat(problems).as("variants that lost something silently").isEmpty();
        // Not every field is needed: those whose loss nobody reports changed none of the numbers above.
        assertThat(notSaid).as("fields whose loss was not reported").isNotEmpty();
        assertThat(variants).isGreaterThan(100);
    }

    @Test
    void theIssuesExampleSaysWhatWasSkippedAndModelsTheRest() throws IOException {
        var e = "redis:end_read_client_query";
        var out = tmp.resolve("no-start-ns");
        TraceRewriter.rewrite(recorded.get(Profile.FULL), out, List.of(new Drop(e, "start_ns")));
        var r = Cli.run("analyze", out.toString(), "--cache", tmp.resolve("m-no-start-ns").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("layout: redis:end_read_client_query has no start_ns: its phases are placed at the event itself");
        var report = Cli.run("report", out.toString(), "--cache", tmp.resolve("m-no-start-ns").toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(report.out()).contains("LAYOUT: redis:end_read_client_query has no start_ns")
                .contains("the Redis events have another layout");
        try (var s = Analysis.analyze(List.of(out), Analysis.Options.defaults().withCache(tmp.resolve("m-no-start-ns")))) {
            // Everything is modelled, the reads without their length: every request, connection, publish is there.
            assertThat(Numbers.of(s.summary())).isEqualTo(baseline.get(Profile.FULL));
            // The page's findings table (kvscope.findings) lists the same words.
            assertThat(Findings.detect(s, Thresholds.DEFAULT)).anySatisfy(f -> {
                assertThat(f.kind()).isEqualTo("trace-layout");
                assertThat(f.explanation()).contains("redis:end_read_client_query has no start_ns");
            });
        }
        // Without fd, the read is no one's: the handlers that need the connection are off, and said to be.
        var noFd = tmp.resolve("no-fd");
        TraceRewriter.rewrite(recorded.get(Profile.FULL), noFd, List.of(new Drop(e, "fd")));
        var r2 = Cli.run("analyze", noFd.toString(), "--cache", tmp.resolve("m-no-fd").toString());
        assertThat(r2.exitCode()).as(r2.err()).isZero();
        assertThat(r2.out()).contains("layout: redis:end_read_client_query has no fd: not modelled from it: connection states, "
                + "invariant checks, requests and their latencies, thread phases");
    }

    @Test
    void otherProvidersAndKernelEventsAreListedAndCountedNotModelled() throws IOException {
        for (var profile : recorded.keySet()) {
            var out = tmp.resolve("others-" + profile);
            var written = TraceRewriter.rewrite(recorded.get(profile), out, List.of(new OtherProviders(7)));
            var cache = tmp.resolve("m-others-" + profile).toString();
            var r = Cli.run("analyze", out.toString(), "--cache", cache);
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("events of other providers, not modelled: {acme=" + written.otherProviderEvents() / 2
                    + ", kernel=" + written.otherProviderEvents() / 2 + "}");
            try (var s = Analysis.analyze(List.of(out), Analysis.Options.defaults().withCache(Path.of(cache)))) {
                assertThat(Numbers.of(s.summary())).isEqualTo(baseline.get(profile));
                assertThat(s.summary().counters().otherProviders()).containsEntry(OtherProviders.UST, written.otherProviderEvents() / 2)
                        .containsEntry(OtherProviders.KERNEL, written.otherProviderEvents() / 2);
                assertThat(s.summary().counters().unknownEvents()).isEmpty();
                assertThat(s.summary().counters().layout()).isEmpty();
            }
            var report = Cli.run("report", out.toString(), "--cache", cache);
            assertThat(report.out()).contains("events of other providers");
            var events = Cli.run("events", out.toString(), "--limit", "100");
            assertThat(events.exitCode()).as(events.err()).isZero();
            assertThat(events.out()).contains(OtherProviders.UST).contains(OtherProviders.KERNEL);
        }
    }

    /**
     * Each earlier layout of the patch in the repository's history (git log -p -- instrument/redis/redis_tp.h): each
     * only added to the one before, so a trace of it is today's without what came later. Written from the real full
     * trace, each is analysed to the same numbers, and the report says which layout it matched.
     */
    @Test
    void tracesOfEachEarlierLayoutOfThePatchGiveTheSameNumbers() throws IOException {
        var layouts = new TreeMap<Integer, List<Change>>();
        // Before poll_end said what the main thread used in an iteration. The recording's server_info.layout says 8:
        // dropped, so the layout is inferred from what the trace declares, as for a trace that does not state it.
        layouts.put(7, List.of(new Drop("redis:poll_end", "iteration_cpu_ns"), new Drop("redis:poll_end", "iteration_voluntary"),
                new Drop("redis:poll_end", "iteration_involuntary"), new Drop("redis:server_info", "layout")));
        // Before the replication events and blocked clients (issue #19).
        var layout6 = new ArrayList<Change>(layouts.get(7));
        for (var e : List.of("repl_feed", "repl_apply", "repl_ack", "repl_sync", "repl_replica_online", "repl_master_sync",
                "block_client", "unblock_client"))
            layout6.add(new DropEvent("redis:" + e));
        layouts.put(6, layout6);
        layouts.put(5, plus(layouts.get(6), new DropEvent("redis:snapshot_start"), new DropEvent("redis:snapshot_client"),
                new DropEvent("redis:snapshot_cluster_link"), new DropEvent("redis:snapshot_end")));   // before the snapshot
        layouts.put(4, plus(layouts.get(5), new Unbatch(Unbatch.PUBLISHES)));                       // before 87b092f
        layouts.put(3, plus(layouts.get(4), new Unbatch(Unbatch.COMMANDS)));                        // before d85e17c
        layouts.put(2, plus(layouts.get(3), new Drop("redis:server_info", "node_id")));            // before 86c2c86
        layouts.put(1, plus(layouts.get(2), new DropEvent("redis:cluster_redirect"),
                new Drop("redis:call_command_start", "slot")));                                     // before 36e8a6a
        for (var profile : recorded.keySet()) {
            for (var l : layouts.entrySet()) {
                var what = profile + " in layout " + l.getKey();
                var out = tmp.resolve("layout-" + profile + "-" + l.getKey());
                TraceRewriter.rewrite(recorded.get(profile), out, l.getValue());
                var cache = tmp.resolve("m-layout-" + profile + "-" + l.getKey());
                var r = Cli.run("analyze", out.toString(), "--cache", cache.toString());
                assertThat(r.exitCode()).as(what + ": " + r.err()).isZero();
                try (var s = Analysis.analyze(List.of(out), Analysis.Options.defaults().withCache(cache))) {
                    assertThat(Numbers.of(s.summary())).as(what).isEqualTo(baseline.get(profile));
                    assertThat(s.summary().counters().layout()).as(what).hasSize(1)
                            .allMatch(line -> line.startsWith("the Redis events match layout " + l.getKey() + " of kvscope's Redis patch"));
                    if (profile == Profile.LIGHT && l.getKey() <= 3) {
                        assertThat(s.summary().counters().eventsByName()).as(what).containsKey("redis:call_command_end")
                                .doesNotContainKey("redis:commands");
                    }
                }
            }
        }
    }

    /** Analyses one variant as `kvscope analyze` does, in this JVM; checks what every variant must satisfy. */
    private Summary variant(Source source, List<Change> changes) throws IOException {
        var profile = source.name();
        var dir = tmp.resolve("variant");
        var cache = tmp.resolve("variant.model");
        TempDirs.deleteRecursively(dir);
        TempDirs.deleteRecursively(cache);
        TraceRewriter.rewrite(source.trace(), dir, changes);
        var r = assertTimeoutPreemptively(ONE_ANALYSIS, () -> Cli.run("analyze", dir.toString(), "--cache", cache.toString()),
                () -> profile + " " + changes + ": hung");
        assertThat(r.exitCode()).as(profile + " " + changes + ": " + r.err()).isBetween(0, 1);
        assertThat(r.err()).as(profile + " " + changes).doesNotContain("internal error");
        assertThat(r.exitCode()).as(profile + " " + changes + ": a layout is not bad input: " + r.err()).isZero();
        if (++variants % 40 == 0) {
            System.gc();
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            assertThat(used).as("heap in use after " + variants + " variants").isLessThan(HEAP_BOUND);
        }
        try (var s = Analysis.analyze(List.of(dir), Analysis.Options.defaults().withCache(cache))) {
            assertThat(s.reused()).isTrue();
            return s.summary();
        }
    }

    /**
     * A field dropped or renamed: either the report names the event as lacking it (and what is not modelled), or the
     * model's numbers are those of the whole trace — never less, silently.
     */
    private void expectSaidOrUnchanged(Source source, Summary s, String event, String field, List<String> notSaid,
                                       List<String> problems) {
        var said = s.counters().layout().stream().anyMatch(l -> l.startsWith(event + " has no ") && l.contains(field));
        if (said) return;
        var n = Numbers.of(s);
        if (!n.equals(source.baseline())) problems.add(source.name() + " " + event + " without " + field + ", nothing said: " + n);
        notSaid.add(event + "." + field);
    }

    /** The redis:* event types the trace has events of, with their payload fields (no sequence lengths) and kinds. */
    private static Map<String, Map<String, FieldKind>> redisFields(Path trace) {
        var out = new TreeMap<String, Map<String, FieldKind>>();
        try (var t = Trace.open(trace)) {
            var seen = new HashSet<String>();
            for (var e : t) if (!e.isLost()) seen.add(e.name());
            for (var type : t.eventTypes()) {
                if (!type.name().startsWith("redis:") || !seen.contains(type.name())) continue;
                var fields = new LinkedHashMap<String, FieldKind>();
                for (var f : type.fieldNames()) if (!f.startsWith("_")) fields.put(f, type.kind(f));
                out.put(type.name(), fields);
            }
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A layout step: the changes of the one after it, and more. */
    private static List<Change> plus(List<Change> base, Change... more) {
        var out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }
}
