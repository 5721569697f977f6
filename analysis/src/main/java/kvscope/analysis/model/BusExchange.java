package kvscope.analysis.model;

import kvscope.analysis.flows.FlowWriter;
import kvscope.ctf.ClockFix;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The cluster bus's publish messages across hosts (docs/combine.md). A host's analysis pairs the messages between
 * its own servers; those to or from another host's need that host's log. So each host {@link #write writes} its
 * bus log (in event order, on its own clock) and its servers' node ids beside its model, and the aggregator
 * {@link Merge merges} every host's log in synchronised event order and pairs it with the same {@link BusMatcher} a
 * one-go analysis uses: the same pairs, of which it draws the ones between hosts.
 */
public final class BusExchange {
    private BusExchange() {}

    /** The log of {@code servers}' bus messages: their own node ids by segment index, the id table, the records. */
    static void write(BusLog log, List<ServerState> servers, DataOutputStream out) throws IOException {
        out.writeInt(servers.size());
        for (var s : servers) {
            out.writeInt(s.index);
            out.writeUTF(s.nodeId == null ? "" : s.nodeId);
        }
        out.writeInt(log.ids.size());
        for (var id : log.ids) out.writeUTF(id);
        out.writeLong(log.records);
        log.replay(r -> {
            out.writeByte(r.kind);
            out.writeInt(r.server);
            out.writeInt(r.id);
            out.writeInt(r.fd);
            out.writeLong(r.time);
            out.writeLong(r.emit);
            out.writeLong(r.totlen);
        });
    }

    /** Every host's bus log, merged at the aggregator. */
    public static final class Merge implements AutoCloseable {
        private final BusLog log;
        private final List<String> nodeIds = new ArrayList<>();
        private final List<Source> sources = new ArrayList<>();

        /** @param scratch a file for the merged log (deleted on close) */
        public Merge(Path scratch) throws IOException {
            log = new BusLog(scratch);
        }

        /**
         * Reads one host's node ids and id table from {@code in}, leaving its records to be read by {@link #pair};
         * {@code server} maps the host's segment server index to the combined one.
         */
        public void host(DataInputStream in, int[] server, ClockFix fix, String where) throws IOException {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int index = in.readInt();
                var id = in.readUTF();
                if (index < 0 || index >= server.length) throw new IOException("bus log: server " + index + " unknown");
                int c = server[index];
                while (nodeIds.size() <= c) nodeIds.add(null);
                nodeIds.set(c, id.isEmpty() ? null : id);
            }
            int ids = in.readInt();
            var idMap = new int[ids];
            for (int i = 0; i < ids; i++) idMap[i] = log.idIndex(in.readUTF());
            sources.add(new Source(in, in.readLong(), server, idMap, fix, where));
        }

        /**
         * Replays every host's records in synchronised event order into one log and pairs it; writes every pair to
         * {@code out} — those inside a host too: events lost on any host reset the pairing of all hosts' messages
         * ({@link BusMatcher#RESYNC_NS}), which a host's own model could not know. Returns {pairs drawn, messages whose
         * sending was not found}.
         */
        public long[] pair(FlowWriter out) throws IOException {
            var queue = new PriorityQueue<Source>((a, b) -> Long.compare(a.order, b.order));
            for (var s : sources) if (s.next()) queue.add(s);
            while (!queue.isEmpty()) {
                var s = queue.poll();
                log.write(s.kind, s.server, s.id, s.fd, s.time, s.emit, s.totlen);
                if (s.next()) queue.add(s);
            }
            var ids = nodeIds.toArray(new String[0]);
            return BusMatcher.match(log, ids, out, (from, to) -> true);
        }

        /**
         * A server's node id found at the aggregator (by elimination across hosts: combine.NodeNames), given whole or
         * by its first 8 digits — then whole when a host's log has exactly one id that begins so.
         */
        public void named(int server, String id) {
            var full = id;
            if (id.length() <= 8) {
                var matches = log.ids.stream().filter(x -> x.startsWith(id)).distinct().toList();
                if (matches.size() == 1) full = matches.get(0);
            }
            while (nodeIds.size() <= server) nodeIds.add(null);
            nodeIds.set(server, full);
        }

        /** The node id of a server (by combined index) as its host said it (or {@link #named}), or null. */
        public String nodeId(int server) { return server >= 0 && server < nodeIds.size() ? nodeIds.get(server) : null; }

        @Override public void close() throws IOException { log.close(); }
    }

    /** One host's records, read one at a time, put on the reference clock. */
    private static final class Source {
        final DataInputStream in;
        long left;
        final int[] serverMap, idMap;
        final ClockFix fix;
        final String where;
        byte kind;
        int server, id, fd;
        long time, emit, totlen, order;

        Source(DataInputStream in, long count, int[] serverMap, int[] idMap, ClockFix fix, String where) {
            this.where = where;
            this.in = in;
            this.left = count;
            this.serverMap = serverMap;
            this.idMap = idMap;
            this.fix = fix;
        }

        boolean next() throws IOException {
            if (left-- <= 0) return false;
            try {
                read();
            } catch (EOFException e) {
                throw new IOException(where + ": the bus log ends " + (left + 1) + " records early", e);
            }
            // The log's order is the events': a send is logged at its time, a receive at its event's (emit), a loss
            // where the reader put it (emit: the start of its range, though it resets until its end).
            order = kind == BusLog.SEND ? time : emit;
            return true;
        }

        private void read() throws IOException {
            kind = in.readByte();
            int s = in.readInt(), i = in.readInt();
            server = s >= 0 && s < serverMap.length ? serverMap[s] : -1;
            id = i >= 0 && i < idMap.length ? idMap[i] : -1;
            fd = in.readInt();
            time = fix.apply(in.readLong());
            emit = fix.apply(in.readLong());
            totlen = in.readLong();
        }
    }
}
