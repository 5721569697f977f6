package kvscope.analysis.services;

import java.util.Arrays;

/**
 * The spans of one analysis while it is built: one column per attribute (primitive arrays, grown by doubling), a span
 * being an index. About 150 bytes a span, so a trace of a million HTTP requests and their calls fits in a few hundred
 * megabytes; what is not a span (the events themselves) is never kept.
 */
final class Spans {
    /** The phase was not seen (a span still in flight when the trace ended). */
    static final long UNKNOWN = Long.MIN_VALUE;

    // Flags (stored: append only).
    /** The server's socket closed before it answered (http_server_response aborted). */
    static final int ABORTED = 1;
    /** No end event: the service stopped (killed) or the trace ended first. */
    static final int UNFINISHED = 1 << 1;
    /** The call failed: an HTTP client error, a Redis error reply, a MariaDB error. */
    static final int ERROR = 1 << 2;
    /** The tracer discarded events while the span was in flight: what it holds may be incomplete. */
    static final int LOST = 1 << 3;
    /** An HTTP client span whose server span never appears (the peer is not traced, or refused the connection). */
    static final int NO_PEER = 1 << 4;
    /** A field of its events was out of range (a port, a status): kept, but not used to join. */
    static final int GARBLED = 1 << 5;
    /** A Redis call linked by its position in a pipeline, its name unknown (only a write's first command is named). */
    static final int BY_ORDER = 1 << 6;
    /** A Redis call Redis processed without executing it as a request (queued by MULTI, refused): no segment. */
    static final int NOT_EXECUTED = 1 << 7;
    /** Started before the recording: an HTTP request or call in flight at the agent's snapshot (NodeSnapshot). */
    static final int BEFORE = 1 << 8;
    /** A Redis call RedisLinks linked by order to a request of another command: its times are not trusted. */
    static final int OTHER_COMMAND = 1 << 9;
    /** A Redis call on a connection whose calls fit its requests at several places: its link's times are not trusted. */
    static final int AMBIGUOUS = 1 << 10;

    int size;
    byte[] kind = new byte[1024];
    int[] flags = new int[1024];
    int[] service = new int[1024], pid = new int[1024], trace = new int[1024];
    long[] spanId = new long[1024], parentSpanId = new long[1024];
    int[] parent = new int[1024];
    long[] start = new long[1024], end = new long[1024];
    int[] status = new int[1024];
    long[] bytes = new long[1024];
    int[] method = new int[1024], route = new int[1024], path = new int[1024], name = new int[1024];
    int[] srcAddr = new int[1024], srcPort = new int[1024], dstAddr = new int[1024], dstPort = new int[1024];
    long[] link = new long[1024];
    int[] error = new int[1024];

    int add(SpanKind k, int serviceId, int pidValue, int traceIndex, long id, long parentId, long t) {
        if (size == kind.length) grow(size * 2);
        int i = size++;
        kind[i] = (byte) k.ordinal();
        flags[i] = 0;
        service[i] = serviceId;
        pid[i] = pidValue;
        trace[i] = traceIndex;
        spanId[i] = id;
        parentSpanId[i] = parentId;
        parent[i] = -1;
        start[i] = t;
        end[i] = UNKNOWN;
        status[i] = 0;
        bytes[i] = 0;
        method[i] = route[i] = path[i] = name[i] = -1;
        srcAddr[i] = dstAddr[i] = -1;
        srcPort[i] = dstPort[i] = 0;
        link[i] = -1;
        error[i] = -1;
        return i;
    }

    SpanKind kind(int i) { return SpanKind.ALL[kind[i]]; }

    boolean has(int i, int flag) { return (flags[i] & flag) != 0; }

    void flag(int i, int flag) { flags[i] |= flag; }

    private void grow(int n) {
        kind = Arrays.copyOf(kind, n);
        flags = Arrays.copyOf(flags, n);
        service = Arrays.copyOf(service, n);
        pid = Arrays.copyOf(pid, n);
        trace = Arrays.copyOf(trace, n);
        spanId = Arrays.copyOf(spanId, n);
        parentSpanId = Arrays.copyOf(parentSpanId, n);
        parent = Arrays.copyOf(parent, n);
        start = Arrays.copyOf(start, n);
        end = Arrays.copyOf(end, n);
        status = Arrays.copyOf(status, n);
        bytes = Arrays.copyOf(bytes, n);
        method = Arrays.copyOf(method, n);
        route = Arrays.copyOf(route, n);
        path = Arrays.copyOf(path, n);
        name = Arrays.copyOf(name, n);
        srcAddr = Arrays.copyOf(srcAddr, n);
        srcPort = Arrays.copyOf(srcPort, n);
        dstAddr = Arrays.copyOf(dstAddr, n);
        dstPort = Arrays.copyOf(dstPort, n);
        link = Arrays.copyOf(link, n);
        error = Arrays.copyOf(error, n);
    }
}
