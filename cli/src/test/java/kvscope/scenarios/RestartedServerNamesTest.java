package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.model.ServerStats;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server's identity survives restarts (issue #19): three runs of redis-server on one port in one recording — two
 * within the first seconds (named by ServerNames' look-ahead), one after it (named by the model when it shows its
 * port) — are three servers, each named host:port@pid, in the summary, the segments and the history; each one's
 * commands are its own.
 */
class RestartedServerNamesTest {
    @Test
    void threeRunsOnOnePortAreThreeServers(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin().resolve("redis-server");
        var trace = dir.resolve("trace");
        var pids = new ArrayList<Long>();
        int port;
        try (var rec = Recording.start(trace, Profile.FULL)) {
            try (var first = RedisServer.start(bin)) {
                port = first.port();
                pids.add(first.pid());
                first.call("SET", "k", "v");
            }
            try (var second = RedisServer.startOn(bin, port)) {
                pids.add(second.pid());
                for (int i = 0; i < 2; i++) second.call("SET", "k", "v");
                Thread.sleep(3000); // past the look-ahead of ServerNames (2.5 s of trace)
            }
            try (var third = RedisServer.startOn(bin, port)) {
                pids.add(third.pid());
                for (int i = 0; i < 3; i++) third.call("SET", "k", "v");
                Thread.sleep(300);
            }
            rec.stop();
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var runs = stored.summary().servers().stream().filter(s -> s.port() == port).toList();
            System.out.println("servers on port " + port + ": " + runs.stream().map(s -> s.name() + " (pid " + s.vpid()
                    + ", " + s.commands() + " commands)").toList() + "; pids started " + pids);
            assertThat(runs).extracting(s -> (long) s.vpid()).containsExactlyInAnyOrderElementsOf(pids);
            var names = runs.stream().map(ServerStats::name).toList();
            assertThat(new HashSet<>(names)).as("distinct names").hasSize(3);
            for (var s : runs) assertThat(s.name()).endsWith(":" + port + "@" + s.vpid());
            var sf = stored.segments();
            var h = stored.history();
            for (int i = 0; i < 3; i++) {
                long pid = pids.get(i);
                var s = runs.stream().filter(r -> r.vpid() == pid).findFirst().orElseThrow();
                int si = sf.serverIndex(s.name());
                assertThat(si).as(s.name() + " in the segments").isGreaterThanOrEqualTo(0);
                assertThat(h.lookup(s.name())).as(s.name() + " in the history").isGreaterThanOrEqualTo(0);
                long[] sets = {0};
                sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, si, sf.commandIndex("set"), c -> sets[0]++);
                assertThat(sets[0]).as("SETs of run " + (i + 1)).isEqualTo(i + 1);
            }
            assertThat(new HashSet<>(sf.servers())).hasSameSizeAs(sf.servers());
        }
    }
}
