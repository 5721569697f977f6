package kvscope.server;

import kvscope.analysis.Analysis;
import kvscope.analysis.LiveModel;
import kvscope.analysis.Stored;
import kvscope.analysis.views.Views;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * The analysis of one set of traces, run in the background: RUNNING while the model is built (with the events read
 * so far), then COMPLETED with the stored model and its views, or FAILED with the reason. Shared by the trace and the
 * experiments made of the same traces, so a trace is never analysed twice by one server.
 */
public final class Job implements AutoCloseable {
    public enum Status { RUNNING, COMPLETED, FAILED }

    final List<Path> traces;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Status status = Status.RUNNING;
    private volatile long events;
    private volatile double fraction;
    private volatile String error;
    private volatile Stored stored;
    private volatile Views views;

    Job(List<Path> traces) { this.traces = List.copyOf(traces); }

    /** Queues the analysis on the executor; {@code also} sees its progress too (a terminal display, say). */
    void start(ExecutorService executor, Path cacheDir, Analysis.Progress also) {
        run(executor, (p, g) -> Analysis.analyze(traces, Analysis.Options.defaults().withCache(cacheDir).withProgress(p)), also);
    }

    /** Builds a model, telling its progress and, for a live session, the model as it grows. */
    public interface Builder {
        Stored build(Analysis.Progress progress, Consumer<LiveModel> growing) throws IOException;
    }

    /**
     * A live model's views, the range its History covers now and the requests its segments hold — partial: what the
     * model had written at {@code end}. Taken with {@link #growingViews}, given back with {@link #release}: its
     * snapshot's files stay open until then.
     */
    public record Growing(Views views, long start, long end, long requests, Lease lease) {}

    /**
     * A snapshot and the requests reading it: closed once it is retired (a newer one replaced it, or the session
     * ended) and the last of them is done — a request never finds its files closed under it.
     */
    static final class Lease {
        private final LiveModel.Snapshot snapshot;
        private int readers;
        private boolean retired;

        private Lease(LiveModel.Snapshot snapshot) { this.snapshot = snapshot; }
    }

    /**
     * Views of a growing model are made again at most this often (their rows are listed once per instance; the
     * snapshot's summary is one pass over the segments written), and at least four times as long as the last took.
     */
    static final long GROWING_REFRESH_NS = 2_000_000_000L;
    private volatile LiveModel growing;
    private Growing growingNow;
    private long growingAt, growingCostNs;

    /** While a live session's model is built: the views it can answer already (give them back: {@link #release}), else null. */
    synchronized Growing growingViews() {
        var m = growing;
        if (status != Status.RUNNING || m == null) return null;
        long now = System.nanoTime();
        // Once the pass has read its last event its files are finished and renamed (several hosts: written again by a
        // second pass): the last snapshot stays until the stored model replaces it.
        if (m.ended()) {
            if (growingNow == null) return null;
        } else if (growingNow == null || now - growingAt > Math.max(GROWING_REFRESH_NS, 4 * growingCostNs)) {
            LiveModel.Snapshot s;
            try {
                s = m.snapshot();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the live model's segments: " + e.getMessage(), e);
            }
            retire();
            var h = m.history();
            growingNow = new Growing(Views.growing(s), h.start(), Math.max(h.start(), h.end()), s.requests(), new Lease(s));
            growingAt = System.nanoTime();
            growingCostNs = growingAt - now;
        }
        growingNow.lease().readers++;
        return growingNow;
    }

    /** A request is done with the views {@link #growingViews} gave it. */
    synchronized void release(Growing g) {
        var l = g.lease();
        l.readers--;
        if (l.retired && l.readers == 0) closeQuietly(l.snapshot);
    }

    /** The current snapshot is replaced or the session ended: closed now, or by its last reader. */
    private synchronized void retire() {
        if (growingNow == null) return;
        var l = growingNow.lease();
        l.retired = true;
        if (l.readers == 0) closeQuietly(l.snapshot);
        growingNow = null;
    }

    private void closeGrowing() {
        retire();
        growing = null;
    }

    private static void closeQuietly(LiveModel.Snapshot s) {
        try {
            s.close();
        } catch (IOException e) {
            // a read-only file: nothing was lost
        }
    }

    /** A model built while its session runs (serve --live): how far it got, for the views and the page. */
    public interface Live {
        /** The first event's time (ns), or Long.MIN_VALUE before it. */
        long firstNs();

        /** The time up to which every event is in the model (ns), or Long.MIN_VALUE before the first. */
        long coveredNs();

        /** One line for the page: "live — 2.1 s behind · …". */
        String describe();
    }

    private volatile Live live;

    /** Runs a live analysis on its own thread (it lasts as long as the session: the queue of others is not held). */
    void startLive(Live live, Builder builder) {
        this.live = live;
        var t = new Thread(() -> runNow(builder, null), "kvscope-live-analysis");
        t.setDaemon(true);
        t.start();
    }

    /** The live analysis while it runs, else null. */
    public Live live() { return status == Status.RUNNING ? live : null; }

    private void run(ExecutorService executor, Builder builder, Analysis.Progress also) {
        executor.execute(() -> runNow(builder, also));
    }

    private void runNow(Builder builder, Analysis.Progress also) {
        try {
            var s = builder.build((e, read, total, ns) -> {
                events = e;
                fraction = total > 0 ? Math.min(1, (double) read / total) : 0;
                if (also != null) also.update(e, read, total, ns);
            }, m -> growing = m);
            views = Views.of(s);
            stored = s;
            events = s.summary().counters().events();
            fraction = 1;
            status = Status.COMPLETED;
            closeGrowing();
        } catch (Exception | Error e) {
            // Whatever went wrong (even running out of memory on a huge trace), the analysis is over: viewers
            // must see FAILED and why, not RUNNING forever.
            error = e.getMessage() != null ? e.getMessage() : e.toString();
            status = Status.FAILED;
        } finally {
            if (status == Status.FAILED) closeGrowing();
            done.complete(null);
        }
    }

    public Status status() { return status; }

    public long events() { return events; }

    public double fraction() { return fraction; }

    public String error() { return error; }

    /** The stored model, once COMPLETED (else null). */
    public Stored stored() { return stored; }

    Views views() { return views; }

    /** Waits for the analysis to end (either way). */
    public void await() throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: the task completes the future normally
        }
    }

    public String message() {
        return switch (status) {
            case RUNNING -> live != null ? live.describe()
                    : String.format(Locale.ROOT, "Analysis running: %.0f%% (%,d events)", 100 * fraction, events);
            case COMPLETED -> "Analysis completed";
            case FAILED -> "Analysis failed: " + error;
        };
    }

    @Override public void close() throws IOException {
        var s = stored;
        if (s != null) s.close();
    }
}
