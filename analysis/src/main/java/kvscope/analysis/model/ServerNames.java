package kvscope.analysis.model;

import kvscope.ctf.CtfException;
import kvscope.ctf.Event;
import kvscope.ctf.EventType;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * Names each traced redis-server {@code host:port} before the model is built, so that its subtree has its final
 * name from the first event. Reads the start of the trace only: {@code server_info} (at startup and then every
 * second) or the local port of an accepted client gives the port. A server not named within the look-ahead starts as
 * {@code procname-vpid} and is renamed by the model when its first such event comes ({@link #port}).
 *
 * <p>A server restarted on the same port (Redis's own test suite does it all the time) is another server: where two
 * processes would get one {@code host:port}, each is named {@code host:port@vpid} ({@link #run}), here and, for a
 * server named later, by the model — so no two servers of a trace ever share a name.
 */
final class ServerNames {
    /** How far to look: the first events up to this much trace time or this many events. */
    static final long LOOKAHEAD_NS = 2_500_000_000L;
    static final long LOOKAHEAD_EVENTS = 5_000_000;
    static final long QUIET_EVENTS = 100_000;

    private final EventType info, accept;
    private final Field port, tlsPort, localPort, type;

    ServerNames(Trace trace) {
        var layouts = new Layouts(trace);
        info = Dispatch.redis(trace, "server_info");
        accept = Dispatch.redis(trace, "accept_client");
        port = layouts.field(trace, "port");
        tlsPort = layouts.field(trace, "tls_port");
        localPort = layouts.field(trace, "local_port");
        type = layouts.field(trace, "type");
    }

    /** Key of a server: its trace and its process id (−1 when the trace has no vpid context). */
    public static long key(int traceIndex, long vpid) { return ((long) traceIndex << 32) | (vpid & 0xFFFFFFFFL); }

    /** The port this event names its server by (server_info, or a client's accept_client), or −1. */
    int port(Event e) {
        long p = -1;
        if (e.type() == info) {
            // Read only where they are integers: another layout of the event names no server by them.
            p = e.has(port) ? e.getLong(port) : -1;
            if (p <= 0 && e.has(tlsPort)) p = e.getLong(tlsPort);
        } else if (e.type() == accept && e.has(type) && e.has(localPort) && "client".equals(e.getString(type))) {
            p = e.getLong(localPort);
        }
        return p > 0 && p <= 65535 ? (int) p : -1;
    }

    /** Whether {@link #port} of this event outranks an accepted client's: a server_info's port does. */
    boolean fromInfo(Event e) { return e.type() == info; }

    static Map<Long, String> scan(Trace trace) {
        // A live session is read once, as it comes: its servers are named when their port shows (learnName).
        if (trace.isLive()) return new HashMap<>();
        var naming = new ServerNames(trace);
        var ports = new HashMap<Long, Integer>();
        var vpid = trace.field("vpid");
        var seen = new HashSet<Long>();
        long first = Long.MIN_VALUE, n = 0, lastNew = 0, lastKey = Long.MIN_VALUE;
        var it = trace.iterator();
        while (true) {
            Event e;
            try {
                if (!it.hasNext()) break;
                e = it.next();
            } catch (CtfException damaged) {
                break; // the main pass reads up to the same point and reports the damage
            }
            if (first == Long.MIN_VALUE) first = e.timestamp();
            if (++n > LOOKAHEAD_EVENTS || e.timestamp() - first > LOOKAHEAD_NS) break;
            if (e.isLost()) continue;
            long key = key(e.trace().index(), e.has(vpid) ? e.getLong(vpid) : -1);
            // Runs of one process's events are the rule: only a change of process looks in the set.
            if (key != lastKey) {
                lastKey = key;
                if (seen.add(key)) lastNew = n;
            }
            // Every server met so far is named and no new one appeared for a while: the rest of the look-ahead
            // would only cost time.
            if (n - lastNew > QUIET_EVENTS && ports.size() == seen.size()) break;
            int p = naming.port(e);
            if (p > 0 && (naming.fromInfo(e) || !ports.containsKey(key))) ports.put(key, p);
        }
        var names = new HashMap<Long, String>();
        ports.forEach((k, p) -> names.put(k, trace.traces().get((int) (k >>> 32)).hostname() + ":" + p));
        var uses = new HashMap<String, Integer>();
        names.values().forEach(name -> uses.merge(name, 1, Integer::sum));
        names.replaceAll((k, name) -> uses.get(name) > 1 ? run(name, (int) k.longValue()) : name);
        return names;
    }

    /** The name of one run of the server {@code hostPort}: its process id after an {@code @}. */
    static String run(String hostPort, int vpid) { return hostPort + "@" + vpid; }
}
