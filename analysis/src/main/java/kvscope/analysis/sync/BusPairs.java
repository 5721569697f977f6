package kvscope.analysis.sync;

import kvscope.ctf.Event;
import kvscope.ctf.EventType;
import kvscope.ctf.Field;
import kvscope.ctf.Trace;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Message pairs from the Redis cluster bus: a TCP connection between two nodes is seen from both ends (the
 * {@code accept_client} of its outbound end, which connected, has the local port the inbound end sees as its peer's),
 * and on it messages arrive in the order they were queued. So the k-th message one end queued ({@code cluster_send},
 * on the sender's clock) is the k-th the other processed ({@code cluster_process_packet}, its {@code start_ns} on the
 * receiver's clock, after the whole message was read) — checked by type and length; the first disagreement ends the
 * pairing of that connection (lost events or a connection whose start the trace missed).
 *
 * <p>Several hosts analysed where their traces are (docs/combine.md): each host {@link #write writes} the ends it saw
 * beside its model, and the aggregator {@link #read reads} every host's into one BusPairs and pairs them there — the
 * same pairs the one-go pass would have made, so the same clocks.
 */
public final class BusPairs {
    /** Messages kept per link and direction: enough for the hull, a bounded memory however busy the bus. */
    static final int MAX_PER_LINK = 1 << 16;

    /** One end of a cluster link, as one node saw it. */
    private static final class End {
        final String host;
        final long clockOffset;
        boolean known, inbound;
        String peerAddr;
        long peerPort, localPort;
        final List<long[]> sent = new ArrayList<>(), processed = new ArrayList<>();
        long beyond;

        End(String host, long clockOffset) {
            this.host = host;
            this.clockOffset = clockOffset;
        }
    }

    private final Map<String, End> ends = new HashMap<>();
    private final EventType accept, send, process;
    private final Field fd, id, vpid, type, inbound, peerAddr, peerPort, localPort, startNs, totlen;
    /** Counted for the report: pairs that could not be made. */
    long unmatchedLinks, disagreeing, beyondCap;

    /** For the aggregator: ends come from {@link #read}, not from events. */
    public BusPairs() {
        accept = send = process = null;
        fd = id = vpid = type = inbound = peerAddr = peerPort = localPort = startNs = totlen = null;
    }

    public BusPairs(Trace t) {
        accept = t.eventType("redis:accept_client");
        send = t.eventType("redis:cluster_send");
        process = t.eventType("redis:cluster_process_packet");
        fd = t.field("fd");
        id = t.field("id");
        vpid = t.field("vpid");
        type = t.field("type");
        inbound = t.field("inbound");
        peerAddr = t.field("peer_addr");
        peerPort = t.field("peer_port");
        localPort = t.field("local_port");
        startNs = t.field("start_ns");
        totlen = t.field("totlen");
    }

    public boolean reads(EventType t) { return t == accept || t == send || t == process; }

    public void accept(Event e) {
        var t = e.type();
        if (t == null) return;
        if (t != accept && t != send && t != process) return;
        // A trace whose events lack a field pairing needs (one kvscope did not record: issue #20) pairs nothing on
        // that link: it is left out as a link begun before the trace is, and the clocks table shows the pairs it got.
        if (!e.has(id) || !e.has(type)) return;
        var info = e.trace();
        var key = info.index() + "/" + (e.has(vpid) ? e.getLong(vpid) : -1) + "/" + e.getLong(id);
        if (t == accept) {
            if (!"cluster".equals(e.getString(type))) return;
            if (!e.has(inbound) || !e.has(peerAddr) || !e.has(peerPort) || !e.has(localPort)) return;
            var end = new End(info.host(), info.clockOffsetNs());
            end.known = true;
            end.inbound = e.getLong(inbound) != 0;
            end.peerAddr = e.getString(peerAddr);
            end.peerPort = e.getLong(peerPort);
            end.localPort = e.getLong(localPort);
            ends.put(key, end);
            return;
        }
        var end = ends.get(key);
        if (end == null) {
            // A link created before the trace began: its message counts are unknown, it is not used.
            ends.put(key, end = new End(info.host(), info.clockOffsetNs()));
        }
        if (!end.known) return;
        if (!e.has(totlen) || (t == process && !e.has(startNs))) {
            end.known = false;
            return;
        }
        var list = t == send ? end.sent : end.processed;
        if (list.size() >= MAX_PER_LINK) {
            end.beyond++;
            return;
        }
        long time = t == send ? e.timestamp() : e.getLong(startNs) + end.clockOffset;
        list.add(new long[] {time, e.getLong(type), e.getLong(totlen)});
    }

    /**
     * The ends seen so far, for the aggregator: the links whose creation the trace missed as a count, then each known
     * end with its messages (time on the host's clock, type, length) — 24 bytes a message.
     */
    public void write(DataOutputStream out) throws IOException {
        long unknown = ends.values().stream().filter(e -> !e.known).count();
        out.writeLong(unknown);
        out.writeInt((int) (ends.size() - unknown));
        for (var end : ends.values()) {
            if (!end.known) continue;
            out.writeBoolean(end.inbound);
            out.writeLong(end.peerPort);
            out.writeLong(end.localPort);
            out.writeLong(end.beyond);
            for (var list : List.of(end.sent, end.processed)) {
                out.writeInt(list.size());
                for (var m : list) {
                    out.writeLong(m[0]);
                    out.writeLong(m[1]);
                    out.writeLong(m[2]);
                }
            }
        }
    }

    /** Adds the ends one host {@link #write wrote}, under that host's name. */
    public void read(DataInputStream in, String host) throws IOException {
        unmatchedLinks += in.readLong();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            var end = new End(host, 0);
            end.known = true;
            end.inbound = in.readBoolean();
            end.peerPort = in.readLong();
            end.localPort = in.readLong();
            end.beyond = in.readLong();
            for (var list : List.of(end.sent, end.processed)) {
                int m = in.readInt();
                if (m < 0 || m > MAX_PER_LINK) throw new IOException("bus pairs: " + m + " messages on one link end");
                for (int k = 0; k < m; k++) list.add(new long[] {in.readLong(), in.readLong(), in.readLong()});
            }
            ends.put(host + "\u0000" + i, end);
        }
    }

    /** Pairs the two ends of every connection seen from both and adds their messages to {@code sync}. */
    public void into(ClockSync sync) {
        var outbound = new HashMap<String, List<End>>();
        for (var end : ends.values()) {
            if (!end.known) {
                unmatchedLinks++;
                continue;
            }
            beyondCap += end.beyond;
            if (!end.inbound) outbound.computeIfAbsent(end.localPort + ":" + end.peerPort, k -> new ArrayList<>()).add(end);
        }
        for (var in : ends.values()) {
            if (!in.known || !in.inbound) continue;
            var candidates = outbound.getOrDefault(in.peerPort + ":" + in.localPort, List.of()).stream()
                    .filter(o -> !o.host.equals(in.host)).toList();
            if (candidates.size() != 1) {
                // Same-host links need no synchronisation; two candidates (a port pair reused) cannot be told apart.
                if (candidates.size() > 1) unmatchedLinks++;
                continue;
            }
            var out = candidates.get(0);
            pairs(out, in, sync);
            pairs(in, out, sync);
        }
    }

    private void pairs(End from, End to, ClockSync sync) {
        int n = Math.min(from.sent.size(), to.processed.size());
        for (int k = 0; k < n; k++) {
            var s = from.sent.get(k);
            var r = to.processed.get(k);
            if (s[1] != r[1] || s[2] != r[2]) {
                disagreeing += n - k;
                return;
            }
            sync.pair(from.host, s[0], to.host, r[0]);
        }
    }

}
