package kvscope.analysis.model;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Sorts the model's state changes and writes them into the history on a second thread, in batches ({@link Reorder}).
 * Why: sorting, encoding and writing history nodes cost about as much as decoding and modelling the events, and this
 * machine kind has two cores; the two halves overlap. Batches are recycled (a fixed few), so memory is bounded and
 * the model thread waits when the writer falls behind.
 */
final class HistoryWriter {
    static final int BATCH = 1 << 14;
    private static final Batch STOP = new Batch();

    private final Reorder reorder;
    private final BlockingQueue<Batch> todo = new ArrayBlockingQueue<>(4);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(6);
    private final Thread thread;
    private volatile Throwable failure;
    private long submitted, written;
    private final Object progress = new Object();

    HistoryWriter(Reorder reorder) {
        this.reorder = reorder;
        for (int i = 0; i < 5; i++) free.add(new Batch());
        thread = new Thread(this::run, "kvscope-history-writer");
        thread.setDaemon(true);
        thread.start();
    }

    Batch batch() { return take(free); }

    /** Hands a batch to the writer; returns an empty one to fill next. */
    Batch submit(Batch b) {
        check();
        if (b.n == 0 && !b.drain) return b;
        submitted++;
        put(todo, b);
        var next = take(free);
        next.now = b.now;
        return next;
    }

    /** Waits until every submitted batch is in the history. */
    void await() {
        synchronized (progress) {
            while (written < submitted && failure == null) {
                try {
                    progress.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while writing the model", e);
                }
            }
        }
        check();
    }

    void shutdown() {
        if (!thread.isAlive()) return;
        put(todo, STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                var b = todo.take();
                if (b == STOP) return;
                if (failure == null) reorder.take(b);
                b.clear();
                free.put(b);
                synchronized (progress) {
                    written++;
                    progress.notifyAll();
                }
            }
        } catch (Throwable t) {
            failure = t;
            synchronized (progress) {
                progress.notifyAll();
            }
            // Keep draining so the model thread never blocks on a writer that has died.
            while (true) {
                try {
                    var b = todo.take();
                    if (b == STOP) return;
                    b.clear();
                    free.put(b);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void check() {
        var f = failure;
        if (f instanceof RuntimeException r) throw r;
        if (f instanceof Error e) throw e;
        if (f != null) throw new IllegalStateException("writing the model failed", f);
    }

    private static <T> T take(BlockingQueue<T> q) {
        try {
            return q.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static <T> void put(BlockingQueue<T> q, T v) {
        try {
            q.put(v);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** State changes in the order the model made them, as primitive columns. */
    static final class Batch {
        final long[] t = new long[BATCH];
        final int[] q = new int[BATCH];
        final byte[] kind = new byte[BATCH];
        final long[] bits = new long[BATCH];
        final String[] s = new String[BATCH];
        int n;
        /** The latest event time the model had reached when this batch was handed over. */
        long now = Long.MIN_VALUE;
        /** Commit everything, whatever its time (the end of the analysis). */
        boolean drain;

        void clear() {
            java.util.Arrays.fill(s, 0, n, null);
            n = 0;
            drain = false;
        }
    }
}
