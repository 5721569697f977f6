package kvscope.analysis;

import kvscope.analysis.sync.BusPairs;
import kvscope.analysis.sync.Clocks;
import kvscope.ctf.Event;
import kvscope.ctf.Trace;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Several hosts followed live: their clocks estimated from the cluster-bus pairs seen so far, told to the
 * {@link Analysis.Progress} every {@link #EVERY_NS} — what the synchronisation would say now. The live model itself
 * stays on each trace's own clock (a correction that moves while events are handed out would put a host's later
 * events behind ones the model already has); the model stored when the sessions end is built on the clocks estimated
 * from the whole copy (docs/live.md, "Several hosts").
 */
final class LiveClocks {
    /** How often the estimate is made again: it solves the hulls of every pair so far (≤ 65,536 per link). */
    static final long EVERY_NS = 2_000_000_000L;

    private final BusPairs bus;
    private final String[] hostOf;
    /** Per trace: its first and last event on its own clock (per host when told). */
    private final long[] first, lastTs;
    private long told = System.nanoTime();

    /** Null when the trace is not live or of one host. */
    static LiveClocks of(Trace trace) {
        if (!trace.isLive() || trace.traces().stream().map(t -> t.host()).distinct().count() < 2) return null;
        return new LiveClocks(trace);
    }

    private LiveClocks(Trace trace) {
        bus = new BusPairs(trace);
        int n = 0;
        for (var t : trace.traces()) n = Math.max(n, t.index() + 1);
        hostOf = new String[n];
        for (var t : trace.traces()) hostOf[t.index()] = t.host();
        first = new long[n];
        lastTs = new long[n];
        Arrays.fill(first, Long.MAX_VALUE);
        Arrays.fill(lastTs, Long.MIN_VALUE);
    }

    void accept(Event e) {
        int i = e.trace().index();
        long ts = e.timestamp();
        if (ts < first[i]) first[i] = ts;
        if (ts > lastTs[i]) lastTs[i] = ts;
        bus.accept(e);
    }

    /** Tells the estimate so far, at most every {@link #EVERY_NS}. */
    void maybeTell(Analysis.Progress progress) {
        if (System.nanoTime() - told >= EVERY_NS) tell(progress);
    }

    /** Tells the estimate from every pair seen (also when the reading ends). */
    void tell(Analysis.Progress progress) {
        told = System.nanoTime();
        var spans = new HashMap<String, long[]>();
        for (int i = 0; i < hostOf.length; i++) {
            if (hostOf[i] == null || first[i] > lastTs[i]) continue;
            var s = spans.computeIfAbsent(hostOf[i], h -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            s[0] = Math.min(s[0], first[i]);
            s[1] = Math.max(s[1], lastTs[i]);
        }
        progress.clocks(Clocks.Inputs.of(bus, spans).first());
    }
}
