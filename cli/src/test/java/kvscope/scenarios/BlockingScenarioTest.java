package kvscope.scenarios;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.findings.Finding;
import kvscope.analysis.findings.Findings;
import kvscope.analysis.findings.Thresholds;
import kvscope.analysis.model.ServerStats;
import kvscope.analysis.report.Report;
import kvscope.analysis.report.TextReport;
import kvscope.analysis.segments.BlockReason;
import kvscope.analysis.segments.Segment;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import kvscope.statesystem.History;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Blocking commands (issue #19): a client blocks in BLPOP and BLMOVE until another client pushes after a delay, in
 * BLPOP until its timeout, in WAIT (no replica) until its timeout, and in BLPOP until CLIENT UNBLOCK; and, in a test of
 * its own, in WAIT until a replica held back acknowledges. kvscope's blocked phase of each request must lie within
 * what the clients measured themselves (below), with the right reason, and no slow-request finding may name these
 * commands — unless asked with slowWithBlocked.
 *
 * <p>The bounds need no tolerance for load: the block happens after the blocking command was sent (t0) and before
 * the other client saw the server report it blocked (seen); the unblock happens after the push was sent (push) and
 * before its reply came back (pushed). So push − seen ≤ blocked ≤ pushed − t0. 0.2 ms is added on each side for the
 * tracepoints' own time and Java's and LTTng's reading of the same CLOCK_MONOTONIC.
 */
class BlockingScenarioTest {
    private static final long SLACK_NS = 200_000;
    private static final long DELAY_MS = 300;
    /** How long the replica is held back (DEBUG SLEEP) while a WAIT waits for it. */
    private static final long HOLD_MS = 300;

    /** One blocking request as its clients measured it. */
    record Truth(String command, BlockReason reason, long clientId, long lowerNs, long upperNs, long clientWaitNs) {}

    @Test
    void blockedTimeIsAPhaseOfItsOwnWithItsReasonAndNotSlow(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin();
        var truths = new ArrayList<Truth>();
        long pid, pusher;
        int port;
        var trace = dir.resolve("trace");
        try (var server = RedisServer.start(bin.resolve("redis-server"))) {
            pid = server.pid();
            port = server.port();
            try (var rec = Recording.start(trace, Profile.FULL); var blocker = server.client(); var other = server.client()) {
                long id = (Long) blocker.call("CLIENT", "ID");
                pusher = (Long) other.call("CLIENT", "ID");
                truths.add(served(blocker, other, id, "blpop", new String[] {"BLPOP", "q1", "5"}, "RPUSH", "q1", "a"));
                truths.add(served(blocker, other, id, "blmove", new String[] {"BLMOVE", "q2", "dst", "LEFT", "RIGHT", "5"},
                        "LPUSH", "q2", "b"));
                truths.add(served(blocker, other, id, "blpop", new String[] {"BLPOP", "q3", "5"}, "CLIENT", "UNBLOCK",
                        Long.toString(id)));
                truths.add(timedOut(blocker, id, "blpop", 300, "BLPOP", "q4", "0.3"));
                truths.add(timedOut(blocker, id, "wait", 200, "WAIT", "1", "200"));
                Thread.sleep(1100);
                rec.stop();
            }
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var checked = check(stored, pid, port, truths);
            var st = checked.st();
            var segs = checked.segs();
            var withBlocked = checked.withBlocked();
            assertThat(st.blocked().get("list key")[0]).isEqualTo(2);
            assertThat(st.blocked().get("list client_unblock")[0]).isEqualTo(1);
            assertThat(st.blocked().get("list timeout")[0]).isEqualTo(1);
            assertThat(st.blocked().get("wait timeout")[0]).isEqualTo(1);
            // Asked for, the same requests are slow, and the finding says where their time went.
            assertThat(withBlocked).filteredOn(f -> f.kind().equals("slow-request") && f.title().contains(" blpop "))
                    .singleElement().satisfies(f -> assertThat(f.explanation()).contains("blocked, waiting by design"));
            // The views read the state: during the first block the connection is BLOCKED and its request says on what;
            // after it, why it ended (the TSP tooltip shows both, Requests/Blocked).
            var first = segs.get(0);
            var h = stored.history();
            var fd = Integer.toString(first.fd());
            long mid = (first.blockStart() + first.blockEnd()) / 2;
            assertThat(state(h, mid, st.name(), "Connections", fd, "Status")).isEqualTo("BLOCKED");
            // The timeout is the time left when it blocked (5 s, or 4.999 s after a millisecond tick).
            assertThat(state(h, mid, st.name(), "Requests", fd, "Blocked")).matches("list on key q1, timeout [45]\\.\\d+ s");
            assertThat(state(h, first.blockEnd(), st.name(), "Requests", fd, "Blocked"))
                    .startsWith("list on key q1, timeout ").endsWith("served: a key it waited on got data (q1), by client id " + pusher);
        }
    }

    /**
     * WAIT satisfied by a replica: a master with one replica on loopback. The replica is put to sleep ({@code DEBUG
     * SLEEP}) before a client sends SET then {@code WAIT 1 5000} to the master, so the WAIT blocks until the replica
     * wakes, applies the SET and answers the master's REPLCONF GETACK. The bounds, as above but with the replica's
     * wake-up as the unblocking act: the block began after the WAIT was sent (t0) and before the test saw it blocked
     * (seen); it ended after the replica woke, which is at least HOLD after DEBUG SLEEP was sent (held), and before the
     * WAIT's reply came back. So held + HOLD − seen ≤ blocked ≤ reply − t0.
     */
    @Test
    void waitBlocksUntilAHeldBackReplicaAcknowledges(@TempDir Path dir) throws Exception {
        var bin = InstrumentedRedis.bin().resolve("redis-server");
        var trace = dir.resolve("trace");
        Truth truth;
        long pid;
        int port;
        try (var master = RedisServer.start(bin, "repl-diskless-sync-delay 0");
             var replica = RedisServer.start(bin, "replicaof 127.0.0.1 " + master.port(), "enable-debug-command yes")) {
            pid = master.pid();
            port = master.port();
            streaming(master, replica);
            try (var rec = Recording.start(trace, Profile.FULL); var waiter = master.client(); var watcher = master.client();
                 var sleeper = replica.client()) {
                long id = (Long) waiter.call("CLIENT", "ID");
                long held = System.nanoTime();
                var woke = CompletableFuture.supplyAsync(() -> {
                    sleeper.call("DEBUG", "SLEEP", Double.toString(HOLD_MS / 1000.0));
                    return System.nanoTime();
                });
                Thread.sleep(HOLD_MS / 3); // time for the replica to fall asleep (checked below)
                long setSent = System.nanoTime();
                waiter.call("SET", "waited", "1");
                long t0 = System.nanoTime();
                var reply = CompletableFuture.supplyAsync(() -> {
                    var r = waiter.call("WAIT", "1", "5000");
                    return new long[] {System.nanoTime(), (Long) r};
                });
                long seen = waitBlocked(watcher, id);
                var got = reply.get();
                long wokeSeen = woke.get();
                // The sleep lasted at least HOLD and ended before its reply came back, so it began before
                // wokeSeen − HOLD: if that is before the SET was sent, the replica cannot have acknowledged the SET
                // before it woke — the WAIT really waited for it (else the machine was too loaded to stage this).
                assertThat(wokeSeen - HOLD_MS * 1_000_000L).as("the replica was asleep before the SET was sent")
                        .isLessThan(setSent);
                assertThat(got[1]).as("WAIT's reply: replicas that acknowledged").isEqualTo(1L);
                truth = new Truth("wait", BlockReason.REPLICAS, id, held + HOLD_MS * 1_000_000L - seen, got[0] - t0,
                        got[0] - t0);
                Thread.sleep(1100);
                rec.stop();
            }
        }
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var checked = check(stored, pid, port, List.of(truth));
            assertThat(checked.st().blocked()).containsOnlyKeys("wait replicas");
            assertThat(checked.st().blocked().get("wait replicas")[0]).isEqualTo(1);
            assertThat(checked.withBlocked()).filteredOn(f -> f.kind().equals("slow-request") && f.title().contains(" wait "))
                    .singleElement().satisfies(f -> assertThat(f.explanation()).contains("enough replicas acknowledged"));
        }
    }

    /** The server's stats, its blocked requests and its findings (by default, and with blocked time counted). */
    private record Checked(ServerStats st, List<Segment> segs, List<Finding> withBlocked) {}

    /**
     * Prints kvscope's blocked phases against the truths and checks them: one per truth, in order, with its command,
     * client, reason and a length within the truth's bounds, inside its request; and no slow-request finding by default.
     */
    private static Checked check(Stored stored, long pid, int port, List<Truth> truths) throws Exception {
        var st = stored.summary().servers().stream().filter(s -> s.vpid() == pid && s.port() == port).findFirst().orElseThrow();
        var segs = blocked(stored, st.name());
        var findings = Findings.detect(stored, Thresholds.DEFAULT).stream().filter(f -> f.server().equals(st.name())).toList();
        var withBlocked = Findings.detect(stored, new Thresholds(10_000_000L, 20_000_000L, 2.0, 1 << 20, 20_000_000L, true))
                .stream().filter(f -> f.server().equals(st.name())).toList();
        print(truths, segs, stored, st, findings);

        assertThat(segs).as("one blocked request per blocking command sent").hasSize(truths.size());
        for (int i = 0; i < truths.size(); i++) {
            var t = truths.get(i);
            var s = segs.get(i);
            assertThat(stored.segments().commands().get(s.command())).isEqualTo(t.command());
            assertThat(s.clientId()).isEqualTo(t.clientId());
            assertThat(BlockReason.at(s.blockReason())).as(t.command() + " #" + i).isEqualTo(t.reason());
            assertThat(s.blockedNs()).as(t.command() + " #" + i + " blocked").isBetween(t.lowerNs() - SLACK_NS, t.upperNs() + SLACK_NS);
            // The blocked phase lies inside the request: after it executed, before its reply was written.
            assertThat(s.blockStart()).isBetween(s.commandStart(), s.commandEnd());
            assertThat(s.blockEnd()).isLessThanOrEqualTo(s.writeStart());
            assertThat(s.serverLatency()).isEqualTo(s.latency() - s.blockedNs());
        }
        assertThat(st.blocks()).isEqualTo(truths.size());
        // On the blocking commands: another request may still be slow on a loaded machine (a CLIENT ID whose reply
        // took 10.5 ms to write in one full run), which is not what this checks.
        var blocking = truths.stream().map(t -> " " + t.command() + " ").distinct().toList();
        assertThat(findings).as("blocked time is not slowness")
                .noneMatch(f -> f.kind().equals("slow-request") && blocking.stream().anyMatch(f.title()::contains));
        latencyTable(stored, st.name(), truths, segs);
        assertThat(stored.summary().counters().unknownEvents()).isEmpty();
        return new Checked(st, segs, withBlocked);
    }

    /**
     * The latency table (summary, report, TSP statistics) leaves the blocked time out by default and counts it apart:
     * per blocking command, its latencies are the requests' unblocked service time (kvscope's own segments: latency −
     * blocked, and well under the slow threshold — a BLPOP's own work is microseconds), its "blocked" count is the
     * number of truths and its blocked time in all lies within the sum of the clients' own bounds. With
     * --slow-with-blocked the same table counts the wait: its max is at least the longest lower bound.
     */
    private static void latencyTable(Stored stored, String server, List<Truth> truths, List<Segment> segs) throws Exception {
        var sf = stored.segments();
        var report = Report.of(stored, Thresholds.DEFAULT);
        var withBlocked = Report.of(stored, new Thresholds(10_000_000L, 20_000_000L, 2.0, 1 << 20, 20_000_000L, true));
        var text = new StringWriter();
        TextReport.write(report, new PrintWriter(text));
        assertThat(text.toString()).contains("latency leaves out the time clients spent blocked");
        System.out.println("latency table of the blocking commands (kvscope) vs the clients' bounds:");
        System.out.printf(Locale.ROOT, "%-8s %8s %12s %12s %14s %14s %14s%n", "command", "blocked", "max ms", "max+blk ms",
                "blocked ms", "truth lo ms", "truth hi ms");
        for (var command : truths.stream().map(Truth::command).distinct().toList()) {
            var mine = truths.stream().filter(t -> t.command().equals(command)).toList();
            long lo = mine.stream().mapToLong(t -> t.lowerNs() - SLACK_NS).sum();
            long hi = mine.stream().mapToLong(t -> t.upperNs() + SLACK_NS).sum();
            var l = stored.summary().latencies().stream().filter(x -> x.server().equals(server) && x.command().equals(command))
                    .findFirst().orElseThrow();
            // The unblocked service time, from the segments themselves: every request of the command, blocked or not.
            long[] served = {Long.MIN_VALUE, Long.MAX_VALUE};
            sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, sf.serverIndex(server), sf.commandIndex(command), c -> {
                served[0] = Math.max(served[0], c.serverLatency());
                served[1] = Math.min(served[1], c.serverLatency());
            });
            System.out.printf(Locale.ROOT, "%-8s %8d %12.3f %12.3f %14.3f %14.3f %14.3f%n", command, l.blocked(), l.max() / 1e6,
                    l.withBlocked().max() / 1e6, l.blockedNs() / 1e6, lo / 1e6, hi / 1e6);
            assertThat(l.blocked()).as(command + " requests that blocked").isEqualTo(mine.size());
            assertThat(l.blockedNs()).as(command + " blocked in all").isBetween(lo, hi);
            assertThat(l.blockedNs()).isEqualTo(segs.stream().filter(x -> sf.commands().get(x.command()).equals(command))
                    .mapToLong(Segment::blockedNs).sum());
            assertThat(l.max()).as(command + " max without blocked time").isEqualTo(served[0]).isLessThan(10_000_000L);
            assertThat(l.min()).isEqualTo(served[1]);
            assertThat(l.withBlocked().max()).as(command + " max with blocked time")
                    .isGreaterThanOrEqualTo(mine.stream().mapToLong(t -> t.lowerNs() - SLACK_NS).max().orElseThrow());
            var row = row(report, server, command);
            assertThat(row.blockedIncluded()).isFalse();
            assertThat(List.of(row.minNs(), row.p50Ns(), row.p99Ns(), row.maxNs(), row.blocked(), row.blockedNs()))
                    .containsExactly(l.min(), l.p50(), l.p99(), l.max(), l.blocked(), l.blockedNs());
            var rowWith = row(withBlocked, server, command);
            assertThat(rowWith.blockedIncluded()).isTrue();
            assertThat(rowWith.maxNs()).isEqualTo(l.withBlocked().max());
            assertThat(rowWith.p50Ns()).isEqualTo(l.withBlocked().p50());
        }
    }

    private static Report.Command row(Report r, String server, String command) {
        return r.servers().stream().filter(s -> s.name().equals(server)).findFirst().orElseThrow().commands().stream()
                .filter(c -> c.name().equals(command)).findFirst().orElseThrow();
    }

    /** Waits until the replica is online and applies the master's writes (a write read back from it). */
    private static void streaming(RedisServer master, RedisServer replica) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!((String) master.call("INFO", "replication")).contains("port=" + replica.port() + ",state=online")) {
            assertThat(System.currentTimeMillis()).as("the replica online").isLessThan(deadline);
            Thread.sleep(50);
        }
        // Online is not yet streaming: after a diskless full resync the master starts the stream at the replica's
        // first REPLCONF ACK, up to a second later (see ReplicationTest).
        master.call("SET", "warm-up", "1");
        while (!"1".equals(replica.call("GET", "warm-up"))) {
            assertThat(System.currentTimeMillis()).as("the stream reaches the replica").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String state(History h, long t, String... path) {
        int q = h.lookup(path);
        assertThat(q).as(String.join("/", path)).isGreaterThanOrEqualTo(0);
        var s = h.at(t, q);
        return s == null || s.isNull() ? null : String.valueOf(s.value());
    }

    /** Sends a blocking command, waits until the server reports it blocked, then lets another client act. */
    private static Truth served(Resp blocker, Resp other, long id, String command, String[] blocking, String... action)
            throws Exception {
        long t0 = System.nanoTime();
        var reply = CompletableFuture.supplyAsync(() -> {
            var r = blocker.call(blocking);
            return new long[] {System.nanoTime(), r == null ? 0 : 1};
        });
        long seen = waitBlocked(other, id);
        Thread.sleep(DELAY_MS);
        long push = System.nanoTime();
        other.call(action);
        long pushed = System.nanoTime();
        var got = reply.get();
        boolean unblock = action[0].equals("CLIENT");
        return new Truth(command, unblock ? BlockReason.CLIENT_UNBLOCK : BlockReason.KEY, id, push - seen, pushed - t0, got[0] - t0);
    }

    /** A blocking command nobody serves: it times out after timeoutMs. */
    private static Truth timedOut(Resp blocker, long id, String command, long timeoutMs, String... blocking) {
        long t0 = System.nanoTime();
        blocker.call(blocking);
        long t1 = System.nanoTime();
        // Redis's timeouts are in ms of its cached clock: it can let go up to 1 ms before the nominal time.
        return new Truth(command, BlockReason.TIMEOUT, id, (timeoutMs - 1) * 1_000_000L, t1 - t0, t1 - t0);
    }

    /** Polls INFO clients until the blocker is blocked; returns when the reply saying so arrived. */
    static long waitBlocked(Resp other, long id) throws InterruptedException {
        for (int i = 0; i < 5000; i++) {
            var list = (String) other.call("CLIENT", "LIST", "ID", Long.toString(id));
            if (list.contains(" flags=b ")) return System.nanoTime();
            Thread.sleep(1);
        }
        throw new AssertionError("client " + id + " never blocked");
    }

    /** The server's requests that blocked, in the order they completed. */
    private static List<Segment> blocked(Stored stored, String server) throws Exception {
        var sf = stored.segments();
        var out = new ArrayList<Segment>();
        sf.scan(Long.MIN_VALUE, Long.MAX_VALUE, sf.serverIndex(server), -1, c -> {
            if (c.blockReason() != BlockReason.NONE.ordinal()) out.add(c.toSegment());
        });
        return out;
    }

    private static void print(List<Truth> truths, List<Segment> segs, Stored stored, ServerStats st, List<Finding> findings)
            throws Exception {
        System.out.println();
        System.out.println("scenario blocking: " + st.name() + ", blocked phases (kvscope) vs what the clients measured");
        System.out.printf(Locale.ROOT, "%-8s %-16s %12s | %-16s %12s %12s %12s%n", "command", "kvscope reason", "blocked ms",
                "truth reason", "lower ms", "upper ms", "client ms");
        for (int i = 0; i < Math.max(truths.size(), segs.size()); i++) {
            var s = i < segs.size() ? segs.get(i) : null;
            var t = i < truths.size() ? truths.get(i) : null;
            System.out.printf(Locale.ROOT, "%-8s %-16s %12.3f | %-16s %12.3f %12.3f %12.3f%n",
                    s == null ? "-" : stored.segments().commands().get(s.command()),
                    s == null ? "-" : BlockReason.at(s.blockReason()), s == null ? 0 : s.blockedNs() / 1e6,
                    t == null ? "-" : t.reason(), t == null ? 0 : t.lowerNs() / 1e6, t == null ? 0 : t.upperNs() / 1e6,
                    t == null ? 0 : t.clientWaitNs() / 1e6);
        }
        System.out.println("findings on the server: " + findings.stream().map(f -> f.kind() + ": " + f.title()).toList());
    }
}
