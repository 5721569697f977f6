package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.FD;
import static kvscope.analysis.model.Dispatch.NOTHING;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks, as events arrive, what Redis guarantees about a client and reports when a trace shows it broken — the
 * paper's use case 4 (redis/redis#12540, TLS + io-threads-do-reads): a client queued on clients_pending_read twice,
 * handed to two I/O threads, then freed twice.
 * <ul>
 *   <li>queued twice: insert_pending_read for a client already waiting in clients_pending_read (postponeClientRead
 *       is meant to queue a client once; 7.0 lost the CLIENT_PENDING_READ guard that 6.2 had);</li>
 *   <li>freed twice: free_client for a client id already freed;</li>
 *   <li>two threads at once: a phase of one thread on a connection overlapping another thread's phase or free.</li>
 * </ul>
 */
final class Invariants {
    static final int MAX_PER_KIND = 100;
    /** What was found, with its server (whose name may still change: the records are made at the end). */
    private record Found(String kind, ServerState server, int fd, long clientId, long time, List<Integer> threads,
                         List<String> events) {}

    private final List<Found> found = new ArrayList<>();
    private final Map<String, Integer> perKind = new HashMap<>();

    /** The anomalies found, in order, under their servers' final names. */
    List<Anomaly> found() {
        return found.stream().map(f -> new Anomaly(f.kind, f.server.name, f.fd, f.clientId, f.time, f.threads,
                f.events)).toList();
    }

    void register(Dispatch d) {
        d.on("insert_pending_read", FD, c -> {
            var conn = c.conn("client");
            if (conn.pendingRead) report(c, conn, "queued-twice", conn.pendingReadThread, conn.fd, conn.id);
            conn.pendingRead = true;
            conn.pendingReadThread = c.vtid();
        });
        d.on("handle_pending_reads_threads_end", NOTHING, c -> {
            // The fan-out empties clients_pending_read.
            for (var conn : c.server.openConns()) conn.pendingRead = false;
        });
        d.on("call_command_start", FD, c -> c.conn("client").pendingRead = false);
        d.on("end_read_client_query", FD, c -> overlap(c, c.conn("client"), c.start()));
        d.on("write_to_client_end", FD, c -> overlap(c, c.conn("client"), c.start()));
        d.on("ssl_read", FD, c -> overlap(c, c.conn("client"), c.start()));
        d.on("free_client", FD, c -> {
            long id = c.id();
            var freedBy = c.server.freedClients.get(id);
            var conn = c.server.conn(c.fd());
            if (freedBy != null) report(c, conn != null && conn.id == id ? conn : null, "freed-twice", freedBy, c.fd(), id);
            c.server.rememberFreed(id, c.vtid());
        });
    }

    /** A phase of this thread on the connection began while another thread's phase on it had not ended. */
    private void overlap(Ctx c, Conn conn, long start) {
        if (conn.phaseThread != 0 && conn.phaseThread != c.vtid() && start < conn.phaseEnd) {
            report(c, conn, "threads-overlap", conn.phaseThread, conn.fd, conn.id);
        }
        if (c.time >= conn.phaseEnd) {
            conn.phaseThread = c.vtid();
            conn.phaseEnd = c.time;
        }
    }

    /** An anomaly of this event on (fd, client id), involving otherThread and this event's thread. */
    private void report(Ctx c, Conn conn, String kind, int otherThread, int fd, long clientId) {
        int n = perKind.merge(kind, 1, Integer::sum);
        if (n > MAX_PER_KIND) return;
        var threads = otherThread != c.vtid() ? List.of(otherThread, c.vtid()) : List.of(otherThread);
        found.add(new Found(kind, c.server, fd, clientId, c.time, threads, conn != null ? conn.recent.lines() : List.of()));
    }
}
