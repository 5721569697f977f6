package kvscope.cli.multihost;

import kvscope.analysis.Analysis;
import kvscope.analysis.flows.Flow;
import kvscope.analysis.sync.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Two hosts (two-hosts.sh: network namespaces, a Redis cluster node and a session daemon in each, one relay daemon)
 * recording live sessions, host-b's wall clock 3.7 ms ahead (its session daemon's CLOCK_REALTIME shifted:
 * realtime-skew.c), followed as one by `kvscope analyze --live net://RELAY` on the aggregator from before the load.
 * The live pass must hand the model every event of both hosts (its count equals the final model's); the model stored
 * when the sessions end must equal `kvscope analyze` of the relay's own copies — the same clocks, events, requests,
 * percentiles and arrows, the bus arrows between the hosts included — with no bus arrow going backwards by more than
 * the bound the clock estimate reports, and the estimate must find host-b's skew (the difference of the two traces'
 * clock offsets: the hosts share one kernel's monotonic clock) within that bound.
 */
class LiveTwoHostsTest {
    @TempDir Path tmp;

    @Test void twoHostsFollowedLiveAsOneEqualTheAnalysisOfTheRelaysCopies() throws Exception {
        var experiment = tmp.resolve("experiment");
        var copy = tmp.resolve("live");
        var out = TwoHostsTest.twoHosts(experiment, Map.of("LIVE_OUT", copy.toString(),
                "SKEW_B_NS", Long.toString(TwoHostsTest.SKEW_NS)), 240);
        assertThat(out).contains("2 hosts received:", "follow: Following net://127.0.0.1/host/host-a/", "/host/host-b/",
                "follow: live 2 sessions: ", "the session ended");
        var m = Pattern.compile("follow: live: (\\d+) events modelled; now the model again from the copy: 2 hosts").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long livePass = Long.parseLong(m.group(1));
        try (var live = Analysis.analyze(List.of(copy), Analysis.Options.defaults());
             var after = Analysis.analyze(List.of(experiment), Analysis.Options.defaults().withCache(tmp.resolve("after")))) {
            assertThat(live.reused()).as("report of the copy reuses the model stored at the end").isTrue();
            var a = live.summary();
            var b = after.summary();
            assertThat(a.counters().damage()).isEmpty();
            assertThat(livePass).as("every event of both hosts reached the model live").isEqualTo(a.counters().events());
            assertThat(a.counters().events()).isEqualTo(b.counters().events());
            assertThat(a.counters().flows()).isEqualTo(b.counters().flows());
            assertThat(a.latencies()).containsExactlyInAnyOrderElementsOf(b.latencies());
            assertThat(live.clocks().hosts()).isEqualTo(after.clocks().hosts());
            var hb = live.clocks().hosts().get(1);
            assertThat(hb.host()).isEqualTo("host-b");
            assertThat(hb.verdict()).as(hb.toString()).isEqualTo(Verdict.ACCURATE);
            // The skew as recorded: host-b's offset minus host-a's (the sessiond samples its clocks: ± a few µs of 3.7 ms).
            long skew = clockOffset(copy.resolve("host-b")) - clockOffset(copy.resolve("host-a"));
            assertThat((double) skew).isCloseTo(TwoHostsTest.SKEW_NS, within(50_000.0));
            assertThat((double) Math.abs(hb.offsetNs() + skew)).as(hb + " against a skew of " + skew + " ns")
                    .isLessThanOrEqualTo(hb.boundNs());
            // While the sessions ran (every 2 s, and when the reading ended), the estimate from the pairs the live reading
            // had seen was told; each bound it gave holds.
            var soFar = Pattern.compile("clocks so far \\(not applied live\\): host-b ([-+][\\d.]+) ms ± ([\\d.]+) ms").matcher(out);
            int told = 0;
            String last = null;
            while (soFar.find()) {
                told++;
                last = soFar.group();
                double offsetMs = Double.parseDouble(soFar.group(1)), boundMs = Double.parseDouble(soFar.group(2));
                assertThat(Math.abs(offsetMs * 1e6 + skew)).as(soFar.group()).isLessThanOrEqualTo(boundMs * 1e6 + 1_000);
            }
            assertThat(told).as("live estimates with a bound in:\n" + out).isPositive();
            System.out.println("LiveTwoHostsTest: recorded skew " + skew + " ns; " + told + " live estimates, the last: "
                    + last + "; at the end: " + hb);
            var arrows = TwoHostsTest.arrows(live);
            assertThat(arrows).isEqualTo(TwoHostsTest.arrows(after));
            assertThat(arrows.keySet()).anyMatch(k -> k.startsWith("BUS host-a") && k.contains(" host-b"));
            long[] bus = {0}, beyond = {0};
            live.flows().forEach(Long.MIN_VALUE, Long.MAX_VALUE, (kind, ss, sf, st, ds, df, dt) -> {
                if (kind != Flow.Hop.BUS) return;
                bus[0]++;
                if (dt < st - hb.boundNs()) beyond[0]++;
            });
            assertThat(bus[0]).isPositive();
            assertThat(beyond[0]).as("bus arrows backwards by more than ±" + hb.boundNs() + " ns").isZero();
        }
    }

    /** The clock offset in the metadata of the one trace below dir. */
    private static long clockOffset(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            var md = s.filter(p -> p.getFileName().toString().equals("metadata")).toList();
            assertThat(md).as("metadata below " + dir).hasSize(1);
            var m = Pattern.compile("\\boffset = (\\d+);").matcher(Files.readString(md.get(0), StandardCharsets.ISO_8859_1));
            assertThat(m.find()).as("clock offset in " + md.get(0)).isTrue();
            return Long.parseLong(m.group(1));
        }
    }
}
