package kvscope.analysis.model;

/** The server's own facts, from server_info (EVENTS.md): configuration, connected clients, memory. */
final class Servers {
    void register(Dispatch d) {
        d.on("server_info", c -> {
            var st = c.s.stats;
            st.cluster = c.num(c.f.clusterEnabled) != 0;
            st.ioThreads = (int) c.num(c.f.ioThreads);
            if (c.num(c.f.tlsPort) > 0) st.tls = true;
            c.tl.set(c.t, c.s.memory, c.num(c.f.usedMemory));
            c.tl.set(c.t, c.s.clients, c.num(c.f.connectedClients));
            // The node's own cluster id (newer instrumentation): names it exactly, however short the recording.
            if (c.s.nodeId == null && c.e.has(c.f.nodeId)) {
                var id = c.str(c.f.nodeId);
                if (!id.isEmpty() && id.charAt(0) != '\0') c.s.nodeId = id;
            }
        });
    }
}
