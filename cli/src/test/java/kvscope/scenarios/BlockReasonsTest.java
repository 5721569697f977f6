package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.segments.BlockReason;
import kvscope.analysis.segments.Segment;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ways a blocked client is let go that BlockingScenarioTest does not stage (issue #19), with real processes, in
 * both profiles (the light one has block_client and unblock_client too, but its commands come in batches):
 * <ul>
 *   <li>{@code module}: Redis 7.0 blocks a client with BLOCKED_MODULE only from a module, so the server loads
 *       blockonbackground.so from Redis's own tests/modules (instrument/redis/build-test-module.sh). Its
 *       {@code BLOCK.DEBUG delay timeout} calls RM_BlockClient, then a thread sleeps {@code delay} ms and calls
 *       RM_UnblockClient; moduleHandleBlockedClients() then unblocks the client ({@code module}). With {@code timeout < delay} replyToBlockedClientTimedOut() lets it go first
 *       ({@code timeout}).</li>
 *   <li>{@code unpause}: during {@code CLIENT PAUSE … WRITE} Redis 7.0's processCommand() blocks a client's write with
 *       BLOCKED_POSTPONE before running it; {@code CLIENT UNPAUSE} ends the pause and unblockPostponedClients() lets
 *       it go, and the write then runs.</li>
 *   <li>{@code role_change}: {@code REPLICAOF host port} on a master calls replicationSetMaster(), whose
 *       disconnectAllBlockedClients() answers every blocked client (BLPOP here) {@code -UNBLOCKED … (master ->
 *       replica?)}, unblocks it and closes it after the reply (7.0 has no disconnectOrRedirectAllBlockedClients:
 *       that is 7.2's).</li>
 * </ul>
 * The bounds are BlockingScenarioTest's: the block begins after the command was sent (t0) and before the test saw the
 * client blocked in CLIENT LIST (seen); it ends after the unblocking command was sent (act) and before that command's
 * reply came back (acted). So act − seen ≤ blocked ≤ acted − t0, with 0.2 ms on each side. A module's block lasts at
 * least its thread's sleep (the thread starts after RM_BlockClient) or, timed out, its timeout less 1 ms (Redis
 * compares the deadline in whole milliseconds, mstime()); at most until the reply came back.
 */
class BlockReasonsTest {
    private static final long SLACK_NS = 200_000;
    private static final long DELAY_MS = 200;

    private record Truth(String command, String btype, BlockReason reason, long clientId, long lowerNs, long upperNs) {
        /** The key of ServerStats.blocked: "btype reason". */
        String phase() { return btype + " " + reason.name().toLowerCase(Locale.ROOT); }
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void moduleUnpauseAndRoleChangeLetBlockedClientsGoWithTheirReasons(Profile profile, @TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin().resolve("redis-server");
        var trace = dir.resolve("trace");
        var truths = new ArrayList<Truth>();
        long pid;
        int port;
        try (var server = RedisServer.start(bin, "loadmodule " + InstrumentedRedis.blockingModule());
             var other = RedisServer.start(bin)) {
            pid = server.pid();
            port = server.port();
            try (var rec = Recording.start(trace, profile); var writer = server.client(); var admin = server.client();
                 var blocker = server.client()) {
                // module: BLOCK.DEBUG blocks until its thread has slept DELAY_MS and unblocks it.
                long moduleId = (Long) blocker.call("CLIENT", "ID");
                long t0 = System.nanoTime();
                assertThat(blocker.call("BLOCK.DEBUG", Long.toString(DELAY_MS), "10000")).isInstanceOf(Long.class);
                long acted = System.nanoTime();
                truths.add(new Truth("block.debug", "module", BlockReason.MODULE, moduleId, DELAY_MS * 1_000_000, acted - t0));

                // module, timed out: the thread sleeps longer than the timeout; Redis answers the timeout first.
                long timeoutMs = 100;
                t0 = System.nanoTime();
                assertThat(blocker.call("BLOCK.DEBUG", "600", Long.toString(timeoutMs))).isEqualTo("Request timedout");
                acted = System.nanoTime();
                truths.add(new Truth("block.debug", "module", BlockReason.TIMEOUT, moduleId, (timeoutMs - 1) * 1_000_000, acted - t0));

                // unpause: a write sent during CLIENT PAUSE WRITE waits for CLIENT UNPAUSE, then runs.
                long writerId = (Long) writer.call("CLIENT", "ID");
                assertThat(admin.call("CLIENT", "PAUSE", "10000", "WRITE")).isEqualTo("OK");
                t0 = System.nanoTime();
                var pushed = CompletableFuture.supplyAsync(() -> writer.call("LPUSH", "paused", "x"));
                long seen = BlockingScenarioTest.waitBlocked(admin, writerId);
                Thread.sleep(DELAY_MS);
                long act = System.nanoTime();
                assertThat(admin.call("CLIENT", "UNPAUSE")).isEqualTo("OK");
                acted = System.nanoTime();
                assertThat(pushed.get()).as("the paused write ran after the pause").isEqualTo(1L);
                truths.add(new Truth("lpush", "pause", BlockReason.UNPAUSE, writerId, act - seen, acted - t0));

                // role_change: a BLPOP on a master that becomes a replica is answered -UNBLOCKED and closed.
                long blockerId = (Long) blocker.call("CLIENT", "ID");
                t0 = System.nanoTime();
                var popped = CompletableFuture.supplyAsync(() -> {
                    try {
                        return blocker.call("BLPOP", "never", "10");
                    } catch (Resp.ErrorReply e) {
                        return e.getMessage();
                    }
                });
                seen = BlockingScenarioTest.waitBlocked(admin, blockerId);
                Thread.sleep(DELAY_MS);
                act = System.nanoTime();
                assertThat(admin.call("REPLICAOF", "127.0.0.1", Integer.toString(other.port()))).isEqualTo("OK");
                acted = System.nanoTime();
                assertThat(String.valueOf(popped.get())).as("BLPOP's answer").contains("UNBLOCKED");
                truths.add(new Truth("blpop", "list", BlockReason.ROLE_CHANGE, blockerId, act - seen, acted - t0));
                admin.call("REPLICAOF", "NO", "ONE");
                Thread.sleep(1100);
                rec.stop();
            }
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var st = stored.summary().servers().stream().filter(s -> s.vpid() == pid && s.port() == port).findFirst().orElseThrow();
            var sf = stored.segments();
            var segs = new ArrayList<Segment>();
            sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, sf.serverIndex(st.name()), -1, c -> {
                if (c.blockReason() != BlockReason.NONE.ordinal()) segs.add(c.toSegment());
            });
            System.out.println();
            System.out.println("block reasons (" + profile + " profile): " + st.name() + ", kvscope vs what the clients measured");
            System.out.printf(Locale.ROOT, "%-16s %12s %12s | %-12s %-11s %12s %12s%n", "blocked phase", "kvscope ms",
                    "segment ms", "command", "segment", "lower ms", "upper ms");
            for (int i = 0; i < truths.size(); i++) {
                var t = truths.get(i);
                var phase = st.blocked().get(t.phase());
                var s = i < segs.size() ? segs.get(i) : null;
                System.out.printf(Locale.ROOT, "%-16s %12.3f %12.3f | %-12s %-11s %12.3f %12.3f%n", t.phase(),
                        phase == null ? 0 : phase[1] / 1e6, s == null ? 0 : s.blockedNs() / 1e6, t.command(),
                        s == null ? "-" : BlockReason.at(s.blockReason()), t.lowerNs() / 1e6, t.upperNs() / 1e6);
            }
            // The server's blocked phases by type and reason, with their time: in both profiles.
            assertThat(st.blocked().keySet()).containsExactlyInAnyOrderElementsOf(truths.stream().map(Truth::phase).toList());
            for (var t : truths) {
                var phase = st.blocked().get(t.phase());
                assertThat(phase[0]).as(t.phase() + " count").isEqualTo(1);
                assertThat(phase[1]).as(t.phase() + " blocked").isBetween(t.lowerNs() - SLACK_NS, t.upperNs() + SLACK_NS);
            }
            if (profile == Profile.LIGHT) {
                // The light profile's segment of a command is its call() alone (the `commands` batch): the block that
                // follows it is no phase of it, so no segment carries one.
                assertThat(segs).as("segments with a block in the light profile").isEmpty();
            } else {
                assertThat(segs).as("one blocked request per truth").hasSize(truths.size());
                for (int i = 0; i < truths.size(); i++) {
                    var t = truths.get(i);
                    var s = segs.get(i);
                    assertThat(sf.commands().get(s.command())).isEqualTo(t.command());
                    assertThat(s.clientId()).isEqualTo(t.clientId());
                    assertThat(BlockReason.at(s.blockReason())).isEqualTo(t.reason());
                    assertThat(s.blockedNs()).as(t.command() + " blocked").isBetween(t.lowerNs() - SLACK_NS, t.upperNs() + SLACK_NS);
                }
            }
            assertThat(stored.summary().counters().unknownEvents()).isEmpty();
        }
    }
}
