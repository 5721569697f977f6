package kvscope.analysis.model;

import static kvscope.analysis.model.Dispatch.NOTHING;

/** The server's own facts, from server_info (EVENTS.md): configuration, connected clients, memory. */
final class Servers {
    void register(Dispatch d) {
        d.on("server_info", NOTHING, c -> {
            var st = c.server.stats;
            st.cluster = c.num(c.fields.clusterEnabled) != 0;
            st.ioThreads = (int) c.num(c.fields.ioThreads);
            if (c.num(c.fields.tlsPort) > 0) st.tls = true;
            c.timeline.set(c.time, c.server.memory, c.num(c.fields.usedMemory));
            c.timeline.set(c.time, c.server.clients, c.num(c.fields.connectedClients));
            // The layout version the patch says it writes (proposed for server_info: see Layouts.WRITTEN).
            if (c.event.has(c.fields.layout)) c.counters.writtenLayout = Math.max(c.counters.writtenLayout, c.num(c.fields.layout));
            // The node's own cluster id (newer instrumentation): names it exactly, however short the recording.
            if (c.server.nodeId == null && c.event.has(c.fields.nodeId)) {
                var id = c.str(c.fields.nodeId);
                if (!id.isEmpty() && id.charAt(0) != '\0') c.server.nodeId = id;
            }
        });
    }
}
