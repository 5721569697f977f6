package kvscope.analysis.views;

import kvscope.analysis.flows.FlowFile;
import kvscope.statesystem.History;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redis Netflow (paper Figs. 5–6): a row per connection, server › fd, labelled with the peer and client id of the
 * clients that held the fd (fds are reused); states READ, COMMAND:name, WRITE, CLUSTER SEND/READ, FREEING from
 * {@code Connections/<fd>/Status}; arrows follow published messages from the publisher over the bus to subscribers.
 */
final class NetflowView extends AttributeTimeGraph {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.netflow", "Redis Netflow",
            "A row per connection (server › fd): reading, executing, writing, cluster traffic, freeing",
            Tsp.ProviderType.TIME_GRAPH);
    /** Distinct clients named in a row's label: enough to recognise it, bounded whatever the fd reuse. */
    private static final int PEERS_SHOWN = 3;

    /** Arrows per answer: beyond this many the picture is a solid band; one per row pair and pixel is kept. */
    static final int MAX_ARROWS = 20_000;

    private final FlowFile flows;
    private final List<String> servers;

    /**
     * @param flows   the causal links between connections (PUBLISH → bus → subscriber)
     * @param servers server names by the index the flows use (the segment file's)
     */
    NetflowView(History h, FlowFile flows, List<String> servers) {
        super(h);
        this.flows = flows;
        this.servers = servers;
    }

    /**
     * Arrows between connection rows, within and across servers: at most one per (source row, target row, pixel)
     * so a full-range answer stays small whatever the trace.
     */
    @Override public List<Tsp.Arrow> arrows(Query q) {
        var out = new ArrayList<Tsp.Arrow>();
        var seen = new HashSet<Long>();
        long step = q.step();
        int[] rowOf = new int[servers.size()];
        Arrays.fill(rowOf, Integer.MIN_VALUE);
        flows.forEach(q.start(), q.end(), (kind, srcServer, srcFd, srcTime, dstServer, dstFd, dstTime) -> {
            if (out.size() >= MAX_ARROWS) return;
            int src = row(rowOf, srcServer, srcFd), dst = row(rowOf, dstServer, dstFd);
            if (src < 0 || dst < 0) return;
            long pixel = (Math.max(srcTime, q.start()) - q.start()) / step;
            long key = (((long) src * 31 + dst) * 0x9E3779B97F4A7C15L) ^ pixel;
            if (!seen.add(key)) return;
            out.add(new Tsp.Arrow(src, dst, srcTime, dstTime, Styles.ref(Styles.arrow(kind))));
        });
        return out;
    }

    /** The row (fd quark) of (server, fd), or -1 when the model has no such row. */
    private int row(int[] connections, int server, int fd) {
        if (server < 0 || server >= servers.size()) return -1;
        if (connections[server] == Integer.MIN_VALUE) {
            int root = h.lookup(servers.get(server));
            connections[server] = root < 0 ? -1 : h.lookupUnder(root, "Connections");
        }
        int parent = connections[server];
        return parent < 0 ? -1 : h.lookupUnder(parent, Integer.toString(fd));
    }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override protected Tsp.Header header() { return Tsp.Header.of("Connection", "STRING"); }

    @Override protected void build(List<Tsp.Entry> entries, Map<Long, RowSpec> rows) {
        for (int server : servers("Connections")) {
            entries.add(Tsp.Entry.timeGraph(server, -1, h.name(server), false, h.start(), h.end()));
            int requests = h.lookupUnder(server, "Requests");
            for (int fd : numericChildren(h.lookupUnder(server, "Connections"))) {
                int status = h.lookupUnder(fd, "Status");
                if (status < 0) continue;
                int req = requests < 0 ? -1 : h.lookupUnder(requests, h.name(fd));
                entries.add(Tsp.Entry.timeGraph(fd, server, label(fd), true, h.start(), h.end()));
                rows.put((long) fd, new RowSpec(status, new int[0], req < 0 ? new int[] {fd} : new int[] {fd, req}));
            }
        }
    }

    /** "fd 12 · 10.0.0.5:50000 #3 pool-1, …": the first few clients seen on the fd (with their names when known). */
    private String label(int fd) {
        int peer = h.lookupUnder(fd, "Peer"), id = h.lookupUnder(fd, "Id"), name = h.lookupUnder(fd, "Client");
        // peer → " #id": a peer seen again with its id unknown (an interval split by a re-set) is not listed twice.
        var seen = new LinkedHashMap<String, String>();
        boolean more = false;
        if (peer >= 0) {
            for (var it = h.intervals(peer, h.start(), h.end()); it.next(); ) {
                var p = it.string();
                if (p == null) continue;
                String client = "";
                if (id >= 0) {
                    var s = h.at(it.start(), id);
                    if (s != null && !s.isNull()) client = " #" + s.value();
                }
                if (name >= 0) { // the client's name, from Redis's snapshot (set with its peer when met mid-life)
                    var s = h.at(it.start(), name);
                    if (s != null && !s.isNull()) client += " " + s.value();
                }
                var known = seen.get(p);
                if (known == null) {
                    if (seen.size() == PEERS_SHOWN) {
                        more = true;
                        break;
                    }
                    seen.put(p, client);
                } else if (known.isEmpty()) seen.put(p, client);
            }
        }
        var sb = new StringBuilder("fd ").append(h.name(fd));
        if (!seen.isEmpty()) {
            sb.append(" · ");
            var first = true;
            for (var e : seen.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append(e.getKey()).append(e.getValue());
            }
        }
        if (more) sb.append(", …");
        return sb.toString();
    }

    @Override protected String label(RowSpec row, Sampled.Buf v, int i, Sampled s, long t0, long step) {
        var status = v.text(i);
        if (status == null) return null;
        return switch (status) {
            case "READ_CLIENT" -> "READ";
            case "WRITE_TO_CLIENT" -> "WRITE";
            case "CLUSTER_WRITE" -> "CLUSTER SEND";
            case "CLUSTER_READ" -> "CLUSTER READ";
            case "REGISTERED" -> null;
            default -> status.startsWith("PROCESS_COMMAND:") ? "COMMAND:" + status.substring(16)
                    : status.startsWith("CLUSTER_PROCESS:") ? "CLUSTER PROCESS:" + status.substring(16) : status;
        };
    }

    @Override protected String style(RowSpec row, Sampled.Buf v, int i) { return Styles.ofStatus(v.text(i)); }
}
