package kvscope.analysis.segments;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static kvscope.analysis.segments.SegmentFormat.*;

/**
 * A completed segment file. Scans read it block by block (positional reads into one buffer per scan, not a mapping:
 * a scan of every segment of a 50 M-event trace must not leave the whole file resident in the process) and visit
 * records through one reusable {@link Cursor}: no allocation per segment. Safe for concurrent scans.
 */
public final class SegmentFile implements AutoCloseable {
    private final Path path;
    private final FileChannel ch;
    private final long count;
    private final long[] blockMinStart;
    private final long[] blockMaxEnd;
    private final List<String> servers;
    private final List<String> commands;

    private SegmentFile(Path path, FileChannel ch, long count, long[] blockMinStart,
                        long[] blockMaxEnd, List<String> servers, List<String> commands) {
        this.path = path;
        this.ch = ch;
        this.count = count;
        this.blockMinStart = blockMinStart;
        this.blockMaxEnd = blockMaxEnd;
        this.servers = servers;
        this.commands = commands;
    }

    /** Opens a file written by {@link SegmentWriter}; a file that was not closed or is damaged is refused, saying why. */
    public static SegmentFile open(Path path) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < HEADER) throw damaged(path, 0, "file shorter than its header (" + size + " bytes)");
            var h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            h.flip();
            if (h.getLong() != MAGIC) throw damaged(path, 0, "not a kvscope segment file (bad magic)");
            int version = h.getInt();
            if (version != VERSION) throw damaged(path, 8, "format version " + version + ", expected " + VERSION);
            long count = h.getLong();
            long footer = h.getLong();
            if (h.getInt() != 1) throw damaged(path, 28, "incomplete: the analysis that wrote it did not finish");
            if (count < 0 || footer != HEADER + count * RECORD || footer > size) {
                throw damaged(path, 12, "record count " + count + " does not fit the file size " + size);
            }
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(ch.position(footer))));
            int blocks = in.readInt();
            if (blocks != (count + BLOCK - 1) / BLOCK) throw damaged(path, footer, "block index of " + blocks + " blocks");
            var minStart = new long[blocks];
            var maxEnd = new long[blocks];
            for (int i = 0; i < blocks; i++) {
                minStart[i] = in.readLong();
                maxEnd[i] = in.readLong();
            }
            var servers = readNames(in, path, footer);
            var commands = readNames(in, path, footer);
            return new SegmentFile(path, ch, count, minStart, maxEnd, servers, commands);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (e instanceof EOFException) throw damaged(path, -1, "truncated name tables");
            throw e;
        }
    }

    /** A file whose header and index the caller already knows ({@link SegmentWriter#reader}): nothing is checked. */
    static SegmentFile of(Path path, long count, long[] blockMinStart, long[] blockMaxEnd, List<String> servers,
                          List<String> commands) throws IOException {
        return new SegmentFile(path, FileChannel.open(path, StandardOpenOption.READ), count, blockMinStart, blockMaxEnd,
                servers, commands);
    }

    private static List<String> readNames(DataInputStream in, Path path, long offset) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) throw damaged(path, offset, "name table of " + n + " entries");
        var names = new ArrayList<String>(n);
        for (int i = 0; i < n; i++) {
            int len = in.readInt();
            if (len < 0 || len > 65536) throw damaged(path, offset, "name of " + len + " bytes");
            names.add(new String(in.readNBytes(len), StandardCharsets.UTF_8));
        }
        return List.copyOf(names);
    }

    private static IOException damaged(Path path, long offset, String what) {
        return new IOException(path + (offset >= 0 ? " at byte " + offset : "") + ": " + what
                + "; run `kvscope analyze --force` to rebuild it");
    }

    public Path path() { return path; }
    public long count() { return count; }
    public List<String> servers() { return servers; }
    public List<String> commands() { return commands; }

    /** Index of a server or command name, −1 if none has that name. */
    public int serverIndex(String name) { return servers.indexOf(name); }
    public int commandIndex(String name) { return commands.indexOf(name); }

    /** Receives each matching segment; the cursor is valid only during the call. */
    @FunctionalInterface
    public interface Visitor { void visit(Cursor c); }

    /** Every segment in completion order. */
    public void forEach(Visitor v) { scan(Long.MIN_VALUE, Long.MAX_VALUE, -1, -1, v); }

    /**
     * Segments overlapping [t0, t1], optionally of one server and one command (−1 = any), in completion order.
     * Blocks whose time span misses the range are skipped without reading their records.
     */
    public void scan(long t0, long t1, int server, int command, Visitor v) {
        // Direct: a read into a heap buffer goes through a direct one and is copied again (a whole-file scan at the
        // end of an analysis spent a third of its time in that copy).
        var c = new Cursor(ByteBuffer.allocateDirect(BLOCK * RECORD).order(ByteOrder.LITTLE_ENDIAN));
        for (int b = 0; b < blockMinStart.length; b++) {
            if (blockMaxEnd[b] < t0 || blockMinStart[b] > t1) continue;
            long first = (long) b * BLOCK;
            int n = (int) Math.min(BLOCK, count - first);
            c.load(first, n);
            for (int k = 0; k < n; k++) {
                c.at(first + k, k * RECORD);
                if (server >= 0 && c.server() != server) continue;
                if (command >= 0 && c.command() != command) continue;
                if (c.end() < t0 || c.start() > t1) continue;
                v.visit(c);
            }
        }
    }

    /** The segment at a position (0 ≤ index < count), as a value. */
    public Segment get(long index) {
        if (index < 0 || index >= count) throw new IndexOutOfBoundsException("segment " + index + " of " + count);
        var c = new Cursor(ByteBuffer.allocate(RECORD).order(ByteOrder.LITTLE_ENDIAN));
        c.load(index, 1);
        c.at(index, 0);
        return c.toSegment();
    }

    @Override public void close() throws IOException { ch.close(); }

    /** A view on one record; moves as the scan advances. */
    public final class Cursor implements RequestTimes {
        private final ByteBuffer b;
        private int o;
        private long index;

        private Cursor(ByteBuffer block) { b = block; }

        /** Reads records [first, first + n) into the buffer. */
        private void load(long first, int n) {
            b.clear().limit(n * RECORD);
            long pos = HEADER + first * RECORD;
            try {
                while (b.hasRemaining()) {
                    if (ch.read(b, pos + b.position()) < 0) throw new EOFException(path + ": ends inside segment " + first);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": cannot read segments at " + first, e);
            }
        }

        private void at(long i, int offset) {
            index = i;
            o = offset;
        }

        public long index() { return index; }
        public int server() { return b.getInt(o); }
        public int fd() { return b.getInt(o + 4); }
        public long clientId() { return b.getLong(o + 8); }
        public int command() { return b.getInt(o + 16); }
        public long readable() { return b.getLong(o + 20); }
        public long readStart() { return b.getLong(o + 28); }
        public long readEnd() { return b.getLong(o + 36); }
        public long commandStart() { return b.getLong(o + 44); }
        public long commandEnd() { return b.getLong(o + 52); }
        public long writeStart() { return b.getLong(o + 60); }
        public long replyEnd() { return b.getLong(o + 68); }
        public long bytesIn() { return b.getLong(o + 76); }
        public long bytesOut() { return b.getLong(o + 84); }
        public int readThread() { return b.getInt(o + 92); }
        public int writeThread() { return b.getInt(o + 96); }
        public long blockStart() { return b.getLong(o + 100); }
        public long blockEnd() { return b.getLong(o + 108); }
        public int blockReason() { return b.getInt(o + 116); }
        /** How long the client was blocked (0 if it never was). */
        public long blockedNs() { return Segment.blocked(blockStart(), blockEnd()); }
        /** Latency without the blocked time, as Redis's SLOWLOG counts it. */
        public long serverLatency() { return latency() - blockedNs(); }

        public long start() { long r = readStart(); return r != Segment.UNKNOWN ? r : commandStart(); }
        public long end() { long w = replyEnd(); return w != Segment.UNKNOWN ? w : commandEnd(); }
        public long answered() { long w = writeStart(); return w != Segment.UNKNOWN ? w : commandEnd(); }
        public long latency() { return end() - start(); }
        public String serverName() { return servers.get(server()); }
        public String commandName() { return commands.get(command()); }

        public Segment toSegment() {
            return new Segment(server(), fd(), clientId(), command(), readable(), readStart(), readEnd(), commandStart(),
                    commandEnd(), writeStart(), replyEnd(), bytesIn(), bytesOut(), readThread(), writeThread(), blockStart(),
                    blockEnd(), blockReason());
        }
    }
}
