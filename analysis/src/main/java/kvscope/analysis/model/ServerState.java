package kvscope.analysis.model;

import kvscope.analysis.util.LongMap;
import kvscope.ctf.ClockFix;
import kvscope.statesystem.History;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** One traced redis-server process: its subtree of the model, its open connections and threads, its counters. */
final class ServerState {
    /** host:port, or procname-vpid until the port is known (see ServerNames); {@link #named} once final. */
    String name;
    boolean named;
    final int vpid;
    final int traceIndex;
    final long clockOffset;
    /** Its host's clock onto the reference host's (ClockFix.NONE for one host). */
    final ClockFix clockFix;
    final int index;
    final History h;
    final int root, connections, requests, threads, eventLoop, bus;
    final int phase, pendingReads, pendingWrites, busType, busOut, busIn, busPublished, busLinks, memory, clients;
    final ServerCounters stats;

    /** Connections by fd: an array up to {@link #DENSE_FDS} (every real Redis), a map above (a hostile trace's fd). */
    static final int DENSE_FDS = 1 << 16;
    private Conn[] conns = new Conn[64];
    private final LongMap<Conn> farConns = new LongMap<>();
    /** The event loop's mask per fd (add/delete_file_event), known before the connection is accepted on it. */
    private byte[] fileMasks = new byte[64];
    private final LongMap<ThreadState> threadsByTid = new LongMap<>();

    // Event loop: phases nest (handle-pending-reads runs inside beforeSleep), so keep a small stack.
    final String[] phaseStack = new String[8];
    int phaseDepth;
    long iterationStart = Long.MIN_VALUE;
    int pendingReadCount, pendingWriteCount;

    final ServerFlows flows = new ServerFlows();

