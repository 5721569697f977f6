package kvscope.cli.analysis;

import kvscope.analysis.Analysis;
import kvscope.cli.record.Profile;
import kvscope.cli.record.Recording;
import kvscope.cli.redis.RedisServer;
import kvscope.cli.redis.Resp;
import kvscope.cli.testing.InstrumentedRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model's connection counts against what the test did, in both profiles: clients that connect, send commands and
 * disconnect while recording, one after another (so their fds are reused) and several at once. Each is accepted and
 * freed once, none is "seen mid-life" (all began in the trace), no fd is reused without a free, and after its free a
 * connection has no state. In the light profile a connection is forgotten at its free_client (no file events tell
 * when its fd leaves the loop), so a later free_client handler that looked it up by Ctx.conn would adopt a phantom.
 */
class ConnectionCountsTest {
    private static final int ONE_BY_ONE = 4, AT_ONCE = 3, COMMANDS = 5;

    @Test
    void lightProfileCountsEachClientOnceAndLeavesNoPhantom(@TempDir Path dir) throws Exception {
        run(dir, Profile.LIGHT);
    }

    @Test
    void fullProfileCountsEachClientOnceAndLeavesNoPhantom(@TempDir Path dir) throws Exception {
        run(dir, Profile.FULL);
    }

    private static void run(Path dir, Profile profile) throws Exception {
        var bin = InstrumentedRedis.bin().resolve("redis-server");
        var trace = dir.resolve("trace");
        int port, watcherFd;
        long sent = 0;
        var fds = new HashSet<Integer>();
        try (var server = RedisServer.start(bin); var rec = Recording.start(trace, profile)) {
            port = server.port();
            Thread.sleep(300); // the session has enabled the events in the server
            // The watcher stays open past the recording's end: it is the one connection not freed.
            try (var watcher = server.client()) {
                watcherFd = fd(watcher);
                sent++;
                for (int i = 0; i < ONE_BY_ONE; i++) {
                    try (var c = server.client()) {
                        fds.add(commands(c, "one:" + i));
                    }
                    sent += COMMANDS + 1 + gone(watcher);
                }
                var open = new ArrayList<Resp>();
                for (int i = 0; i < AT_ONCE; i++) open.add(server.client());
                for (int i = 0; i < AT_ONCE; i++) fds.add(commands(open.get(i), "once:" + i));
                sent += AT_ONCE * (COMMANDS + 1);
                for (var c : open) c.close();
                sent += gone(watcher);
                Thread.sleep(100);
                rec.stop();
            }
        }
        assertThat(fds).as("one-by-one clients reuse an fd").hasSizeLessThan(ONE_BY_ONE + AT_ONCE);
        try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults().withCache(dir.resolve("model")))) {
            var sum = stored.summary();
            var st = sum.servers().stream().filter(s -> s.port() == port).findFirst().orElseThrow();
            int clients = ONE_BY_ONE + AT_ONCE;
            System.out.printf("%s profile: accepted %d (test: %d), freed %d (test: %d), seen mid-life %d (0), fd reused without free %d (0)%n",
                    profile, st.connectionsAccepted(), clients + 1, st.connectionsFreed(), clients,
                    st.connectionsSeenMidLife(), st.fdReusedWithoutFree());
            assertThat(st.connectionsAccepted()).as("accepted: the clients and the watcher").isEqualTo(clients + 1);
            assertThat(st.connectionsFreed()).as("freed: the clients").isEqualTo(clients);
            assertThat(st.connectionsSeenMidLife()).as("seen mid-life: none, all began in the trace").isZero();
            assertThat(st.fdReusedWithoutFree()).as("fd reused without a free").isZero();
            assertThat(st.commands()).as("commands: the clients' and the watcher's").isEqualTo(sent);
            assertThat(sum.anomalies()).isEmpty();
            // After the last free, only the watcher's connection has a state.
            var h = stored.history();
            var withState = new ArrayList<String>();
            for (int q : h.match(st.name(), "Connections", "*", "Type")) {
                var s = h.at(h.end(), q);
                if (s != null && !s.isNull()) withState.add(h.path(q) + "=" + s.value());
            }
            assertThat(withState).as("connections with a state at the end")
                    .containsExactly(st.name() + "/Connections/" + watcherFd + "/Type=client");
        }
    }

    /** SET, GET, INCR… on the client's own keys; returns its fd on the server (CLIENT INFO). */
    private static int commands(Resp c, String key) {
        int fd = fd(c);
        c.call("SET", key, "v");
        c.call("GET", key);
        c.call("INCR", key + ":n");
        c.call("LPUSH", key + ":l", "a");
        c.call("DEL", key, key + ":n", key + ":l");
        return fd;
    }

    private static int fd(Resp c) {
        var info = (String) c.call("CLIENT", "INFO");
        var m = Pattern.compile("\\bfd=(\\d+)").matcher(info);
        assertThat(m.find()).as("fd in " + info).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** Waits until the server has freed every client but the watcher (INFO clients); returns the INFOs it sent. */
    private static int gone(Resp watcher) throws InterruptedException {
        for (int i = 1; i <= 2000; i++) {
            if (((String) watcher.call("INFO", "clients")).contains("connected_clients:1\r")) return i;
            Thread.sleep(1);
        }
        throw new AssertionError("the server still has clients: " + watcher.call("INFO", "clients"));
    }
}
