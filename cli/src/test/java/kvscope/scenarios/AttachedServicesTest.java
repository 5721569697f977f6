package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.services.SpanKind;
import kvscope.cli.Home;
import kvscope.cli.microservices.ExampleApp;
import kvscope.cli.record.NodeAgent;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisCluster;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attaching to running services (issue #21): the example microservices start and serve a first load before the
 * recording starts, so the Redis gateway's pooled connections already exist; the recording then sees a second load.
 * Every Redis call must still be linked to its Redis request: Redis's snapshot names the connections that no
 * accept_client in the trace shows.
 */
class AttachedServicesTest {
    @Test
    void redisCallsOnConnectionsOpenedBeforeTheRecordingAreLinked(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        NodeAgent.ensureBuilt(System.out);
        var trace = dir.resolve("trace");
        try (var cluster = RedisCluster.start(bin.resolve("redis-server"), 3);
             var app = ExampleApp.start(Home.dir(), dir.resolve("app"), ExampleApp.Problems.NONE,
                     "127.0.0.1:" + cluster.node(0).port(), "127.0.0.1:" + cluster.node(1).port())) {
            app.load(100, 30, 2, "GET /users/:id=50,POST /users=10,POST /orders=20", dir.resolve("before.json"));
            try (var rec = Recording.start(trace, Profile.FULL)) {
                app.load(400, 60, 2, "GET /users/:id=50,POST /users=10,POST /orders=20,GET /ranking=5",
                        dir.resolve("during.json"));
                Thread.sleep(1100); // server_info names each Redis host:port
                rec.stop();
            }
        }
        if (System.getenv("KVSCOPE_KEEP_TRACE") != null) { // KVSCOPE_KEEP_TRACE=DIR keeps the trace there
            new ProcessBuilder("cp", "-a", trace.toString(), System.getenv("KVSCOPE_KEEP_TRACE")).inheritIO().start().waitFor();
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var f = stored.services();
            long redisCalls = 0;
            for (long i = 0; i < f.count(); i++) if (f.kind(i) == SpanKind.REDIS) redisCalls++;
            assertThat(redisCalls).as("Redis calls recorded").isGreaterThan(300);
            // No accept_client names redisgw's connections: they were opened during the first load.
            var sum = stored.summary();
            assertThat(sum.servers()).anySatisfy(s -> assertThat(s.connectionsSeenMidLife()).isPositive());
            assertThat(sum.servers()).allSatisfy(s -> assertThat(s.connectionsNamedBySnapshot())
                    .as(s.name() + ": connections met mid-life, all named").isEqualTo(s.connectionsSeenMidLife()));
            assertThat(f.problems()).as("problems of the services analysis")
                    .noneMatch(p -> p.what().startsWith("Redis calls on connections the Redis trace does not show"));
            MicroservicesScenarioTest.checkRedisGateway(stored, f);
        }
    }
}
