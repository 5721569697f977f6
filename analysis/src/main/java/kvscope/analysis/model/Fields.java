package kvscope.analysis.model;

import kvscope.ctf.Event;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

/**
 * Field handles resolved once for the whole trace (see instrument/redis/EVENTS.md). Names that carry different
 * types in different events ({@code type} is a string in accept_client and an integer in cluster_send) are read
 * through the string or integer accessor that each handler knows applies. In a Redis event whose field holds something
 * else (another layout), the handle does not see the field at all: {@link Event#has} is false and defaults apply.
 */
final class Fields {
    final Field fd, id, startNs, vtid, vpid, procname;
    final Field nread, readlen, qbufLen, name, names, depth, durationNs, blocked, pending, nwritten, done;
    final Field type, typeName, inbound, tls, peerAddr, peerPort, localPort, async, pendingReply;
    final Field requested, ret, sslPending, nclients, ioThreads, pendingWrites, pendingReads, tlsPending;
    final Field timeoutUs, nevents, mask, newMask, channel, payloadLen, receivers, sharded, timeNs;
    final Field len, nlinks, peer, totlen, sender, port, tlsPort, clusterEnabled, clusterPort, ioThreadsDoReads,
            connectedClients, usedMemory, role, slot, kind, targetPort, nodeId, layout, clientName, flags;
    final Field btype, timeoutMs, keys, key, reason, byId;
    final Field iterationCpuNs, iterationVoluntary, iterationInvoluntary;

    Fields(Trace trace, Layouts layouts) {
        var t = new Handles(trace, layouts);
        fd = t.field("fd"); id = t.field("id"); startNs = t.field("start_ns");
        vtid = trace.field("vtid"); vpid = trace.field("vpid"); procname = trace.field("procname");
        nread = t.field("nread"); readlen = t.field("readlen"); qbufLen = t.field("qbuf_len"); name = t.field("name");
        names = t.field("names");
        depth = t.field("depth"); durationNs = t.field("duration_ns"); blocked = t.field("blocked");
        pending = t.field("pending"); nwritten = t.field("nwritten"); done = t.field("done");
        type = t.field("type"); typeName = t.field("type_name"); inbound = t.field("inbound"); tls = t.field("tls");
        peerAddr = t.field("peer_addr"); peerPort = t.field("peer_port"); localPort = t.field("local_port");
        async = t.field("async"); pendingReply = t.field("pending_reply");
        requested = t.field("requested"); ret = t.field("ret"); sslPending = t.field("ssl_pending");
        nclients = t.field("nclients"); ioThreads = t.field("io_threads");
        pendingWrites = t.field("pending_writes"); pendingReads = t.field("pending_reads");
        tlsPending = t.field("tls_pending"); timeoutUs = t.field("timeout_us"); nevents = t.field("nevents");
        mask = t.field("mask"); newMask = t.field("new_mask"); channel = t.field("channel");
        payloadLen = t.field("payload_len"); receivers = t.field("receivers"); sharded = t.field("sharded");
        timeNs = t.field("time_ns");
        len = t.field("len"); nlinks = t.field("nlinks"); peer = t.field("peer"); totlen = t.field("totlen");
        sender = t.field("sender"); port = t.field("port"); tlsPort = t.field("tls_port");
        clusterEnabled = t.field("cluster_enabled"); clusterPort = t.field("cluster_port");
        ioThreadsDoReads = t.field("io_threads_do_reads"); connectedClients = t.field("connected_clients");
        usedMemory = t.field("used_memory"); role = t.field("role");
        slot = t.field("slot"); kind = t.field("kind"); targetPort = t.field("target_port");
        nodeId = t.field("node_id"); layout = t.field("layout");
        clientName = t.field("client_name"); flags = t.field("flags");
        btype = t.field("btype"); timeoutMs = t.field("timeout_ms"); keys = t.field("keys"); key = t.field("key");
        reason = t.field("reason"); byId = t.field("by_id");
        iterationCpuNs = t.field("iteration_cpu_ns"); iterationVoluntary = t.field("iteration_voluntary");
        iterationInvoluntary = t.field("iteration_involuntary");
    }

    /** Handles on the Redis events' fields where they hold what kvscope reads them as ({@link Layouts#field}). */
    private record Handles(Trace trace, Layouts layouts) {
        Field field(String name) { return layouts.field(trace, name); }
    }

    /** An integer field, or {@code dflt} when this event does not have it (an older or lighter instrumentation). */
    static long get(Event e, Field f, long dflt) { return e.has(f) ? e.getLong(f) : dflt; }

    static String str(Event e, Field f, String dflt) { return e.has(f) ? e.getString(f) : dflt; }
}
