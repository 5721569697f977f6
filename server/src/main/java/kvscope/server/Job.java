package kvscope.server;

import kvscope.analysis.Analysis;
import kvscope.analysis.Stored;
import kvscope.analysis.views.Views;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
        executor.execute(() -> {
            try {
                var opts = Analysis.Options.defaults().withCache(cacheDir).withProgress((e, read, total, ns) -> {
                    events = e;
                    fraction = total > 0 ? Math.min(1, (double) read / total) : 0;
                    if (also != null) also.update(e, read, total, ns);
                });
                var s = Analysis.analyze(traces, opts);
                views = Views.of(s);
                stored = s;
                events = s.summary().counters().events();
                fraction = 1;
                status = Status.COMPLETED;
            } catch (Exception | Error e) {
                // Whatever went wrong (even running out of memory on a huge trace), the analysis is over: viewers
                // must see FAILED and why, not RUNNING forever.
                error = e.getMessage() != null ? e.getMessage() : e.toString();
                status = Status.FAILED;
            } finally {
                done.complete(null);
            }
        });
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
            case RUNNING -> String.format(Locale.ROOT, "Analysis running: %.0f%% (%,d events)", 100 * fraction, events);
            case COMPLETED -> "Analysis completed";
            case FAILED -> "Analysis failed: " + error;
        };
    }

    @Override public void close() throws IOException {
        var s = stored;
        if (s != null) s.close();
    }
}