    boolean inBroadcast;
    boolean unicastShown;
    /** Per peer link (Bus.link): [bytes out, bytes in, quark out, quark in]. */
    final Map<String, long[]> links = new HashMap<>();
    /** Client ids freed lately and by which thread: a second free of one is redis/redis#12540. Bounded. */
    final LinkedHashMap<Long, Integer> freedClients = new LinkedHashMap<>(256, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<Long, Integer> e) { return size() > 65_536; }
    };

    void rememberFreed(long id, int thread) { freedClients.put(id, thread); }

    /** Events were lost: the messages awaiting delivery, the event loop's phases and iteration are no longer known. */
    void lose() {
        flows.clear();
        phaseDepth = 0;
        iterationStart = Long.MIN_VALUE;
    }

    /** The quarks of its Replication subtree as a replica (In/Bytes, Offset, Lag), once it applied a master's stream. */
    int[] replication;

    /** The node's own cluster id once it is known (learned from its peers' traffic, see Bus). */
    String nodeId;

    ServerState(String name, int vpid, int traceIndex, long clockOffset, ClockFix clockFix, int index, History h) {
        this.name = name;
        this.vpid = vpid;
        this.traceIndex = traceIndex;
        this.clockOffset = clockOffset;
        this.clockFix = clockFix;
        this.index = index;
        this.h = h;
        root = h.getOrCreate(name);
        connections = h.getOrCreateUnder(root, "Connections");
        requests = h.getOrCreateUnder(root, "Requests");
        threads = h.getOrCreateUnder(root, "Threads");
        eventLoop = h.getOrCreateUnder(root, "EventLoop");
        bus = h.getOrCreateUnder(root, "Bus");
        phase = h.getOrCreateUnder(eventLoop, "Phase");
        pendingReads = h.getOrCreateUnder(eventLoop, "PendingReads");
        pendingWrites = h.getOrCreateUnder(eventLoop, "PendingWrites");
        busType = h.getOrCreateUnder(bus, "Type");
        busOut = h.getOrCreateUnder(bus, "Out", "Bytes");
        busIn = h.getOrCreateUnder(bus, "In", "Bytes");
        busPublished = h.getOrCreateUnder(bus, "Published", "Bytes");
        busLinks = h.getOrCreateUnder(bus, "Links");
        memory = h.getOrCreateUnder(root, "Info", "UsedMemory");
        clients = h.getOrCreateUnder(root, "Info", "ConnectedClients");
        stats = new ServerCounters(name);
    }

    /** The connection on fd, or null if the model has never seen one there. */
    Conn conn(int fd) {
        if (fd < 0) return script;
        if (fd >= DENSE_FDS) return farConns.get(fd);
        return fd < conns.length ? conns[fd] : null;
    }

    Conn connOrNew(int fd) {
        // Redis's script and module clients have no socket (fd -1): they get one shared slot, "Connections/-1".
        if (fd < 0) return scriptConn();
        if (fd >= DENSE_FDS) {
            var c = farConns.get(fd);
            if (c == null) farConns.put(fd, c = init(new Conn(fd)));
            return c;
        }
        if (fd >= conns.length) conns = Arrays.copyOf(conns, Math.min(DENSE_FDS, Math.max(fd + 1, conns.length * 2)));
        var c = conns[fd];
        if (c == null) conns[fd] = c = init(new Conn(fd));
        return c;
    }

    void fileMask(int fd, int mask) {
        if (fd < 0 || fd >= DENSE_FDS) return; // only what a connection accepted later starts with
        if (fd >= fileMasks.length) fileMasks = Arrays.copyOf(fileMasks, Math.min(DENSE_FDS, Math.max(fd + 1, fileMasks.length * 2)));
        fileMasks[fd] = (byte) mask;
    }

    int fileMask(int fd) { return fd >= 0 && fd < fileMasks.length ? fileMasks[fd] : 0; }

    private Conn init(Conn c) {
        int fd = c.fd;
        {
            int cq = h.getOrCreateUnder(connections, Integer.toString(fd));
            c.qType = h.getOrCreateUnder(cq, "Type");
            c.qPeer = h.getOrCreateUnder(cq, "Peer");
            c.qClient = h.getOrCreateUnder(cq, "Client");
            c.qId = h.getOrCreateUnder(cq, "Id");
            c.qMemory = h.getOrCreateUnder(cq, "Memory");
            c.qDataStructure = h.getOrCreateUnder(cq, "DataStructure");
            c.qStatus = h.getOrCreateUnder(cq, "Status");
            c.qFileEvents = h.getOrCreateUnder(cq, "FileEvents");
            c.qConn = cq;
            int rq = h.getOrCreateUnder(requests, Integer.toString(fd));
            c.qReq = rq;
            c.qCommand = h.getOrCreateUnder(rq, "Command");
            c.qReqType = h.getOrCreateUnder(rq, "Type");
            c.qReqDataStructure = h.getOrCreateUnder(rq, "DataStructure");
            c.qReqConnection = h.getOrCreateUnder(rq, "Connection");
            c.qReqBlocked = h.getOrCreateUnder(rq, "Blocked");
        }
        return c;
    }

    private Conn script;

    private Conn scriptConn() {
        if (script == null) script = init(new Conn(-1));
        return script;
    }

    Iterable<Conn> openConns() {
        return () -> Stream.concat(Arrays.stream(conns), Stream.of(script))
                .filter(c -> c != null && c.open).iterator();
    }

    ThreadState thread(int vtid) {
        var t = threadsByTid.get(vtid);
        if (t == null) {
            t = new ThreadState(vtid, vtid == vpid, h, h.getOrCreateUnder(threads, Integer.toString(vtid)));
            threadsByTid.put(vtid, t);
            stats.threads.put(vtid, t.stats);
        }
        return t;
    }

    void forEachThread(Consumer<ThreadState> action) {
        threadsByTid.values().forEach(action);
    }

    /**
     * Converts a {@code start_ns} field (raw CLOCK_MONOTONIC, EVENTS.md) to ns since the epoch on the time line of
     * the events: the trace's clock offset, then its host's synchronisation, as the reader does for timestamps.
     */
    long fromRaw(long rawNs) { return clockFix.apply(rawNs + clockOffset); }
}
