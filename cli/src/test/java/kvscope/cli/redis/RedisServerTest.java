package kvscope.cli.redis;

import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisServerTest {

    @Test
    void startsAServerThatAnswersAndLeavesNothingBehindWhenClosed() throws Exception {
        ProcessHandle handle;
        java.nio.file.Path dir;
        try (var server = RedisServer.start(InstrumentedRedis.stockServer(), "maxmemory 10mb")) {
            handle = ProcessHandle.of(server.pid()).orElseThrow();
            dir = server.dir();
            assertThat(server.call("PING")).isEqualTo("PONG");
            assertThat(server.call("SET", "k", "v\r\nwith crlf")).isEqualTo("OK");
            assertThat(server.call("GET", "k")).isEqualTo("v\r\nwith crlf");
            assertThat(server.call("INCR", "n")).isEqualTo(1L);
            assertThat(server.call("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", "10485760"));
            assertThat(server.cpuTicks()).isGreaterThanOrEqualTo(0);
        }
        assertThat(handle.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void errorRepliesBecomeExceptionsWithRedisMessage() {
        try (var server = RedisServer.start(InstrumentedRedis.stockServer())) {
            assertThatThrownBy(() -> server.call("NOSUCHCOMMAND"))
                    .isInstanceOf(Resp.ErrorReply.class).hasMessageContaining("unknown command");
        }
    }

    @Test
    void aServerThatCannotStartFailsWithItsLog() {
        assertThatThrownBy(() -> RedisServer.start(InstrumentedRedis.stockServer(), "no-such-option yes"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not start")
                .hasMessageContaining("no-such-option");
    }

    @Test
    void twoServersGetDifferentPorts() {
        try (var a = RedisServer.start(InstrumentedRedis.stockServer());
             var b = RedisServer.start(InstrumentedRedis.stockServer())) {
            assertThat(a.port()).isNotEqualTo(b.port());
            a.call("SET", "where", "a");
            assertThat(b.call("GET", "where")).isNull();
        }
    }

    @Test
    void benchmarkRunsAgainstIt() {
        try (var server = RedisServer.start(InstrumentedRedis.stockServer())) {
            var run = RedisTools.benchmark(InstrumentedRedis.stockBin(), server.port(), Duration.ofSeconds(60),
                    "-n", "500", "-c", "5", "-t", "set", "--csv");
            assertThat(run.stdout()).contains("\"SET\"");
            var info = (String) server.call("INFO", "commandstats");
            assertThat(info).contains("cmdstat_set:calls=500,");
        }
    }

    @Test
    void tlsServerServesTlsClientsWithGeneratedCertificates() {
        try (var certs = TlsCerts.generate();
             var server = RedisServer.start(InstrumentedRedis.stockServer(), certs, List.of())) {
            assertThat(server.tlsPort()).isPositive().isNotEqualTo(server.port());
            var run = RedisTools.cli(InstrumentedRedis.stockBin(), server.tlsPort(), Duration.ofSeconds(30),
                    "--tls", "--cacert", certs.caCert().toString(), "SET", "over", "tls");
            assertThat(run.stdout().strip()).isEqualTo("OK");
            assertThat(server.call("GET", "over")).isEqualTo("tls");
        }
    }
}
