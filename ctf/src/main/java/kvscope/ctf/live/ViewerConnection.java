package kvscope.ctf.live;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import kvscope.ctf.CtfException;

/**
 * A viewer's connection to lttng-relayd's live port: the LTTng live protocol, version 2.4, as babeltrace2 speaks it
 * (lttng-tools doc/live-reading-protocol.txt; the structures of src/bin/lttng-relayd/lttng-viewer-abi.h). Every
 * integer is big-endian; each command is a 16-byte header (payload size, command, version 0) and its payload, and
 * gets one reply. Every read has a timeout, and every count and length in a reply is checked before it is used: a
 * relay that goes away, stops answering or sends garbage gives a {@link CtfException} naming the relay and the
 * command, never a hang or an unbounded allocation.
 */
public final class ViewerConnection implements AutoCloseable {
    static final int CONNECT = 1, LIST_SESSIONS = 2, ATTACH_SESSION = 3, GET_NEXT_INDEX = 4, GET_PACKET = 5,
            GET_METADATA = 6, GET_NEW_STREAMS = 7, CREATE_SESSION = 8, DETACH_SESSION = 9;
    static final int MAJOR = 2, MINOR = 4;
    /** Field sizes of lttng-viewer-abi.h. */
    static final int HOST_NAME_MAX = 64, NAME_MAX = 255, PATH_MAX = 4096;
    /** More streams or sessions than this in one reply is a garbled reply, not a session. */
    static final int MAX_COUNT = 1 << 16;
    /** A packet or metadata chunk larger than this is a garbled reply (LTTng's sub-buffers are at most a few MiB). */
    static final long MAX_BYTES = 64L << 20;

    /** A session the relay knows ({@code live_timer} 0: not a live session). */
    public record RelaySession(long id, int liveTimerUs, int clients, int streams, String hostname, String name) {}

    /** A stream of an attached session; streams of one CTF trace share {@code traceId}. */
    public record RelayStream(long id, long traceId, boolean metadata, String path, String channel) {}

    /** GET_NEXT_INDEX's reply: a packet's place and times (sizes in bits, times in clock cycles) and a status. */
    public record Index(int status, int flags, long offset, long packetBits, long contentBits, long beginCycles,
                        long endCycles, long discarded, long streamId) {
        public static final int OK = 1, RETRY = 2, HUP = 3, ERR = 4, INACTIVE = 5, EOF = 6;
    }

    /** GET_PACKET's reply; the bytes are in the buffer passed, {@code length} of them. */
    public record PacketReply(int status, int flags, int length) {
        public static final int OK = 1, RETRY = 2, ERR = 3, EOF = 4;
    }

    /** GET_METADATA's reply. */
    public record MetadataReply(int status, byte[] data) {
        public static final int OK = 1, NO_NEW = 2, ERR = 3, HUP = 4;
    }

    /** GET_NEW_STREAMS's reply. */
    public record NewStreams(int status, List<RelayStream> streams) {
        public static final int OK = 1, NO_NEW = 2, ERR = 3, HUP = 4;
    }

    public static final int FLAG_NEW_METADATA = 1, FLAG_NEW_STREAM = 2;
    public static final int ATTACH_OK = 1, ATTACH_ALREADY = 2, ATTACH_UNKNOWN = 3, ATTACH_NOT_LIVE = 4,
            ATTACH_SEEK_ERR = 5, ATTACH_NO_SESSION = 6;
    /** Where an attach starts reading (lttng-viewer-abi.h, enum lttng_viewer_seek). */
    static final int SEEK_BEGINNING = 1, SEEK_LAST = 2;

    private final String where;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private String command = "CONNECT";

