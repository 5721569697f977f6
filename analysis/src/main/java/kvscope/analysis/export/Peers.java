package kvscope.analysis.export;

import kvscope.analysis.util.LongMap;
import kvscope.statesystem.History;

import java.util.List;

/**
 * The client address of a connection at an instant, from the model's {@code <server>/Connections/<fd>/Peer}. An fd
 * is reused by many clients, so the answer is per time; the last interval read per connection is kept, since a
 * connection's requests come in time order (one entry per connection: bounded by the model's attribute count).
 */
final class Peers {
    private record Known(long start, long end, String peer) {}

    private static final Known NONE = new Known(1, 0, null);

    private final History h;
    private final List<String> servers;
    private final LongMap<Integer> quarks = new LongMap<>();
    private final LongMap<Known> last = new LongMap<>();

    Peers(History h, List<String> servers) {
        this.h = h;
        this.servers = servers;
    }

    /** "address:port" of the client on (server, fd) at t, or null when the model does not know it. */
    String at(int server, int fd, long t) {
        long key = ((long) server << 32) | (fd & 0xFFFF_FFFFL);
        var q = quarks.get(key);
        if (q == null) {
            q = h.lookup(servers.get(server), "Connections", Integer.toString(fd), "Peer");
            quarks.put(key, q);
        }
        if (q < 0) return null;
        var k = last.get(key);
        if (k == null || t < k.start || t > k.end) {
            var s = t < h.start() || t > h.end() ? null : h.at(t, q);
            k = s == null ? NONE : new Known(s.start(), s.end(), s.isNull() ? null : String.valueOf(s.value()));
            last.put(key, k);
            if (k == NONE) return null;
        }
        return k.peer;
    }

    /** The address part of "address:port" (IPv6 addresses keep their colons). */
    static String address(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        return c < 0 ? hostPort : hostPort.substring(0, c);
    }

    /** The port of "address:port", −1 when there is none. */
    static int port(String hostPort) {
        int c = hostPort.lastIndexOf(':');
        // A server's name may end with which run of it this is ("host:port@vpid", ServerNames).
        int at = hostPort.indexOf('@', c + 1);
        try {
            return c < 0 ? -1 : Integer.parseInt(hostPort.substring(c + 1, at < 0 ? hostPort.length() : at));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
