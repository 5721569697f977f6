package kvscope.cli.live;

import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Tools;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.ctf.Trace;
import kvscope.ctf.live.LiveSession;
import kvscope.ctf.live.LiveUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kvscope's live-protocol client against a real lttng-relayd and a real live session recording the instrumented Redis
 * under redis-benchmark: what the client received while the session ran — every event, in time order — equals what
 * babeltrace2 and kvscope's own reader find in the relay's files afterwards (count per event type, and the sum of
 * each type's timestamps, so the same times), and the copy the client kept is the same trace.
 */
class LiveProtocolTest {
    @TempDir Path tmp;

    /** Per event type: {count, sum of timestamps}. */
    record Tally(Map<String, Long> counts, Map<String, Long> timeSums) {
        static Tally of() { return new Tally(new TreeMap<>(), new TreeMap<>()); }

        void add(String type, long ts) {
            counts.merge(type, 1L, Long::sum);
            timeSums.merge(type, ts, Long::sum);
        }
    }

    @Test void theEventsReceivedLiveAreTheOnesTheRelayStored() throws Exception {
        try (var relay = LiveRelay.start(tmp.resolve("relay"));
             var redis = RedisServer.start(InstrumentedRedis.server())) {
            var rec = relay.record("200ms", "12s", tmp.resolve("record.log"));
            var url = LiveUrl.parse(relay.url());
            waitForSession(url, rec);
            var notes = new ArrayList<String>();
            var live = Tally.of();
            long lost = 0, outOfOrder = 0, last = Long.MIN_VALUE;
            Process load;
            try (var session = LiveSession.open(url, tmp.resolve("copy"), Duration.ofSeconds(15), notes::add);
                 var trace = Trace.live(session)) {
                assertThat(notes).anyMatch(n -> n.startsWith("following net://127.0.0.1:" + relay.live + "/host/"));
                // The load starts once the client is attached: its requests happen while the session is followed.
                load = Tools.start(new ProcessBuilder(InstrumentedRedis.bin().resolve("redis-benchmark").toString(),
                        "-p", Integer.toString(redis.port()), "-n", "20000", "-c", "4", "-t", "set,get,incr", "-q")
                        .redirectErrorStream(true).redirectOutput(tmp.resolve("load.log").toFile()));
                for (var e : trace) {
                    if (e.isLost()) {
                        lost += e.lostCount();
                        continue;
                    }
                    if (e.timestamp() < last) outOfOrder++;
                    last = e.timestamp();
                    live.add(e.name(), e.timestamp());
                }
                var st = trace.liveStats();
                assertThat(st.streams()).isPositive();
                assertThat(st.packets()).isPositive();
                System.out.println("live: " + st + " lost " + lost);
            }
            assertThat(load.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(rec.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(rec.exitValue()).as(Files.readString(tmp.resolve("record.log"))).isZero();
            assertThat(outOfOrder).as("events handed out before an earlier one").isZero();
            assertThat(live.counts()).containsKey("redis:call_command_end");
            assertThat(live.counts().get("redis:call_command_end")).as("the benchmark's 60,000 commands").isGreaterThanOrEqualTo(60_000);

            var stored = relayTrace(relay.out);
            var onDisk = readWithKvscope(stored);
            assertThat(live.counts()).isEqualTo(onDisk.counts());
            assertThat(live.timeSums()).isEqualTo(onDisk.timeSums());
            var bt = readWithBabeltrace(stored);
            assertThat(live.counts()).isEqualTo(bt.counts());
            assertThat(live.timeSums()).isEqualTo(bt.timeSums());
            var copy = readWithKvscope(tmp.resolve("copy"));
            assertThat(copy.counts()).isEqualTo(live.counts());
            assertThat(copy.timeSums()).isEqualTo(live.timeSums());
            assertThat(lost).as("events the tracer discarded").isZero();
        }
    }

    static void waitForSession(LiveUrl url, Process rec) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (!rec.isAlive()) throw new AssertionError("kvscope record exited with status " + rec.exitValue());
            var sessions = LiveSession.list(url, Duration.ofSeconds(5));
            if (sessions.stream().anyMatch(s -> !s.contains("not live"))) return;
            Thread.sleep(100);
        }
        throw new AssertionError("no live session on " + url + " after 30 s");
    }

    /** The trace directory the relay wrote (HOST/SESSION-DATE). */
    static Path relayTrace(Path out) throws Exception {
        try (Stream<Path> s = Files.walk(out)) {
            var metadata = s.filter(p -> p.getFileName().toString().equals("metadata")).toList();
            assertThat(metadata).as("the relay's trace").isNotEmpty();
            return metadata.get(0).getParent();
        }
    }

    static Tally readWithKvscope(Path dir) {
        var t = Tally.of();
        try (var trace = Trace.open(dir)) {
            for (var e : trace) if (!e.isLost()) t.add(e.name(), e.timestamp());
        }
        return t;
    }

    /** babeltrace2's text output with times as seconds since the epoch: [1796333532.665218014] ... redis:x: {...}. */
    static Tally readWithBabeltrace(Path dir) throws Exception {
        var out = dir.resolveSibling("bt2.txt");
        var p = new ProcessBuilder("babeltrace2", "--clock-seconds", "--no-delta", dir.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        var line = Pattern.compile("^\\[(\\d+)\\.(\\d{9})] \\S+ ([A-Za-z0-9_]+:[A-Za-z0-9_]+): ");
        var t = Tally.of();
        try (var lines = Files.lines(out)) {
            lines.forEach(l -> {
                var m = line.matcher(l);
                if (m.find()) t.add(m.group(3), Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2)));
            });
        }
        return t;
    }
}
