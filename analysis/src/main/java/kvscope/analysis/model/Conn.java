package kvscope.analysis.model;

import kvscope.analysis.flows.Flow;
import kvscope.analysis.segments.Segment;

import java.util.Arrays;

/**
 * What the model knows of the connection now open on one fd of one server: its identity (fd, client id — fds are
 * reused), its role, and the request in flight. Mutable and reused per fd; never stored.
 */
final class Conn {
    final int fd;
    long id;
    String type = "unknown";
    String peer = "";
    /** CLIENT SETNAME's name, as the latest snapshot said, or null. */
    String clientName;
    // Quarks of this fd's attributes, resolved once.
    int qConn, qType, qPeer, qClient, qId, qMemory, qDataStructure, qStatus, qFileEvents;
    int qReq, qCommand, qReqType, qReqDataStructure, qReqConnection, qReqBlocked;

    /** Open from accept (or first sight) until freed. */
    boolean open;
    /** Adopted from an event without a client id (another layout): the next event that has one gives it. */
    boolean idUnknown;
    /** free_client seen: the attributes are cleared when the event loop stops watching the fd. */
    boolean freeing;
    /** Waiting in clients_pending_read, queued by this thread (Invariants). */
    boolean pendingRead;
    int pendingReadThread;
    /** The thread of the latest read/write phase on this connection and when it ended (Invariants). */
    int phaseThread;
    long phaseEnd;
    final Recent recent = new Recent();

    /** Which Redis list holds the connection now (mirrors the DataStructure attribute). */
    String dataStructure;
    /** Cluster link: the peer node's id (40 hex chars), once known. */
    String peerNode;

    /** The connection was first seen mid-life (the trace started after it was accepted, or events were lost). */
    boolean partial;
    /** First seen mid-life (counted in connectionsSeenMidLife), and whether a snapshot has named it since. */
    boolean midLife, named;
    /** Bus bytes of this link counted under "fd=N" before it had a peer node: [out msgs, out bytes, in msgs, in bytes]. */
    final long[] anonBus = new long[4];

    // The read that delivered the bytes the next command comes from.
    long readStart = Segment.UNKNOWN;
    long readEnd = Segment.UNKNOWN;
    /** When the data of that read was known to be there (the poll that reported it), or UNKNOWN. */
    long readable = Segment.UNKNOWN;
    /** Queued for the I/O threads at the end of this poll: what its threaded read will count as readable. */
    long readableAt = Segment.UNKNOWN;
    long readBytes;
    int readThread;
    long qbufLen;
    long pendingReply;

    // The command executing now (top level).
    String command;
    long commandStart = Segment.UNKNOWN;

    // Commands executed whose reply is not yet written (pipelining): fixed arrays, reused.
    int waiting;
    int[] wCommand = new int[4];
    long[] wReadable = new long[4];
    long[] wReadStart = new long[4];
    long[] wReadEnd = new long[4];
    long[] wCommandStart = new long[4];
    long[] wCommandEnd = new long[4];
    long[] wBytesIn = new long[4];
    int[] wReadThread = new int[4];
    // Each waiting request's blocked phase (Blocking): UNKNOWN, UNKNOWN, 0 if it never blocked.
    long[] wBlockStart = new long[4];
    long[] wBlockEnd = new long[4];
    int[] wBlockReason = new int[4];
    /** The client is blocked now (block_client seen, unblock_client not yet): since when, else UNKNOWN. */
    long blockedSince = Segment.UNKNOWN;
    /** What it blocked for ("list on key k, timeout 5 s") and its block type ("list"), while blocked. */
    String blockedFor, blockedType;
    /**
     * A block that ended before the command it held back ran (CLIENT PAUSE blocks in processCommand, before call()):
     * given to the next request that executes, else UNKNOWN.
     */
    long heldStart = Segment.UNKNOWN, heldEnd = Segment.UNKNOWN;
    int heldReason;
    long writeBytes;
    int writeThread;
    /** Start of the first write after the oldest waiting command ended, or UNKNOWN. */
    long writeStart = Segment.UNKNOWN;

    /** A subscriber (ran SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE). */
    boolean subscriber;
    /** Where the messages this client waits to be written came from (Netflow arrows' sources), oldest first. */
    static final int FLOWS_MAX = 64;
    int nFlows;
    final Flow.Hop[] flowKind = new Flow.Hop[FLOWS_MAX];
    final int[] flowServer = new int[FLOWS_MAX], flowFd = new int[FLOWS_MAX];
    final long[] flowTime = new long[FLOWS_MAX];

