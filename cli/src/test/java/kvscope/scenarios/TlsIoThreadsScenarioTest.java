package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.TlsCerts;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario tls-io-threads (paper use case 4, redis/redis#12540): TLS with io-threads 4 and io-threads-do-reads,
 * pipelined TLS clients sending large values in parts and killed mid-stream — what makes Redis 7.0 queue a client
 * twice and free it twice. The race is rare; whatever happens, kvscope must agree with the ground truth: if the server
 * crashed in freeClient, kvscope reports the client queued or freed twice (with the events); if it did not crash,
 * kvscope reports no double free. The exact sequence of the paper is checked on a written trace in FindingsTest.
 * {@code scenarios/tls-io-threads/run} tries harder (-Dkvscope.scenario.rounds=N).
 */
class TlsIoThreadsScenarioTest {

    @Test
    void findingsAgreeWithWhetherTheServerCrashed(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("kvscope.scenario.rounds", 3);
        var bin = InstrumentedRedis.bin();
        var trace = dir.resolve("trace");
        boolean crashed;
        String log;
        String name, tlsName;
        try (var certs = TlsCerts.generate();
             var server = RedisServer.start(bin.resolve("redis-server"), certs,
                     List.of("io-threads 4", "io-threads-do-reads yes"))) {
            // LTTng records every traced process of the user: judge only this server (named after either of its ports).
            name = ":" + server.port();
            tlsName = ":" + server.tlsPort();
            try (var rec = Recording.start(trace, Profile.FULL)) {
                for (int i = 0; i < rounds && server.isAlive(); i++) {
                    // Large values (in many TLS records), deep pipelines, many clients; killed while sending.
                    var p = new ProcessBuilder(bin.resolve("redis-benchmark").toString(), "-h", "127.0.0.1",
                            "-p", Integer.toString(server.tlsPort()), "--tls", "--cacert", certs.caCert().toString(),
                            "-n", "1000000", "-t", "set", "-d", Integer.toString(20_000 + 7_777 * i), "-P", "50", "-c", "30", "-q")
                            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    p.waitFor(1200, TimeUnit.MILLISECONDS);
                    p.destroyForcibly().waitFor();
                }
                Thread.sleep(1100);
                rec.stop();
            }
            crashed = !server.isAlive();
            log = server.logTail();
        }
        List<Finding> findings;
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            findings = Findings.detect(stored, Thresholds.DEFAULT).stream()
                    .filter(f -> f.server().isEmpty() || f.server().endsWith(name) || f.server().endsWith(tlsName))
                    .toList();
            assertThat(stored.summary().counters().eventsByName()).containsKeys("redis:ssl_read", "redis:insert_pending_read",
                    "redis:handle_pending_reads_threads_start");
        }
        var kinds = findings.stream().map(Finding::kind).toList();
        boolean assertion = log.contains("ASSERTION FAILED") || log.contains("freeClient");
        System.out.println();
        System.out.println("scenario tls-io-threads: " + rounds + " rounds of pipelined TLS clients killed mid-stream");
        System.out.printf("%-52s | %s%n", "kvscope (from the trace)", "ground truth (same run)");
        System.out.printf("%-52s | %s%n", "findings: " + kinds.stream().distinct().toList(),
                "server " + (crashed ? "CRASHED" : "alive") + (assertion ? ", freeClient assertion in its log" : ""));
        findings.stream().filter(f -> f.severity() == Finding.Severity.CRITICAL).limit(3).forEach(f -> {
            System.out.println("  " + f.title() + " at " + f.start());
            f.events().forEach(e -> System.out.println("      " + e));
        });
        if (crashed && assertion) {
            assertThat(kinds).as("the crash: " + log).containsAnyOf("queued-twice", "freed-twice");
        } else {
            assertThat(kinds).as("no crash, so no client was freed twice").doesNotContain("freed-twice");
        }
    }
}