    private ViewerConnection(String where, Socket socket) throws IOException {
        this.where = where;
        this.socket = socket;
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 256));
    }

    /**
     * Connects to a relay's live port and agrees on the protocol.
     *
     * @param timeout for the connection and for every reply
     */
    public static ViewerConnection open(String host, int port, Duration timeout) {
        var where = host + ":" + port;
        var socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            var c = new ViewerConnection(where, socket);
            c.connect();
            return c;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing was opened
            }
            throw new CtfException(Path.of("relay " + where), -1, "cannot connect to the relay daemon's live port ("
                    + e.getMessage() + "); is lttng-relayd running with --live-port on that address?", e);
        } catch (CtfException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the error says what happened
            }
            throw e;
        }
    }

    /** The relay's address, as given. */
    public String where() { return where; }

    private void connect() throws IOException {
        header(CONNECT, 20);
        out.writeLong(0);
        out.writeInt(MAJOR);
        out.writeInt(MINOR);
        out.writeInt(1); // a command connection
        out.flush();
        in.readLong(); // the viewer session id the relay assigned
        int major = in.readInt();
        in.readInt();
        in.readInt();
        if (major != MAJOR) throw garbled("the relay speaks live protocol " + major + ".x, kvscope speaks " + MAJOR + "." + MINOR);
    }

    /** The sessions the relay holds. */
    public List<RelaySession> listSessions() {
        return call("LIST_SESSIONS", () -> {
            header(LIST_SESSIONS, 0);
            out.flush();
            int n = count(in.readInt());
            var list = new ArrayList<RelaySession>(n);
            for (int i = 0; i < n; i++) {
                long id = in.readLong();
                int timer = in.readInt(), clients = in.readInt(), streams = in.readInt();
                var host = text(HOST_NAME_MAX);
                var name = text(NAME_MAX);
                list.add(new RelaySession(id, timer, clients, streams, host, name));
            }
            return list;
        });
    }

    /** A viewer session (needed before attaching, protocol 2.4). */
    public void createViewerSession() {
        call("CREATE_SESSION", () -> {
            header(CREATE_SESSION, 0);
            out.flush();
            int status = in.readInt();
            if (status != 1) throw garbled("the relay refused to create a viewer session (status " + status + ")");
            return null;
        });
    }

    /** The status of an attach and the session's streams. */
    public record Attach(int status, List<RelayStream> streams) {}

    /**
     * Attaches to a session: from its beginning (every packet the relay still holds), or with {@code fromNow} from
     * its current end — each stream's next packet is the one after the last the relay has indexed
     * ({@code VIEWER_SEEK_LAST}); the metadata is sent whole either way.
     */
    public Attach attach(long sessionId, boolean fromNow) {
        return call("ATTACH_SESSION", () -> {
            header(ATTACH_SESSION, 20);
            out.writeLong(sessionId);
            out.writeLong(0);
            out.writeInt(fromNow ? SEEK_LAST : SEEK_BEGINNING);
            out.flush();
            int status = in.readInt();
            int n = count(in.readInt());
            return new Attach(status, streams(n));
        });
    }

    public NewStreams newStreams(long sessionId) {
        return call("GET_NEW_STREAMS", () -> {
            header(GET_NEW_STREAMS, 8);
            out.writeLong(sessionId);
            out.flush();
            int status = in.readInt();
            int n = count(in.readInt());
            return new NewStreams(status, streams(n));
        });
    }

    public MetadataReply metadata(long streamId) {
        return call("GET_METADATA", () -> {
            header(GET_METADATA, 8);
            out.writeLong(streamId);
            out.flush();
            long len = in.readLong();
            int status = in.readInt();
            if (len < 0 || len > MAX_BYTES) throw garbled("metadata of " + len + " bytes");
            var data = new byte[status == MetadataReply.OK ? (int) len : 0];
            in.readFully(data);
            return new MetadataReply(status, data);
        });
    }

    public Index nextIndex(long streamId) {
        return call("GET_NEXT_INDEX", () -> {
            header(GET_NEXT_INDEX, 8);
            out.writeLong(streamId);
            out.flush();
            long offset = in.readLong(), packet = in.readLong(), content = in.readLong(), begin = in.readLong(),
                    end = in.readLong(), discarded = in.readLong(), sid = in.readLong();
            int status = in.readInt(), flags = in.readInt();
            if (status < Index.OK || status > Index.EOF) throw garbled("index status " + status);
            return new Index(status, flags, offset, packet, content, begin, end, discarded, sid);
        });
    }

    /** Reads a packet into {@code into} (at least {@code length} bytes). */
    public PacketReply packet(long streamId, long offset, int length, byte[] into) {
        return call("GET_PACKET", () -> {
            header(GET_PACKET, 20);
            out.writeLong(streamId);
            out.writeLong(offset);
            out.writeInt(length);
            out.flush();
            int status = in.readInt(), len = in.readInt(), flags = in.readInt();
            if (status == PacketReply.OK) {
                if (len < 0 || len > into.length) throw garbled("a packet of " + len + " bytes where " + length + " were asked for");
                in.readFully(into, 0, len);
            }
            return new PacketReply(status, flags, status == PacketReply.OK ? len : 0);
        });
    }

    /** Detaches from a session (the relay lets another viewer attach); the connection stays open. */
    public void detach(long sessionId) {
        call("DETACH_SESSION", () -> {
            header(DETACH_SESSION, 8);
            out.writeLong(sessionId);
            out.flush();
            in.readInt();
            return null;
        });
    }

    @Override public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing detaches the relay's side too
        }
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    private <T> T call(String name, Io<T> io) {
        command = name;
        try {
            return io.run();
        } catch (SocketTimeoutException e) {
            throw new CtfException(Path.of("relay " + where), -1, command + ": no reply within "
                    + timeoutMs() + " ms (the relay daemon is stuck or the network is down)", e);
        } catch (EOFException e) {
            throw new CtfException(Path.of("relay " + where), -1, command + ": the relay daemon closed the connection"
                    + " (it was stopped, or it rejected the request)", e);
        } catch (IOException e) {
            throw new CtfException(Path.of("relay " + where), -1, command + ": " + e.getMessage(), e);
        }
    }

    private int timeoutMs() {
        try {
            return socket.getSoTimeout();
        } catch (IOException e) {
            return -1;
        }
    }

    private void header(int cmd, long size) throws IOException {
        out.writeLong(size);
        out.writeInt(cmd);
        out.writeInt(0);
    }

    private List<RelayStream> streams(int n) throws IOException {
        var list = new ArrayList<RelayStream>(n);
        for (int i = 0; i < n; i++) {
            long id = in.readLong(), trace = in.readLong();
            int metadata = in.readInt();
            var path = text(PATH_MAX);
            var channel = text(NAME_MAX);
            list.add(new RelayStream(id, trace, metadata != 0, path, channel));
        }
        return list;
    }

    private int count(int n) {
        if (n < 0 || n > MAX_COUNT) throw garbled("a count of " + Integer.toUnsignedString(n));
        return n;
    }

    /** A fixed-size, NUL-padded text field. */
    private String text(int size) throws IOException {
        var b = new byte[size];
        in.readFully(b);
        int n = 0;
        while (n < size && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private CtfException garbled(String what) {
        return new CtfException(Path.of("relay " + where), -1, command + ": garbled reply (" + what + ")");
    }
}
