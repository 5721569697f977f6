package kvscope.analysis.model;

import kvscope.statesystem.History;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Sorts the model's state changes and writes them into the history on a second thread, in batches ({@link Reorder}).
 * Why: sorting, encoding and writing history nodes cost about as much as decoding and modelling the events, and this
 * machine kind has two cores; the two halves overlap. Batches are recycled: the writer holds each until its changes
 * are committed (the horizon's worth, see {@link Reorder}) and the model thread makes new ones only while fewer than
 * {@link #MAX_BATCHES} exist, so memory is bounded and the model thread waits when the writer falls behind.
 */
final class HistoryWriter {
    static final int BATCH = 1 << 14;
    /** Enough for the most the reorder holds, the queue to the writer, and the one being filled: never a deadlock. */
    static final int MAX_BATCHES = Reorder.MAX_HELD + 8;
    private static final Batch STOP = new Batch();

    private final Reorder reorder;
    private final BlockingQueue<Batch> todo = new ArrayBlockingQueue<>(4);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(MAX_BATCHES);
    /** Batches made so far (by the model thread only). */
    private int made;
    private final Thread thread;
    private volatile Throwable failure;
    private long submitted, written;
    private final Object progress = new Object();

    HistoryWriter(History history, long horizon) {
        this.reorder = new Reorder(history, horizon, this::release);
        thread = new Thread(this::run, "kvscope-history-writer");
        thread.setDaemon(true);
        thread.start();
    }

    Reorder reorder() { return reorder; }

    Batch batch() {
        var b = free.poll();
        if (b != null) return b;
        if (made < MAX_BATCHES) {
            made++;
            return new Batch();
        }
        return take(free);
    }

    /** Hands a batch to the writer; returns an empty one to fill next. */
    Batch submit(Batch b) {
        check();
        if (b.n == 0 && !b.drain) return b;
        submitted++;
        long now = b.now; // b is the writer's once queued: it hands it back cleared when its changes are in
        put(todo, b);
        var next = batch();
        next.now = now;
        return next;
    }

    /** A batch whose changes are all in the history (or abandoned) becomes free again. */
    private void release(Batch b) {
        b.clear();
        free.offer(b); // never full: it holds every batch made
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
                reorder.take(b); // holds b until its changes are committed
                synchronized (progress) {
                    written++;
                    progress.notifyAll();
                }
            }
        } catch (Throwable t) {
            failure = t;
            reorder.abandon();
            synchronized (progress) {
                progress.notifyAll();
            }
            // Keep draining so the model thread never blocks on a writer that has died.
            while (true) {
                try {
                    var b = todo.take();
                    if (b == STOP) return;
                    release(b);
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
            Arrays.fill(s, 0, n, null);
            n = 0;
            drain = false;
        }
    }
}
