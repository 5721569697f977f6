package kvscope.analysis.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * While files are being written, forces them to disk every so often on a thread of its own. Why: the writes of an
 * analysis (model and segments: ~500 MB for 10 M events) were all left dirty in the page cache until the fsyncs
 * that must precede "complete", which then waited ~110 ms for all of it; written back during the pass, the disk
 * works while the CPU analyses, and those fsyncs find little left. An extra fsync never weakens durability; a
 * failed one is left to the final fsync, which reports it.
 */
public final class Writeback implements AutoCloseable {
    private final Background thread;
    private volatile boolean stop;

    private Writeback(List<Path> files, long periodMs) {
        thread = Background.start("kvscope-writeback", () -> run(files, periodMs));
    }

    /** Starts forcing the files (which must exist) every {@code periodMs} until {@link #close}. */
    public static Writeback start(List<Path> files, long periodMs) {
        return new Writeback(files, periodMs);
    }

    private void run(List<Path> files, long periodMs) {
        var channels = new ArrayList<FileChannel>();
        try {
            for (var f : files) channels.add(FileChannel.open(f, StandardOpenOption.WRITE));
            while (!stop) {
                Thread.sleep(periodMs);
                for (var ch : channels) {
                    if (stop) break;
                    ch.force(false); // fdatasync: the data of the file, whichever descriptor wrote it
                }
            }
        } catch (IOException | InterruptedException e) {
            // Stopped, or the disk refused: either way the writers' own fsyncs decide (and report) durability.
        } finally {
            for (var ch : channels) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // read-only use of a descriptor of ours: nothing was lost
                }
            }
        }
    }

    /** Stops and waits for the thread (an fsync under way is cut short: the caller's fsync follows). */
    @Override public void close() {
        stop = true;
        thread.interrupt();
        thread.await();
    }
}
