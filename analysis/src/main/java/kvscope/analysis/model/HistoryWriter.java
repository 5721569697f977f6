package kvscope.analysis.model;

import kvscope.statesystem.History;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Writes the model's state changes into the history on a second thread, in batches, in order. Why: encoding and
 * writing history nodes costs about as much as decoding and modelling the events, and this machine kind has two
 * cores; the two halves overlap. Batches are recycled (a fixed few), so memory is bounded and the model thread
 * waits when the writer falls behind.
 */
final class HistoryWriter {
    static final int BATCH = 1 << 14;
    private static final Batch STOP = new Batch();

    private final History history;
    private final BlockingQueue<Batch> todo = new ArrayBlockingQueue<>(4);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(6);
    private final Thread thread;
    private volatile Throwable failure;
    private long submitted, written;
    private final Object progress = new Object();

    HistoryWriter(History history) {
        this.history = history;
        for (int i = 0; i < 5; i++) free.add(new Batch());
        thread = new Thread(this::run, "kvscope-history-writer");
        thread.setDaemon(true);
        thread.start();
    }

    Batch batch() { return take(free); }

    /** Hands a batch to the writer; returns an empty one to fill next. */
    Batch submit(Batch b) {
        check();
        if (b.n == 0) return b;
        submitted++;
        put(todo, b);
        return take(free);
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
                if (failure == null) b.applyTo(history);
                b.n = 0;
                java.util.Arrays.fill(b.s, null);
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
                    b.n = 0;
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

    /** State changes in time order, as primitive columns. */
    static final class Batch {
        final long[] t = new long[BATCH];
        final int[] q = new int[BATCH];
        final byte[] kind = new byte[BATCH];
        final long[] bits = new long[BATCH];
        final String[] s = new String[BATCH];
        int n;

        void add(long time, int quark, byte k, long b, String str) {
            t[n] = time;
            q[n] = quark;
            kind[n] = k;
            bits[n] = b;
            s[n] = str;
            n++;
        }

        boolean full() { return n == BATCH; }

        void applyTo(History h) {
            for (int i = 0; i < n; i++) {
                switch (kind[i]) {
                    case Timeline.NULL -> h.clear(t[i], q[i]);
                    case Timeline.INT -> h.set(t[i], q[i], (int) bits[i]);
                    case Timeline.LONG -> h.set(t[i], q[i], bits[i]);
                    default -> h.set(t[i], q[i], s[i]);
                }
            }
        }
    }
}
