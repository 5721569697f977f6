package kvscope.cli.multihost;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.sync.HostClock;
import kvscope.analysis.sync.Verdict;
import kvscope.cli.Home;
import kvscope.cli.testing.Cli;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hosts made of network namespaces (two-hosts.sh: each its own UTS and mount namespace, LTTng session daemon,
 * Redis cluster node and address on a bridge), streaming with {@code kvscope record --relay} to the relay daemon of
 * {@code kvscope aggregate}; the experiment is then analysed as one. The namespaces share one kernel and so one
 * clock: the true offset between the hosts is 0, and it must lie inside the bound kvscope reports. Then host-b's
 * clock offset is moved by a known 3.7 ms in its metadata — what a host whose wall clock is wrong records — and the
 * estimate must find it, within its bound.
 */
class TwoHostsTest {
    static final long SKEW_NS = 3_700_000;
    @TempDir static Path tmp;
    static Path experiment;
    static int published;

    @BeforeAll static void record() throws Exception {
        experiment = tmp.resolve("experiment");
        var out = twoHosts(experiment, Map.of(), 180);
        var m = Pattern.compile("publishes (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        published = Integer.parseInt(m.group(1));
        assertThat(out).contains("2 hosts received:", "host-a: host-a/", "host-b: host-b/");
    }

    /** Runs two-hosts.sh into {@code experiment} with these environment variables; returns its output (rc 0). */
    static String twoHosts(Path experiment, Map<String, String> env, int timeoutSeconds) throws Exception {
        var script = Path.of(TwoHostsTest.class.getResource("/kvscope/cli/multihost/two-hosts.sh").toURI());
        var java = ProcessHandle.current().info().command().orElse("java");
        var pb = new ProcessBuilder("bash", script.toString(), experiment.toString(), InstrumentedRedis.bin().toString(),
                java, System.getProperty("java.class.path"));
        pb.environment().put("KVSCOPE_HOME", Home.dir().toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        var log = experiment.resolveSibling(experiment.getFileName() + ".log");
        pb.redirectOutput(log.toFile());
        var p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroy(); // its trap removes the namespaces and processes
            p.waitFor(20, TimeUnit.SECONDS);
            throw new AssertionError("two-hosts.sh did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        var out = Files.readString(log);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static List<HostClock> analyse(Path dir) throws IOException {
        try (var stored = Analysis.analyze(List.of(dir), Analysis.Options.defaults().withForce(true))) {
            long[] bus = {0}, backwards = {0};
            stored.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sf, st, ds, df, dt) -> {
                if (dt < st) backwards[0]++;
                if (kind == Flow.Hop.BUS) bus[0]++;
            });
            assertThat(backwards[0]).as("arrows going backwards").isZero();
            assertThat(bus[0]).as("publishes crossing the bus between the hosts").isPositive().isLessThanOrEqualTo(published);
            return stored.clocks().hosts();
        }
    }

    @Test void oneKernelTheTrueOffsetZeroIsInsideTheBound() throws Exception {
        var clocks = analyse(experiment);
        assertThat(clocks).extracting(HostClock::host).containsExactly("host-a", "host-b");
        var b = clocks.get(1);
        assertThat(b.verdict()).as(b.toString()).isEqualTo(Verdict.ACCURATE);
        assertThat((double) Math.abs(b.offsetNs())).as(b.toString()).isLessThanOrEqualTo(b.boundNs());
        assertThat(b.boundNs()).as("a bound that says something").isLessThan(2_000_000);
        var report = Cli.run("report", experiment.toString());
        assertThat(report.out()).contains("== clocks of 2 hosts").containsPattern("host-b .* accurate");
    }

    @Test void aClockOffsetMovedByAKnownAmountIsFoundWithinTheBound() throws Exception {
        var copy = tmp.resolve("skewed");
        copyTree(experiment, copy);
        shiftClockOffset(copy.resolve("host-b"), SKEW_NS);
        var b = analyse(copy).get(1);
        assertThat(b.verdict()).as(b.toString()).isEqualTo(Verdict.ACCURATE);
        // host-b's clock now reads 3.7 ms late: the correction is −3.7 ms, give or take the bound.
        assertThat((double) Math.abs(b.offsetNs() + SKEW_NS)).as(b.toString()).isLessThanOrEqualTo(b.boundNs());
    }

    /**
     * Each host's trace analysed on its own (as `kvscope analyze` on that host would, docs/combine.md), the two models
     * combined: the same clocks, counts, arrows (those between the hosts included) and percentiles as the one-go
     * analysis of the same skewed experiment.
     */
    @Test void perHostModelsCombinedEqualTheOneGoAnalysis() throws Exception {
        var copy = tmp.resolve("skewed-per-host");
        copyTree(experiment, copy);
        shiftClockOffset(copy.resolve("host-b"), SKEW_NS);
        var models = tmp.resolve("models");
        for (var h : List.of("host-a", "host-b")) {
            Analysis.analyze(List.of(copy.resolve(h)), Analysis.Options.defaults().withCache(models.resolve(h))).close();
            assertThat(models.resolve(h).resolve(Analysis.PAIRS)).isNotEmptyFile();
        }
        try (var one = Analysis.analyze(List.of(copy), Analysis.Options.defaults().withCache(tmp.resolve("one")));
             var comb = Analysis.analyze(List.of(models), Analysis.Options.defaults().withCache(tmp.resolve("combined")))) {
            assertThat(comb.clocks().hosts()).isEqualTo(one.clocks().hosts());
            assertThat(comb.clocks().hosts().get(1).verdict()).isEqualTo(Verdict.ACCURATE);
            var a = one.summary();
            var b = comb.summary();
            assertThat(b.counters().events()).isEqualTo(a.counters().events());
            assertThat(b.counters().flows()).isEqualTo(a.counters().flows());
            assertThat(b.latencies()).containsExactlyInAnyOrderElementsOf(a.latencies());
            var fa = arrows(one);
            assertThat(arrows(comb)).isEqualTo(fa);
            assertThat(fa.keySet()).anyMatch(k -> k.startsWith("BUS host-a") && k.contains(" host-b"));
        }
    }

    /** Every arrow by kind, server names, fds and times, with how often it occurs. */
    static Map<String, Long> arrows(Stored s) throws IOException {
        var names = s.segments().servers();
        var m = new TreeMap<String, Long>();
        s.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sfd, st, ds, dfd, dt) ->
                m.merge(kind + " " + names.get(ss) + " " + sfd + " " + st + " " + names.get(ds) + " " + dfd + " " + dt, 1L, Long::sum));
        return m;
    }

    /** Adds delta to the {@code offset} of every clock in the metadata below dir (same number of digits: in place). */
    static void shiftClockOffset(Path dir, long delta) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (var md : s.filter(p -> p.getFileName().toString().equals("metadata")).toList()) {
                var bytes = Files.readAllBytes(md);
                var text = new String(bytes, StandardCharsets.ISO_8859_1);
                var m = Pattern.compile("(\\boffset = )(\\d+)(;)").matcher(text);
                var sb = new StringBuilder();
                int n = 0;
                while (m.find()) {
                    var shifted = Long.toString(Long.parseLong(m.group(2)) + delta);
                    assertThat(shifted).hasSameSizeAs(m.group(2));
                    m.appendReplacement(sb, m.group(1) + shifted + m.group(3));
                    n++;
                }
                m.appendTail(sb);
                assertThat(n).as("clock offsets in " + md).isPositive();
                Files.write(md, sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        var list = new ArrayList<Path>();
        try (Stream<Path> s = Files.walk(from)) {
            s.filter(p -> !from.relativize(p).toString().startsWith(".kvscope")).forEach(list::add);
        }
        for (var p : list) {
            var t = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) Files.createDirectories(t);
            else Files.copy(p, t);
        }
    }
}
