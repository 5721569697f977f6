package kvscope.analysis;

import kvscope.analysis.flows.FlowFile;
import kvscope.analysis.flows.FlowWriter;
import kvscope.analysis.segments.LatencyCollector;
import kvscope.analysis.segments.SegmentFile;
import kvscope.analysis.segments.SegmentWriter;
import kvscope.statesystem.History;

import java.io.IOException;
import java.util.List;

/**
 * The model of a live session while it is built ({@link Analysis#analyzeLive}): the State History Tree, which answers
 * queries as it grows, and the segments and flows written so far. The analysing thread {@linkplain #publishIfDue
 * publishes} what it wrote every {@link #PUBLISH_NS}; any other thread takes a {@link Snapshot} of the last publish —
 * records once written never change, so reading them needs no lock and holds nothing in memory but the block index.
 */
public final class LiveModel {
    /** How often the segments and flows written are made readable: the page redraws every couple of seconds. */
    static final long PUBLISH_NS = 1_000_000_000L;

    private final History history;
    private final SegmentWriter segments;
    private final FlowWriter flows;
    private long publishedAt = System.nanoTime();
    /** The pass has read its last event: its files are finished, renamed, maybe written again by another pass. */
    private volatile boolean ended;

    LiveModel(History history, SegmentWriter segments, FlowWriter flows) {
        this.history = history;
        this.segments = segments;
        this.flows = flows;
    }

    public History history() { return history; }

    /** On the analysing thread, now and then: makes what was written since the last publish readable, once a second. */
    void publishIfDue() throws IOException {
        long now = System.nanoTime();
        if (now - publishedAt < PUBLISH_NS) return;
        publishedAt = now;
        segments.publish();
        flows.publish();
    }

    /** On the analysing thread, once the last event is read: no snapshot is taken from here on. */
    void end() { ended = true; }

    /** True once the pass has read its last event (then the stored model is coming: keep the last snapshot). */
    public boolean ended() { return ended; }

    /**
     * What the model holds now: the History, the segments and flows published so far (null before the first publish)
     * and a partial summary of them — its range what the History covers, its latencies computed from the segments
     * (one pass over them, bounded memory as {@link LatencyCollector}). Close it: it holds the files open.
     */
    public Snapshot snapshot() throws IOException {
        var sf = segments.written();
        if (sf == null) return new Snapshot(history, null, null, null);
        FlowFile ff = null;
        try {
            ff = flows.written();
            var collector = new LatencyCollector();
            sf.forEach(c -> collector.add(c.server(), c.command(), c.serverLatency(), c.blockedNs()));
            long start = history.start();
            var summary = new Summary(Analysis.VERSION, null, List.of(), start, Math.max(start, history.end()), 0, false,
                    null, List.of(), Analysis.latencies(sf, collector), List.of(), List.of(), List.of(), null);
            return new Snapshot(history, sf, ff, summary);
        } catch (IOException | RuntimeException e) {
            sf.close();
            if (ff != null) ff.close();
            throw e;
        }
    }

    /** The model as far as it was written: {@code segments}, {@code flows} and {@code summary} null before any. */
    public record Snapshot(History history, SegmentFile segments, FlowFile flows, Summary summary) implements AutoCloseable {
        /** The requests in the segments. */
        public long requests() { return segments == null ? 0 : segments.count(); }

        @Override public void close() throws IOException {
            if (segments != null) segments.close();
            if (flows != null) flows.close();
        }
    }
}
