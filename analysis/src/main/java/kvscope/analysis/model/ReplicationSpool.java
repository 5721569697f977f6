package kvscope.analysis.model;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The replication events of one host's pass, as an aggregator needs them to pair a master and its replica on
 * different hosts (combine.HostReplication, docs/combine.md): every write a master fed (its offset, time, client fd
 * and command), every apply of a replica whose master is not in this host's trace (offset, bytes, time, master link
 * fd, the master's address as the link names it) and every RDB a replica loaded — on the host's own clock, servers by
 * their segment index. Records in event order; {@link #RECORD_END} closes the file.
 */
public final class ReplicationSpool implements AutoCloseable {
    /**
     * How long an apply on another host than its master may wait for its feeds (ns of trace time), and how many may.
     * Why: the two hosts' events are merged on synchronised clocks, which are right within the estimate's bound (tens
     * to hundreds of µs); a replica on a LAN applies a write some 26 µs after its master fed it (ReplicationHostsTest,
     * p50), so an apply can come first in the merge; paired by offset as it came (one in three writes of a run went
     * unpaired). Replication and the aggregator (combine.ReplicationJoin) pair it when its feeds arrive, within this
     * window (well inside the Timeline's 50 ms horizon, so its lag is placed at its own time, negative within the
     * clocks' bound); later, or more, it is counted unpaired.
     */
    public static final long DEFER_NS = 20_000_000L;
    public static final int DEFER_MAX = 65_536;

    /** Feeds an aggregator keeps per master, as the one-go pass does ({@link Replication#CAPACITY}). */
    public static final int FEEDS_KEPT = Replication.CAPACITY;
    public static final byte RECORD_END = 0, RECORD_FEED = 1, RECORD_APPLY = 2, RECORD_LOADED = 3, RECORD_NAME = 4;

    private final Path file;
    private final DataOutputStream out;
    private final Map<String, Integer> names = new HashMap<>();
    private long records;

    public ReplicationSpool(Path file) throws IOException {
        this.file = file;
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    public Path file() { return file; }

    public long records() { return records; }

    /** A master fed a write: 1 + 4 + 8 + 8 + 4 + 4 = 29 bytes (a command's name once, when first fed). */
    void feed(int server, long time, long offset, int fd, String command) {
        try {
            Integer id = names.get(command);
            if (id == null) {
                id = names.size();
                names.put(command, id);
                out.writeByte(RECORD_NAME);
                out.writeInt(id);
                out.writeUTF(command);
            }
            out.writeByte(RECORD_FEED);
            out.writeInt(server);
            out.writeLong(time);
            out.writeLong(offset);
            out.writeInt(fd);
            out.writeInt(id);
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A replica applied its (untraced here) master's stream up to {@code to}. */
    void apply(int server, long time, long to, long bytes, int fd, String master) {
        try {
            out.writeByte(RECORD_APPLY);
            out.writeInt(server);
            out.writeLong(time);
            out.writeLong(to);
            out.writeLong(bytes);
            out.writeInt(fd);
            out.writeUTF(master);
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A replica finished loading a full resync's RDB. */
    void loaded(int server, long time) {
        try {
            out.writeByte(RECORD_LOADED);
            out.writeInt(server);
            out.writeLong(time);
            records++;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the records; the file is complete. */
    public void finish() throws IOException {
        out.writeByte(RECORD_END);
        out.flush();
    }

    @Override public void close() throws IOException {
        out.close();
        Files.deleteIfExists(file);
    }
}
