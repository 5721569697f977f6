package kvscope.cli.redis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal RESP2 client over a plain socket: enough to drive a Redis we started (PING, CONFIG, CLUSTER, SUBSCRIBE,
 * PUBLISH, SHUTDOWN) without a client library. Replies map to String (simple and bulk strings), Long, List, null;
 * an error reply throws {@link Resp.ErrorReply}. Sizes read from the wire are bounded before allocating.
 */
public final class Resp implements AutoCloseable {
    /** Replies larger than this are refused rather than allocated: we never ask for big values. */
    private static final int MAX_BULK = 64 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private Resp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    public static Resp connect(int port, int timeoutMs) {
        var s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            return new Resp(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new UncheckedIOException("cannot connect to Redis on 127.0.0.1:" + port, e);
        }
    }

    public int localPort() { return socket.getLocalPort(); }

    /** Sends one command and returns its reply. */
    public Object call(String... args) {
        send(args);
        return read();
    }

    /** Sends one command without reading a reply (SHUTDOWN, or a subscriber reading pushed messages later). */
    public void send(String... args) {
        try {
            var sb = new StringBuilder().append('*').append(args.length).append("\r\n");
            for (var a : args) {
                var b = a.getBytes(StandardCharsets.UTF_8);
                sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + args[0] + " to Redis", e);
        }
    }

    /** Reads one reply. */
    public Object read() {
        try {
            return readValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a reply from Redis", e);
        }
    }

    public void setTimeout(int ms) {
        try {
            socket.setSoTimeout(ms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object readValue() throws IOException {
        int type = in.read();
        if (type < 0) throw new EOFException("Redis closed the connection");
        var line = readLine();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new ErrorReply(line);
            case ':' -> Long.parseLong(line);
            case '$' -> bulk(Integer.parseInt(line));
            case '*' -> array(Integer.parseInt(line));
            default -> throw new IOException("not a RESP reply: type byte 0x" + Integer.toHexString(type));
        };
    }

    private String bulk(int len) throws IOException {
        if (len < 0) return null;
        if (len > MAX_BULK) throw new IOException("bulk reply of " + len + " bytes exceeds " + MAX_BULK);
        var b = in.readNBytes(len + 2);
        if (b.length != len + 2) throw new EOFException("Redis closed the connection inside a bulk reply");
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    private List<Object> array(int n) throws IOException {
        if (n < 0) return null;
        if (n > 1 << 20) throw new IOException("array reply of " + n + " elements is implausible");
        var list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) list.add(readValue());
        return list;
    }

    private String readLine() throws IOException {
        var sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) throw new EOFException("Redis closed the connection inside a reply line");
            if (c == '\r') {
                if (in.read() != '\n') throw new IOException("RESP line not terminated by CRLF");
                return sb.toString();
            }
            if (sb.length() > 1 << 16) throw new IOException("RESP line longer than 64 KiB");
            sb.append((char) c);
        }
    }

    @Override public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket we no longer need
        }
    }

    /** An error reply from Redis ("-ERR …"). */
    public static final class ErrorReply extends RuntimeException {
        public ErrorReply(String message) { super(message); }
    }
}
