package kvscope.analysis.segments;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static kvscope.analysis.segments.SegmentFormat.*;

/**
 * Appends segments to a file as requests complete. Memory stays bounded: one write buffer, the block index
 * (two longs per {@value SegmentFormat#BLOCK} segments) and the name tables.
 */
public final class SegmentWriter implements AutoCloseable {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(RECORD * 4096).order(ByteOrder.LITTLE_ENDIAN);
    private final List<String> servers = new ArrayList<>();
    private final Map<String, Integer> serverIds = new HashMap<>();
    private final List<String> commands = new ArrayList<>();
    private final Map<String, Integer> commandIds = new HashMap<>();
    private long[] blockMinStart = new long[64];
    private long[] blockMaxEnd = new long[64];
    private long count;
    private boolean closed;
    /** Where the index and names start, once {@link #finish} wrote them; −1 before. */
    private long footer = -1;
    private final Path path;
    private final LatencyCollector latencies = new LatencyCollector();
    /** What {@link #publish} last put on disk, for readers on other threads; null before. */
    private volatile Written written;

    /** The segments on disk at a {@link #publish}: their count, block index and names then. */
    private record Written(long count, long[] blockMinStart, long[] blockMaxEnd, List<String> servers,
                           List<String> commands) {}

    // Segments wait here as plain longs and are encoded a block at a time. Why: the encoding's ByteBuffer calls,
    // inlined into every handler that ends a request, made those handlers the JIT's slowest compilations.
    private static final int FIELDS = 18, STAGED = 4096;
    private final long[] staged = new long[FIELDS * STAGED];
    private int stagedCount;

