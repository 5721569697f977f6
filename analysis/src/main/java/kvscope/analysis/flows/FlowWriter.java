package kvscope.analysis.flows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static kvscope.analysis.flows.FlowFormat.*;

/** Appends flows as the analysis finds them; one write buffer and the run table, nothing else kept in memory. */
public final class FlowWriter implements AutoCloseable {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(RECORD * 2048).order(ByteOrder.LITTLE_ENDIAN);
    private long count;
    private long lastEmit = Long.MIN_VALUE;
    private long maxLag;
    private long[] runStarts = new long[] {0};
    private boolean closed;
    private final Path path;
    /** What {@link #publish} last put on disk, for readers on other threads; null before. */
    private volatile Written written;

    /** The flows on disk at a {@link #publish}: their count, largest lag and run table then (its end: count). */
    private record Written(long count, long maxLag, long[] runs) {}

    public FlowWriter(Path file) throws IOException {
        path = file;
        ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        writeHeader(false);
        ch.position(HEADER);
    }

    /**
     * Adds a flow found while handling the event at {@code emit}. Within a run emit times never decrease (events
     * arrive in time order); a flow cannot end after the event that revealed it.
     */
    public void add(Flow.Hop kind, int srcServer, int srcFd, long srcTime, int dstServer, int dstFd, long dstTime,
                    long emit) throws IOException {
        if (srcServer > 0xFFFF || dstServer > 0xFFFF) return; // more servers than any trace has: not drawn
        emit = Math.max(emit, Math.max(srcTime, dstTime));
        // A damaged trace may step back in time: keep the run sorted rather than fail the analysis.
        emit = Math.max(emit, lastEmit);
        lastEmit = emit;
        maxLag = Math.max(maxLag, emit - Math.min(srcTime, dstTime));
        if (buf.remaining() < RECORD) flush();
        buf.putLong(emit).putLong(srcTime).putLong(dstTime).putInt(srcFd).putInt(dstFd)
                .putShort((short) srcServer).putShort((short) dstServer).putInt(kind.ordinal());
        count++;
    }

    /** Starts a new run: the flows added next may be emitted earlier than those before. */
    public void newRun() {
        if (runStarts[runStarts.length - 1] == count) return; // the current run is empty: reuse it
        if (runStarts.length == MAX_RUNS) throw new IllegalStateException("more than " + MAX_RUNS + " flow runs");
        runStarts = Arrays.copyOf(runStarts, runStarts.length + 1);
        runStarts[runStarts.length - 1] = count;
        lastEmit = Long.MIN_VALUE;
    }

    public long count() { return count; }

    /**
     * Writes the flows added so far to the file and lets {@link #written} read them: a live session's Netflow view
     * draws them while the model grows (serve --live). Called on the writing thread, now and then.
     */
    public void publish() throws IOException {
        if (closed) return;
        flush();
        var runs = Arrays.copyOf(runStarts, runStarts.length + 1);
        runs[runStarts.length] = count;
        written = new Written(count, maxLag, runs);
    }

    /**
     * The flows of the last {@link #publish}, readable from any thread while this one writes more; null before the
     * first. The caller closes it.
     */
    public FlowFile written() throws IOException {
        var w = written;
        return w == null ? null : FlowFile.of(path, w.count(), w.maxLag(), w.runs());
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
        buf.clear();
    }

    private void writeHeader(boolean complete) throws IOException {
        var header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC).putInt(VERSION).putLong(count).putLong(maxLag).putInt(runStarts.length)
                .putInt(complete ? 1 : 0).flip();
        while (header.hasRemaining()) ch.write(header, header.position());
    }

    /** Writes the run table and marks the file complete; a file without this mark is never read. */
    @Override public void close() throws IOException {
        if (closed) return;
        closed = true;
        try (ch) {
            for (long start : runStarts) {
                if (buf.remaining() < 8) flush();
                buf.putLong(start);
            }
            flush();
            ch.force(false);
            writeHeader(true);
            ch.force(true);
        }
    }
}
