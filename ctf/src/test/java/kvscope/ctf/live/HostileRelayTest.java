package kvscope.ctf.live;

import kvscope.ctf.CtfException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The live client against relays that misbehave — a loopback socket of this test playing the relay's side of the
 * protocol wrongly: a garbled count, silence, a connection closed mid-reply, a session that is not there, a
 * stream path leaving the output folder. Each gives a CtfException naming the relay and the command, in bounded
 * time and memory. (The well-behaved relay is the real lttng-relayd: kvscope.cli.live.LiveProtocolTest.)
 */
class HostileRelayTest {
    @TempDir Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** What the fake relay does with one connection. */
    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws IOException, InterruptedException;
    }

    private int relay(Script script) throws IOException {
        var ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(ss);
        var t = new Thread(() -> {
            try (var s = ss.accept(); var in = new DataInputStream(s.getInputStream());
                 var out = new DataOutputStream(s.getOutputStream())) {
                script.run(in, out);
                out.flush();
                Thread.sleep(3000);
            } catch (IOException | InterruptedException ignored) {
                // the client hung up: the test is over
            }
        });
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    @AfterEach void closeAll() throws Exception {
        for (var c : open) c.close();
    }

    /** Reads a command header and its payload; answers CONNECT as a 2.13 relay does. */
    static int command(DataInputStream in) throws IOException {
        long size = in.readLong();
        int cmd = in.readInt();
        in.readInt();
        in.readNBytes((int) size);
        return cmd;
    }

    static void connect(DataInputStream in, DataOutputStream out) throws IOException {
        assertThat(command(in)).isEqualTo(ViewerConnection.CONNECT);
        out.writeLong(7);
        out.writeInt(2);
        out.writeInt(13);
        out.writeInt(1);
        out.flush();
    }

    /** A relay with one live session, web-1/s1, up to the viewer's ATTACH_SESSION (whose reply is the caller's). */
    static void untilAttach(DataInputStream in, DataOutputStream out) throws IOException {
        connect(in, out);
        command(in);
        out.writeInt(1);
        session(out, 4, "web-1", "s1", 1_000_000);
        out.flush();
        assertThat(command(in)).isEqualTo(ViewerConnection.CREATE_SESSION);
        out.writeInt(1);
        out.flush();
        assertThat(command(in)).isEqualTo(ViewerConnection.ATTACH_SESSION);
    }

    static void session(DataOutputStream out, long id, String host, String name, int timer) throws IOException {
        out.writeLong(id);
        out.writeInt(timer);
        out.writeInt(0);
        out.writeInt(2);
        out.write(padded(host, ViewerConnection.HOST_NAME_MAX));
        out.write(padded(name, ViewerConnection.NAME_MAX));
    }

    static byte[] padded(String s, int n) {
        var b = new byte[n];
        var src = s.getBytes();
        System.arraycopy(src, 0, b, 0, Math.min(n, src.length));
        return b;
    }

    private static LiveUrl url(int port, String rest) { return LiveUrl.parse("net://127.0.0.1:" + port + rest); }

    @Test void aGarbledSessionCountIsRefusedBeforeAnyAllocation() throws Exception {
        int port = relay((in, out) -> {
            connect(in, out);
            command(in);
            out.writeInt(-5); // 4,294,967,291 sessions
        });
        assertThatThrownBy(() -> LiveSession.open(url(port, ""), tmp, Duration.ofSeconds(5), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("relay 127.0.0.1:" + port)
                .hasMessageContaining("LIST_SESSIONS: garbled reply (a count of 4294967291)");
    }

    @Test void aRelayThatStopsAnsweringTimesOutWithAMessage() throws Exception {
        int port = relay((in, out) -> {
            connect(in, out);
            command(in);
            Thread.sleep(10_000); // never answers LIST_SESSIONS
        });
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> LiveSession.open(url(port, ""), tmp, Duration.ofMillis(800), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("LIST_SESSIONS: no reply within 800 ms");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    }

    @Test void aConnectionClosedMidReplySaysSo() throws Exception {
        int port = relay((in, out) -> {
            connect(in, out);
            command(in);
            out.writeInt(1);
            out.writeLong(1); // then hangs up in the middle of the session record
            out.flush();
            throw new IOException("hang up");
        });
        assertThatThrownBy(() -> LiveSession.open(url(port, ""), tmp, Duration.ofSeconds(5), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("LIST_SESSIONS: the relay daemon closed the connection");
    }

    @Test void anUnknownSessionListsTheOnesThere() throws Exception {
        int port = relay((in, out) -> {
            connect(in, out);
            command(in);
            out.writeInt(2);
            session(out, 1, "web-1", "s1", 1_000_000);
            session(out, 2, "web-2", "batch", 0);
        });
        assertThatThrownBy(() -> LiveSession.open(url(port, "/host/web-1/nope"), tmp, Duration.ofSeconds(5), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("no session 'nope' of host 'web-1' on the relay; it has:")
                .hasMessageContaining("net://127.0.0.1:" + port + "/host/web-1/s1  (live timer 1000 ms")
                .hasMessageContaining("/host/web-2/batch  (not live)");
    }

    /**
     * A relay listing two live sessions (web-1/s1, web-2/s2) and one that is not live, answering each attach with no
     * stream: records which sessions were attached and with which seek.
     */
    private int twoSessions(List<long[]> attached) throws IOException {
        return relay((in, out) -> {
            connect(in, out);
            command(in);
            out.writeInt(3);
            session(out, 1, "web-1", "s1", 1_000_000);
            session(out, 2, "web-2", "s2", 500_000);
            session(out, 3, "web-2", "batch", 0);
            out.flush();
            assertThat(command(in)).isEqualTo(ViewerConnection.CREATE_SESSION);
            out.writeInt(1);
            out.flush();
            while (true) {
                long size = in.readLong();
                int cmd = in.readInt();
                in.readInt();
                if (cmd != ViewerConnection.ATTACH_SESSION) {
                    in.readNBytes((int) size);
                    return;
                }
                long id = in.readLong();
                in.readLong();
                int seek = in.readInt();
                synchronized (attached) {
                    attached.add(new long[] {id, seek});
                }
                out.writeInt(ViewerConnection.ATTACH_OK);
                out.writeInt(0);
                out.flush();
            }
        });
    }

    @Test void severalLiveSessionsAndNoneNamedAreFollowedAsOne() throws Exception {
        var attached = new ArrayList<long[]>();
        var notes = new ArrayList<String>();
        int port = twoSessions(attached);
        try (var s = LiveSession.open(List.of(url(port, "")), false, tmp, Duration.ofSeconds(5), notes::add)) {
            assertThat(s.names()).containsExactly("net://127.0.0.1:" + port + "/host/web-1/s1",
                    "net://127.0.0.1:" + port + "/host/web-2/s2");
        }
        assertThat(attached).extracting(a -> a[0] + "/" + a[1]).containsExactly("1/" + ViewerConnection.SEEK_BEGINNING,
                "2/" + ViewerConnection.SEEK_BEGINNING);
        assertThat(notes).singleElement().asString().startsWith("following net://").contains("/host/web-2/s2");
    }

    @Test void fromNowAttachesAtTheSessionsCurrentEnd() throws Exception {
        var attached = new ArrayList<long[]>();
        int port = twoSessions(attached);
        try (var s = LiveSession.open(List.of(url(port, "/host/web-*/s*")), true, tmp, Duration.ofSeconds(5), n -> { })) {
            assertThat(s.fromNow()).isTrue();
            assertThat(s.names()).hasSize(2);
        }
        assertThat(attached).extracting(a -> a[0] + "/" + a[1]).containsExactly("1/" + ViewerConnection.SEEK_LAST,
                "2/" + ViewerConnection.SEEK_LAST);
    }

    @Test void aPatternMatchingNothingListsTheSessionsThere() throws Exception {
        int port = twoSessions(new ArrayList<>());
        assertThatThrownBy(() -> LiveSession.open(List.of(url(port, "/host/db-*/s1")), false, tmp, Duration.ofSeconds(5), n -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("no session matches host 'db-*' and name 's1' on the relay; it has:")
                .hasMessageContaining("/host/web-2/s2  (live timer 500 ms");
    }

    @Test void sessionsOfTwoRelaysAreRefused() {
        assertThatThrownBy(() -> LiveSession.open(List.of(LiveUrl.parse("net://10.0.0.1/host/a/s"),
                LiveUrl.parse("net://10.0.0.2/host/b/s")), false, tmp, Duration.ofSeconds(1), n -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("must be on one relay");
    }

    @Test void anotherViewerAttachedIsSaid() throws Exception {
        int port = relay((in, out) -> {
            untilAttach(in, out);
            out.writeInt(ViewerConnection.ATTACH_ALREADY);
            out.writeInt(0);
        });
        assertThatThrownBy(() -> LiveSession.open(url(port, "/host/web-1/s1"), tmp, Duration.ofSeconds(5), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("another viewer is attached to net://127.0.0.1:" + port + "/host/web-1/s1");
    }

    @Test void aStreamPathLeavingTheOutputFolderIsRefused() throws Exception {
        int port = relay((in, out) -> {
            untilAttach(in, out);
            out.writeInt(ViewerConnection.ATTACH_OK);
            out.writeInt(1);
            out.writeLong(10);
            out.writeLong(1);
            out.writeInt(0);
            out.write(padded("../../etc", ViewerConnection.PATH_MAX));
            out.write(padded("channel0_0", ViewerConnection.NAME_MAX));
        });
        assertThatThrownBy(() -> LiveSession.open(url(port, "/host/web-1/s1"), tmp, Duration.ofSeconds(5), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("the relay sent the stream path '../../etc', which leaves the output folder");
    }

    @Test void nothingListensSaysWhatToCheck() throws Exception {
        int port;
        try (var ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        int p = port;
        assertThatThrownBy(() -> LiveSession.open(url(p, ""), tmp, Duration.ofSeconds(2), s -> { }))
                .isInstanceOf(CtfException.class)
                .hasMessageContaining("cannot connect to the relay daemon's live port")
                .hasMessageContaining("lttng-relayd running with --live-port");
    }

    @Test void urls() {
        assertThat(LiveUrl.parse("net://10.0.0.5")).isEqualTo(new LiveUrl("10.0.0.5", 5344, null, null));
        assertThat(LiveUrl.parse("net4://relay.example:6344/host/web-1/s1"))
                .isEqualTo(new LiveUrl("relay.example", 6344, "web-1", "s1"));
        assertThat(LiveUrl.parse("net://[::1]:7000").relay()).isEqualTo("::1");
        assertThat(LiveUrl.parse("net://r/host/h/s").toString()).isEqualTo("net://r/host/h/s");
        assertThatThrownBy(() -> LiveUrl.parse("http://r")).hasMessageContaining("net://RELAY[:PORT]/host/HOST/SESSION");
        assertThatThrownBy(() -> LiveUrl.parse("net://r:70000")).hasMessageContaining("port 70000");
        assertThatThrownBy(() -> LiveUrl.parse("net://r/host/only")).isInstanceOf(IllegalArgumentException.class);
        var pattern = LiveUrl.parse("net://r/host/web-*/redis");
        assertThat(pattern.patterned()).isTrue();
        assertThat(pattern.matches("web-12", "redis")).isTrue();
        assertThat(pattern.matches("db-1", "redis")).isFalse();
        assertThat(pattern.matches("web-1", "redis2")).isFalse();
        assertThat(LiveUrl.parse("net://r/host/a.b/s").matches("aXb", "s")).as("a dot is a dot").isFalse();
    }
}
