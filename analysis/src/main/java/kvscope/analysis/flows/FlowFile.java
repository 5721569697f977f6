package kvscope.analysis.flows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static kvscope.analysis.flows.FlowFormat.*;

/**
 * A completed flow file, memory-mapped. A range query binary-searches the emit times and visits only the flows that
 * overlap the range, with primitive arguments: no allocation per flow.
 */
public final class FlowFile implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final FileChannel ch;
    private final long count;
    private final long maxLag;
    private final MappedByteBuffer[] chunks;
    /** Index of each run's first record, then {@code count}. */
    private final long[] runs;

    /** Receives flows. */
    @FunctionalInterface
    public interface Visitor {
        void flow(Flow.Hop kind, int srcServer, int srcFd, long srcTime, int dstServer, int dstFd, long dstTime);
    }

    private FlowFile(FileChannel ch, long count, long maxLag, MappedByteBuffer[] chunks, long[] runs) {
        this.runs = runs;
        this.ch = ch;
        this.count = count;
        this.maxLag = maxLag;
        this.chunks = chunks;
    }

    /** Opens a file written by {@link FlowWriter}; an incomplete or damaged file is refused, saying why. */
    public static FlowFile open(Path path) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < HEADER) throw damaged(path, 0, "file shorter than its header (" + size + " bytes)");
            var h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) { }
            h.flip();
            if (h.getLong() != MAGIC) throw damaged(path, 0, "not a kvscope flow file (bad magic)");
            int version = h.getInt();
            if (version != VERSION) throw damaged(path, 8, "format version " + version + ", expected " + VERSION);
            long count = h.getLong();
            long maxLag = h.getLong();
            int nRuns = h.getInt();
            if (h.getInt() != 1) throw damaged(path, 32, "incomplete: the analysis that wrote it did not finish");
            if (nRuns < 1 || nRuns > MAX_RUNS) throw damaged(path, 28, nRuns + " runs (1.." + MAX_RUNS + " expected)");
            if (count < 0 || count > (size - HEADER) / RECORD || HEADER + count * RECORD + 8L * nRuns != size || maxLag < 0) {
                throw damaged(path, 12, "record count " + count + " and " + nRuns + " runs do not fit the file size " + size);
            }
            var table = ByteBuffer.allocate(8 * nRuns).order(ByteOrder.LITTLE_ENDIAN);
            long at = HEADER + count * RECORD;
            while (table.hasRemaining() && ch.read(table, at + table.position()) > 0) { }
            table.flip();
            var runs = new long[nRuns + 1];
            for (int i = 0; i < nRuns; i++) {
                runs[i] = table.getLong();
                if (runs[i] < (i == 0 ? 0 : runs[i - 1]) || runs[i] > count || (i == 0 && runs[i] != 0)) {
                    throw damaged(path, at + 8L * i, "run " + i + " starts at record " + runs[i]);
                }
            }
            runs[nRuns] = count;
            return mapped(ch, count, maxLag, runs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The first {@code count} flows of a file still being written ({@link FlowWriter#written}): nothing is checked,
     * the writer knows its count, lag and runs ({@code runs} ends with {@code count}).
     */
    static FlowFile of(Path path, long count, long maxLag, long[] runs) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return mapped(ch, count, maxLag, runs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static FlowFile mapped(FileChannel ch, long count, long maxLag, long[] runs) throws IOException {
        int n = (int) ((count + CHUNK - 1) / CHUNK);
        var chunks = new MappedByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long first = (long) i * CHUNK;
            long len = Math.min(CHUNK, count - first) * RECORD;
            chunks[i] = ch.map(FileChannel.MapMode.READ_ONLY, HEADER + first * RECORD, len);
            chunks[i].order(ByteOrder.LITTLE_ENDIAN);
        }
        return new FlowFile(ch, count, maxLag, chunks, runs);
    }

    private static IOException damaged(Path path, long offset, String what) {
        return new IOException(path + " at byte " + offset + ": " + what + "; run `kvscope analyze --force` to rebuild it");
    }

    public long count() { return count; }

    private long emit(long i) { return chunks[(int) (i / CHUNK)].getLong((int) (i % CHUNK) * RECORD); }

    /** The first flow of the run [lo, hi) emitted at or after t. */
    private long firstEmittedAt(long t, long lo, long hi) {
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (emit(mid) < t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Visits every flow that overlaps [t0, t1] (starts at or before t1, ends at or after t0), run by run. */
    public void forEach(long t0, long t1, Visitor v) {
        for (int r = 0; r + 1 < runs.length; r++) forEach(t0, t1, runs[r], runs[r + 1], v);
    }

    private void forEach(long t0, long t1, long lo, long hi, Visitor v) {
        long limit = t1 > Long.MAX_VALUE - maxLag ? Long.MAX_VALUE : t1 + maxLag;
        // A flow ends no later than it is emitted and starts at most maxLag before: nothing outside this window.
        for (long i = firstEmittedAt(t0, lo, hi); i < hi; i++) {
            var b = chunks[(int) (i / CHUNK)];
            int at = (int) (i % CHUNK) * RECORD;
            long emit = b.getLong(at);
            if (emit > limit) break;
            long src = b.getLong(at + 8), dst = b.getLong(at + 16);
            if (Math.min(src, dst) > t1 || Math.max(src, dst) < t0) continue;
            int kind = b.getInt(at + 36);
            if (kind < 0 || kind >= Flow.Hop.ALL.length) continue; // written by a newer kvscope: not drawn
            v.flow(Flow.Hop.ALL[kind], b.getShort(at + 32) & 0xFFFF, b.getInt(at + 24), src,
                    b.getShort(at + 34) & 0xFFFF, b.getInt(at + 28), dst);
        }
    }

    /** Receives a flow as stored, with the time it was emitted (for copying a file). */
    @FunctionalInterface
    public interface StoredVisitor {
        void flow(long emit, Flow.Hop kind, int srcServer, int srcFd, long srcTime, int dstServer, int dstFd,
                  long dstTime) throws IOException;
    }

    /** Runs in the file, each sorted by emit time: run r's flows are [runStart(r), runStart(r + 1)). */
    public int runs() { return runs.length - 1; }

    public long runStart(int r) { return runs[r]; }

    /** When flow i was emitted (found by the analysis): the order of its run. */
    public long emitted(long i) { return emit(i); }

    /** Flow i as stored (a kind written by a newer kvscope is skipped). */
    public void read(long i, StoredVisitor v) throws IOException {
        var b = chunks[(int) (i / CHUNK)];
        int at = (int) (i % CHUNK) * RECORD;
        int kind = b.getInt(at + 36);
        if (kind < 0 || kind >= Flow.Hop.ALL.length) return;
        v.flow(b.getLong(at), Flow.Hop.ALL[kind], b.getShort(at + 32) & 0xFFFF, b.getInt(at + 24), b.getLong(at + 8),
                b.getShort(at + 34) & 0xFFFF, b.getInt(at + 28), b.getLong(at + 16));
    }

    @Override public void close() throws IOException { ch.close(); }
}