    public SegmentWriter(Path file) throws IOException {
        path = file;
        ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        var header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC).putInt(VERSION).putLong(0).putLong(0).putInt(0).flip();
        ch.write(header, 0);
        ch.position(HEADER);
    }

    public int server(String name) { return intern(name, servers, serverIds); }

    public boolean hasServer(String name) { return serverIds.containsKey(name); }

    /** Gives server {@code id} another name (learnt after its first segments); false if another server has it. */
    public boolean renameServer(int id, String name) {
        if (serverIds.containsKey(name)) return false;
        serverIds.remove(servers.get(id));
        servers.set(id, name);
        serverIds.put(name, id);
        return true;
    }

    private String lastCommand;
    private int lastCommandId;

    /** The id of a command name; the reader's repeated strings are the same object, so runs skip the map. */
    public int command(String name) {
        if (name != lastCommand) {
            lastCommandId = intern(name, commands, commandIds);
            lastCommand = name;
        }
        return lastCommandId;
    }

    private static int intern(String name, List<String> list, Map<String, Integer> ids) {
        var id = ids.get(name);
        if (id != null) return id;
        ids.put(name, list.size());
        list.add(name);
        return list.size() - 1;
    }

    public void add(int server, int fd, long clientId, int command, long readable, long readStart, long readEnd,
                    long commandStart, long commandEnd, long writeStart, long replyEnd, long bytesIn, long bytesOut,
                    int readThread, int writeThread) throws IOException {
        add(server, fd, clientId, command, readable, readStart, readEnd, commandStart, commandEnd, writeStart, replyEnd,
                bytesIn, bytesOut, readThread, writeThread, Segment.UNKNOWN, Segment.UNKNOWN, 0);
    }

    /** A request that blocked from {@code blockStart} to {@code blockEnd}, let go for {@code blockReason} (a BlockReason ordinal). */
    public void add(int server, int fd, long clientId, int command, long readable, long readStart, long readEnd,
                    long commandStart, long commandEnd, long writeStart, long replyEnd, long bytesIn, long bytesOut,
                    int readThread, int writeThread, long blockStart, long blockEnd, int blockReason) throws IOException {
        if (stagedCount == STAGED) encodeStaged();
        var r = staged;
        int o = stagedCount++ * FIELDS;
        r[o] = server;
        r[o + 1] = fd;
        r[o + 2] = clientId;
        r[o + 3] = command;
        r[o + 4] = readable;
        r[o + 5] = readStart;
        r[o + 6] = readEnd;
        r[o + 7] = commandStart;
        r[o + 8] = commandEnd;
        r[o + 9] = writeStart;
        r[o + 10] = replyEnd;
        r[o + 11] = bytesIn;
        r[o + 12] = bytesOut;
        r[o + 13] = readThread;
        r[o + 14] = writeThread;
        r[o + 15] = blockStart;
        r[o + 16] = blockEnd;
        r[o + 17] = blockReason;
        long start = readStart != Segment.UNKNOWN ? readStart : commandStart;
        long end = replyEnd != Segment.UNKNOWN ? replyEnd : commandEnd;
        long blocked = Segment.blocked(blockStart, blockEnd);
        latencies.add(server, command, end - start - blocked, blocked);
        int block = (int) (count / BLOCK);
        if (block >= blockMinStart.length) {
            blockMinStart = Arrays.copyOf(blockMinStart, block * 2);
            blockMaxEnd = Arrays.copyOf(blockMaxEnd, block * 2);
        }
        if (count % BLOCK == 0) {
            blockMinStart[block] = start;
            blockMaxEnd[block] = end;
        } else {
            blockMinStart[block] = Math.min(blockMinStart[block], start);
            blockMaxEnd[block] = Math.max(blockMaxEnd[block], end);
        }
        count++;
    }

    private void encodeStaged() throws IOException {
        var r = staged;
        for (int k = 0; k < stagedCount; k++) {
            if (buf.remaining() < RECORD) flush();
            int o = k * FIELDS;
            buf.putInt((int) r[o]).putInt((int) r[o + 1]).putLong(r[o + 2]).putInt((int) r[o + 3]).putLong(r[o + 4])
                    .putLong(r[o + 5]).putLong(r[o + 6]).putLong(r[o + 7]).putLong(r[o + 8]).putLong(r[o + 9])
                    .putLong(r[o + 10]).putLong(r[o + 11]).putLong(r[o + 12]).putInt((int) r[o + 13]).putInt((int) r[o + 14])
                    .putLong(r[o + 15]).putLong(r[o + 16]).putInt((int) r[o + 17]);
        }
        stagedCount = 0;
    }

    public void add(Segment s) throws IOException {
        add(s.server(), s.fd(), s.clientId(), s.command(), s.readable(), s.readStart(), s.readEnd(), s.commandStart(),
                s.commandEnd(), s.writeStart(), s.replyEnd(), s.bytesIn(), s.bytesOut(), s.readThread(), s.writeThread(),
                s.blockStart(), s.blockEnd(), s.blockReason());
    }

    public long count() { return count; }

    /** The latency statistics of the segments written, to finish once the file is complete. */
    public LatencyCollector latencies() { return latencies; }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    /**
     * Writes the segments added so far to the file and lets {@link #written} read them: a live session's views
     * answer from them while the model grows (serve --live). Called on the writing thread, now and then.
     */
    public void publish() throws IOException {
        if (footer >= 0) return;
        encodeStaged();
        flush();
        int blocks = (int) ((count + BLOCK - 1) / BLOCK);
        written = new Written(count, Arrays.copyOf(blockMinStart, blocks), Arrays.copyOf(blockMaxEnd, blocks),
                List.copyOf(servers), List.copyOf(commands));
    }

    /**
     * The segments of the last {@link #publish}, readable from any thread while this one writes more (records once
     * written never change); null before the first. The caller closes it.
     */
    public SegmentFile written() throws IOException {
        var w = written;
        if (w == null) return null;
        return SegmentFile.of(path, w.count(), w.blockMinStart(), w.blockMaxEnd(), w.servers(), w.commands());
    }

    /** Writes the index and names and marks the file complete; a file without this mark is never read. */
    @Override public void close() throws IOException {
        if (closed) return;
        try (ch) {
            finish();
            commit();
        } finally {
            closed = true;
        }
    }

    /**
     * The first half of {@link #close}: writes the last segments, the index and the names, without forcing them to
     * disk nor marking the file complete. {@link #reader} reads them from here on.
     */
    public void finish() throws IOException {
        if (footer >= 0) return;
        encodeStaged();
        flush();
        footer = ch.position();
        int blocks = (int) ((count + BLOCK - 1) / BLOCK);
        var out = new ByteArrayOutputStream();
        var data = new DataOutputStream(out);
        data.writeInt(blocks);
        for (int i = 0; i < blocks; i++) {
            data.writeLong(blockMinStart[i]);
            data.writeLong(blockMaxEnd[i]);
        }
        writeNames(data, servers);
        writeNames(data, commands);
        data.flush();
        var bytes = ByteBuffer.wrap(out.toByteArray());
        while (bytes.hasRemaining()) ch.write(bytes);
    }

    /**
     * The second half of {@link #close}, after {@link #finish}: forces the segments to disk, then marks the file
     * complete, and closes it. Why apart: the analysis summarises the segments on one core while this waits for the
     * disk on the other.
     */
    public void commit() throws IOException {
        if (footer < 0) throw new IllegalStateException("commit() before finish()");
        if (closed) return;
        closed = true;
        try (ch) {
            ch.force(false);
            var header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(MAGIC).putInt(VERSION).putLong(count).putLong(footer).putInt(1).flip();
            ch.write(header, 0);
            ch.force(true);
        }
    }

    /**
     * The segments written, readable after {@link #finish} even before the file is marked complete (a file that is
     * {@link SegmentFile#open opened} must be complete). The caller closes it.
     */
    public SegmentFile reader() throws IOException {
        if (footer < 0) throw new IllegalStateException("reader() before finish()");
        int blocks = (int) ((count + BLOCK - 1) / BLOCK);
        return SegmentFile.of(path, count, Arrays.copyOf(blockMinStart, blocks),
                Arrays.copyOf(blockMaxEnd, blocks), List.copyOf(servers), List.copyOf(commands));
    }

    private static void writeNames(DataOutputStream out, List<String> names) throws IOException {
        out.writeInt(names.size());
        for (var n : names) {
            var b = n.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }
}