    /** The output-buffer backlog under way (reply bytes left after a write), or null. */
    OpenBacklog backlog;

    Conn(int fd) { this.fd = fd; }

    /** The next write to this client carries a message that came from (server, fd) at time; false if too many wait. */
    boolean flowFrom(Flow.Hop kind, int server, int fd, long time) {
        if (nFlows == FLOWS_MAX) return false;
        flowKind[nFlows] = kind;
        flowServer[nFlows] = server;
        flowFd[nFlows] = fd;
        flowTime[nFlows] = time;
        nFlows++;
        return true;
    }

    /** A new client on this fd: forget everything about the previous one. */
    void reset(long id, String type, String peer, boolean partial) {
        this.id = id;
        this.idUnknown = false;
        this.type = type;
        this.peer = peer;
        this.partial = partial;
        open = true;
        freeing = false;
        pendingRead = false;
        phaseThread = 0;
        phaseEnd = 0;
        recent.clear();
        peerNode = null;
        clientName = null;
        midLife = false;
        named = false;
        Arrays.fill(anonBus, 0);
        clearInFlight();
        readThread = 0;
        qbufLen = 0;
        pendingReply = 0;
        writeThread = 0;
        subscriber = false;
        nFlows = 0;
        backlog = null;
    }

    boolean isClient() { return type.equals("client") || type.equals("unknown"); }

    /** Requests in flight: executed and waiting for their reply, plus the one executing now. */
    int inFlight() { return waiting + (command != null ? 1 : 0); }

    /**
     * Events were lost: the request in flight, the read it came from and the replies owed are no longer known, and
     * neither is the connection's life since (it is {@link #partial} from here on). Returns how many requests that
     * drops; the connection stays open with its identity.
     */
    int lose() {
        int dropped = inFlight();
        clearInFlight();
        partial = true;
        return dropped;
    }

    /** No request in flight: no read it came from, no command executing, no reply owed. */
    private void clearInFlight() {
        readStart = Segment.UNKNOWN;
        readEnd = Segment.UNKNOWN;
        readable = Segment.UNKNOWN;
        readableAt = Segment.UNKNOWN;
        readBytes = 0;
        command = null;
        commandStart = Segment.UNKNOWN;
        waiting = 0;
        writeStart = Segment.UNKNOWN;
        writeBytes = 0;
        blockedSince = Segment.UNKNOWN;
        blockedFor = null;
        heldStart = Segment.UNKNOWN;
        heldEnd = Segment.UNKNOWN;
    }

    void addWaiting(int command, long readable, long readStart, long readEnd, long commandStart, long commandEnd,
                    long bytesIn, int readThread) {
        if (waiting == wCommand.length) {
            int n = waiting * 2;
            wCommand = Arrays.copyOf(wCommand, n);
            wReadable = Arrays.copyOf(wReadable, n);
            wReadStart = Arrays.copyOf(wReadStart, n);
            wReadEnd = Arrays.copyOf(wReadEnd, n);
            wCommandStart = Arrays.copyOf(wCommandStart, n);
            wCommandEnd = Arrays.copyOf(wCommandEnd, n);
            wBytesIn = Arrays.copyOf(wBytesIn, n);
            wReadThread = Arrays.copyOf(wReadThread, n);
            wBlockStart = Arrays.copyOf(wBlockStart, n);
            wBlockEnd = Arrays.copyOf(wBlockEnd, n);
            wBlockReason = Arrays.copyOf(wBlockReason, n);
        }
        wCommand[waiting] = command;
        wReadable[waiting] = readable;
        wReadStart[waiting] = readStart;
        wReadEnd[waiting] = readEnd;
        wCommandStart[waiting] = commandStart;
        wCommandEnd[waiting] = commandEnd;
        wBytesIn[waiting] = bytesIn;
        wReadThread[waiting] = readThread;
        wBlockStart[waiting] = heldStart;
        wBlockEnd[waiting] = heldEnd;
        wBlockReason[waiting] = heldStart == Segment.UNKNOWN ? 0 : heldReason;
        heldStart = Segment.UNKNOWN;
        heldEnd = Segment.UNKNOWN;
        waiting++;
    }

    private String label;
    private long labelId = Long.MIN_VALUE;

    /** "fd=N id=M", one String per client (the model sets it on every request; the history compares by identity). */
    String label() {
        if (labelId != id || label == null) {
            label = "fd=" + fd + " id=" + id;
            labelId = id;
        }
        return label;
    }
}
