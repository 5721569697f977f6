package kvscope.analysis.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Publish messages sent and received over the cluster bus, logged in event order to a scratch file while the events
 * are read. A message is named by node ids (the receiver's on the sending side, the sender's on the receiving side),
 * and a node's own id is only known once the whole trace is read (NodeIds); so the two sides are paired afterwards,
 * by {@link BusMatcher}, from this file — memory stays bounded whatever the trace size.
 */
final class BusLog implements AutoCloseable {
    static final byte SEND = 0, RECEIVE = 1, RESET = 2;

    private final Path file;
    private final DataOutputStream out;
    private final Map<String, Integer> idIndex = new HashMap<>();
    final List<String> ids = new ArrayList<>();
    long records;

    BusLog(Path file) throws IOException {
        this.file = file;
        this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    int idIndex(String nodeId) {
        var i = idIndex.get(nodeId);
        if (i == null) {
            idIndex.put(nodeId, i = ids.size());
            ids.add(nodeId);
        }
        return i;
    }

    /** Server {@code server} queued a publish message of {@code totlen} bytes for node {@code peer} on link fd. */
    void send(int server, String peer, int fd, long time, long totlen) throws IOException {
        write(SEND, server, idIndex(peer), fd, time, time, totlen);
    }

    /** Server {@code server} began processing, at {@code start}, a publish message node {@code sender} sent. */
    void receive(int server, String sender, int fd, long start, long emit, long totlen) throws IOException {
        write(RECEIVE, server, idIndex(sender), fd, start, emit, totlen);
    }

    /**
     * Events were lost up to {@code time}: messages in flight then cannot be paired. {@code from} is where the loss
     * comes in the events' order (the start of its range, the reader's sort key): an aggregator merging hosts' logs
     * puts it there, as the one-go pass met it (model.BusExchange).
     */
    void reset(long time, long from) throws IOException {
        write(RESET, -1, -1, -1, time, from, 0);
    }

    void write(byte kind, int server, int id, int fd, long time, long emit, long totlen) throws IOException {
        out.writeByte(kind);
        out.writeInt(server);
        out.writeInt(id);
        out.writeInt(fd);
        out.writeLong(time);
        out.writeLong(emit);
        out.writeLong(totlen);
        records++;
    }

    /** One logged record, reused by the reader. */
    static final class Record {
        byte kind;
        int server, id, fd;
        long time, emit, totlen;
    }

    interface Reader {
        void record(Record r) throws IOException;
    }

    /** Replays the log in order (after {@link #close}). */
    void replay(Reader reader) throws IOException {
        out.flush();
        try (var in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            var r = new Record();
            for (long i = 0; i < records; i++) {
                r.kind = in.readByte();
                r.server = in.readInt();
                r.id = in.readInt();
                r.fd = in.readInt();
                r.time = in.readLong();
                r.emit = in.readLong();
                r.totlen = in.readLong();
                reader.record(r);
            }
        } catch (EOFException e) {
            throw new IOException(file + ": bus log ends early", e);
        }
    }

    @Override public void close() throws IOException {
        out.close();
        Files.deleteIfExists(file);
    }
}
