package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario slow-subscriber (detector 5, backlog growth): a subscriber that stops reading while a publisher sends
 * 10 KiB messages. Its output buffer grows until Redis closes it at client-output-buffer-limit (set to 4 MB hard
 * here). kvscope must report the growing buffer and the bytes left unsent, agreeing with the ground truth Redis
 * itself gives in the same run (CLIENT LIST's omem, sampled while it grows, and the subscriber's connection being
 * closed); the same traffic to a subscriber that reads must produce no backlog finding.
 */
class SlowSubscriberScenarioTest {
    private static final int MESSAGES = 1500, SIZE = 10 * 1024;
    private static final long HARD_LIMIT = 4L << 20;
    private static final Pattern OMEM = Pattern.compile("omem=(\\d+)");

    @Test
    void aSubscriberThatStopsReadingIsABacklogAndOneThatReadsIsNot(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        List<Finding> slow, clean;
        long maxOmem = 0;
        boolean closedByServer;
        try (var server = RedisServer.start(bin.resolve("redis-server"), "client-output-buffer-limit pubsub 4mb 2mb 60")) {
            var name = ":" + server.port();
            var trace = dir.resolve("slow");
            try (var rec = Recording.start(trace, Profile.FULL); var pub = server.client(); var admin = server.client();
                 var sub = server.client()) {
                sub.call("SUBSCRIBE", "feed");
                var payload = "x".repeat(SIZE);
                for (int i = 0; i < MESSAGES; i++) {
                    pub.call("PUBLISH", "feed", payload);
                    if (i % 20 == 0) maxOmem = Math.max(maxOmem, omem(admin));
                }
                Thread.sleep(300);
                closedByServer = admin.call("CLIENT", "LIST", "TYPE", "pubsub").toString().isBlank();
                Thread.sleep(1100);
                rec.stop();
            }
            slow = findings(trace, name);

            var quiet = dir.resolve("clean");
            try (var rec = Recording.start(quiet, Profile.FULL); var pub = server.client(); var sub = server.client()) {
                sub.call("SUBSCRIBE", "feed");
                var payload = "x".repeat(SIZE);
                for (int i = 0; i < MESSAGES; i++) {
                    pub.call("PUBLISH", "feed", payload);
                    sub.read();
                }
                Thread.sleep(1100);
                rec.stop();
            }
            clean = findings(quiet, name);
        }
        var backlog = slow.stream().filter(f -> f.kind().equals("backlog-growth")).toList();
        print(backlog, maxOmem, closedByServer, clean);

        long omem = maxOmem;
        assertThat(closedByServer).as("ground truth: Redis closed the subscriber at its output-buffer limit").isTrue();
        assertThat(backlog).singleElement().satisfies(f -> {
            assertThat(f.explanation()).contains("closed with");
            long unsent = unsent(f);
            // Redis counts memory (omem, whole reply blocks) and closes past the hard limit; kvscope counts the bytes
            // still unsent when it freed the client: the same backlog, seen from the two sides.
            assertThat(unsent).as("bytes unsent at the free, vs the 4 MB limit and omem %d", omem)
                    .isBetween(HARD_LIMIT * 3 / 4, HARD_LIMIT + 64 * 1024);
            assertThat(unsent).isGreaterThanOrEqualTo(omem * 4 / 5);
        });
        assertThat(clean).as("a subscriber that reads: " + clean).noneMatch(f -> f.kind().equals("backlog-growth"));
    }

    private static long omem(Resp admin) {
        var list = admin.call("CLIENT", "LIST", "TYPE", "pubsub").toString();
        var m = OMEM.matcher(list);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The unsent bytes as the finding states them ("closed with 3.9 MiB still unsent"). */
    private static long unsent(Finding f) {
        var m = Pattern.compile("closed with ([0-9.]+) (B|KiB|MiB|GiB) still unsent").matcher(f.explanation());
        assertThat(m.find()).as(f.explanation()).isTrue();
        double v = Double.parseDouble(m.group(1));
        return (long) (v * switch (m.group(2)) {
            case "KiB" -> 1024;
            case "MiB" -> 1 << 20;
            case "GiB" -> 1 << 30;
            default -> 1;
        });
    }

    private static List<Finding> findings(Path trace, String serverSuffix) throws Exception {
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(trace.resolveSibling(trace.getFileName() + ".model")))) {
            return Findings.detect(stored, Thresholds.DEFAULT).stream()
                    .filter(f -> f.server().isEmpty() || f.server().endsWith(serverSuffix)).toList();
        }
    }

    private static void print(List<Finding> backlog, long maxOmem, boolean closed, List<Finding> clean) {
        System.out.println();
        System.out.printf("scenario slow-subscriber: %d × PUBLISH of %d B to a subscriber that does not read; pubsub limit 4mb%n",
                MESSAGES, SIZE);
        System.out.printf("%-60s | %s%n", "kvscope (from the trace)", "ground truth (same run)");
        System.out.printf("%-60s | %s%n", backlog.isEmpty() ? "no backlog finding" : backlog.get(0).title(),
                String.format(Locale.ROOT, "CLIENT LIST omem, sampled max: %.2f MiB", maxOmem / 1048576.0));
        System.out.printf("%-60s | %s%n", backlog.isEmpty() ? "" : String.format(Locale.ROOT, "unsent at free: %.2f MiB",
                unsent(backlog.get(0)) / 1048576.0), "subscriber closed by Redis: " + closed);
        System.out.printf("%-60s | %s%n", "clean run findings: " + clean.stream().map(Finding::kind).toList(), "(subscriber reads)");
    }
}
