package kvscope.analysis.views;

import kvscope.statesystem.History;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A time graph whose rows are attributes of the model: each row draws one attribute's intervals (its value), may read
 * a few more attributes to label them, and shows the attributes under its "home" folders as tooltip. Entry ids are
 * quarks: stable, small (int32, as TSP's {@code requested_items} are) and unique within the model.
 */
abstract class AttributeTimeGraph implements Provider.TimeGraph {
    /** One row: the attribute drawn, the attributes read to label its states, the folders shown in its tooltip. */
    record RowSpec(int value, int[] extra, int[] homes) {}

    /** Time-graph queries being answered now, all views together. */
    private static final AtomicInteger IN_FLIGHT = new AtomicInteger();
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Intervals a scan must be expected to read before it is split across cores (see {@link #splitPays}). */
    private static final double SPLIT_MIN_INTERVALS = 100_000;

    protected final History h;
    private List<Tsp.Entry> entries;
    private Map<Long, RowSpec> rows;

    AttributeTimeGraph(History h) { this.h = h; }

    /** Adds the provider's entries (parents first) and registers the rows among them. */
    protected abstract void build(List<Tsp.Entry> entries, Map<Long, RowSpec> rows);

    /** The label of interval i of a row (null: none), reading the row's other attributes from {@code s} if needed. */
    protected abstract String label(RowSpec row, Sampled.Buf value, int i, Sampled s, long t0, long step);

    /**
     * The style key of interval i of a row; null leaves the interval out (an idle counter, say). A function of the
     * row and the interval's value only: it is not asked again for an interval with the same value as the one before.
     */
    protected abstract String style(RowSpec row, Sampled.Buf value, int i);

    protected Tsp.Header header() { return Tsp.Header.of("Name", "STRING"); }

    private synchronized void ensureBuilt() {
        if (entries != null) return;
        var e = new ArrayList<Tsp.Entry>();
        var r = new HashMap<Long, RowSpec>();
        build(e, r);
        entries = List.copyOf(e);
        rows = Map.copyOf(r);
    }

    @Override public Tsp.Tree tree() {
        ensureBuilt();
        return new Tsp.Tree(List.of(header()), -1, entries);
    }

    @Override public Tsp.TimeGraph states(Query q, long[] items) {
        ensureBuilt();
        // A lone query may use every core; among others (a crowd of clients) it keeps to its own thread.
        int parts = IN_FLIGHT.incrementAndGet() == 1 ? CORES : 1;
        try {
            return new Tsp.TimeGraph(rows(q, items, parts));
        } finally {
            IN_FLIGHT.decrementAndGet();
        }
    }

    private List<Tsp.Row> rows(Query q, long[] items, int parts) {
        long t0 = q.start(), t1 = q.end(), step = q.step();
        var out = new ArrayList<Tsp.Row>(Math.min(items.length, rows.size()));
        var batch = new RowSpec[items.length];
        var batchIds = new long[items.length];
        var quarks = new int[items.length * 3];
        int i = 0;
        while (i < items.length) {
            // Rows asked for that exist, in the order asked, as many as one scan's cells hold: a request for many rows
            // at many pixels is answered in batches rather than with one unbounded buffer.
            int nRows = 0, nQuarks = 0;
            for (; i < items.length; i++) {
                var row = rows.get(items[i]);
                if (row == null) continue;
                int need = 1 + row.extra().length;
                if (nRows > 0 && Sampled.cells(nQuarks + need, t0, t1, step) > Sampled.MAX_CELLS) break;
                if (nQuarks + need > quarks.length) quarks = Arrays.copyOf(quarks, Math.max(quarks.length * 2, nQuarks + need));
                batchIds[nRows] = items[i];
                batch[nRows++] = row;
                quarks[nQuarks++] = row.value();
                for (int x : row.extra()) quarks[nQuarks++] = x;
            }
            if (nRows == 0) continue;
            try (var sampled = Sampled.scan(h, quarks, nQuarks, t0, t1, step, splitPays(nQuarks, t0, t1, step) ? parts : 1)) {
                for (int r = 0; r < nRows; r++) out.add(new Tsp.Row(batchIds[r], states(batch[r], sampled, t0, step)));
            }
        }
        return out;
    }

    /**
     * Whether a scan is long enough to be worth splitting: handing a part to another thread costs about a millisecond
     * and reads the upper nodes twice, which a zoomed view (a few thousand intervals) does not win back. The scan reads
     * at most one interval per cell, and about the history's share of intervals of these attributes in the range.
     */
    private boolean splitPays(int quarks, long t0, long t1, long step) {
        long hs = h.start(), he = h.end();
        if (hs == Long.MIN_VALUE || he <= hs) return false;
        double share = (double) (Math.min(t1, he) - Math.max(t0, hs)) / (he - hs) * quarks / Math.max(1, h.attributeCount());
        double intervals = Math.min(Sampled.cells(quarks, t0, t1, step), h.intervalCount() * Math.max(0, share));
        return intervals >= SPLIT_MIN_INTERVALS;
    }

    /** One row's states: the scanned intervals, those that look the same at this resolution merged into one. */
    private List<Tsp.TimeGraphState> states(RowSpec row, Sampled sampled, long t0, long step) {
        var buf = sampled.of(row.value());
        var states = new ArrayList<Tsp.TimeGraphState>();
        // The state being extended: a sample's state is appended only once the next one differs from it.
        long start = 0, end = 0;
        String label = null;
        Tsp.StyleRef style = null;
        Tsp.StyleRef st = null; // the style of interval i's value
        for (int i = 0; i < buf.size; i++) {
            // The same value as the interval before (most are, at a coarse resolution) has the same style.
            if (i == 0 || !buf.sameValue(i, i - 1)) {
                var key = style(row, buf, i);
                st = key == null ? null : Styles.ref(key);
            }
            if (st == null) continue;
            long s = buf.start(i), e = buf.end(i);
            // A state narrower than a pixel cannot show or be pointed at: no label is computed or sent for it.
            var l = e - s + 1 >= step ? label(row, buf, i, sampled, t0, step) : null;
            // The next sample holds the same state: at this resolution they are one state (what lies between is
            // narrower than a pixel). Keeps a 1000-row × 1000-px answer from carrying a million separate states.
            if (style != null && s - end <= step && st == style && Objects.equals(l, label)) {
                end = e;
                continue;
            }
            if (style != null) states.add(new Tsp.TimeGraphState(start, end, label, 0, style));
            start = s;
            end = e;
            label = l;
            style = st;
        }
        if (style != null) states.add(new Tsp.TimeGraphState(start, end, label, 0, style));
        return states;
    }

    /** No links between rows yet: PUBLISH → subscriber arrows come with the cross-node links. */
    @Override public List<Tsp.Arrow> arrows(Query q) { return List.of(); }

    @Override public Map<String, String> tooltip(long item, long time) {
        ensureBuilt();
        var row = rows.get(item);
        var out = new LinkedHashMap<String, String>();
        if (row == null) return out;
        for (int home : row.homes()) {
            // Other folders (a connection's request) are named by their parent: "Requests/Command".
            String prefix = home == row.homes()[0] ? "" : h.name(h.parent(home)) + "/";
            for (int c : h.children(home)) {
                var s = h.at(time, c);
                if (s == null || s.isNull()) continue;
                out.put(prefix + h.name(c), String.valueOf(s.value()));
            }
        }
        return out;
    }

    /** The first sample time at or after s (samples are t0 + k·step): where a labelling attribute is read. */
    static long sampleAtOrAfter(long s, long t0, long step) {
        if (s <= t0) return t0;
        long k = (s - t0 + step - 1) / step;
        return t0 + k * step;
    }

    /** Every quark, depth first (each attribute followed by those below it), children in creation order. */
    static int[] depthFirst(History h) {
        var out = new int[h.attributeCount()];
        int n = 0;
        var stack = new ArrayDeque<int[]>();
        stack.push(h.children(-1));
        var pos = new ArrayDeque<Integer>();
        pos.push(0);
        while (!stack.isEmpty()) {
            var kids = stack.peek();
            int i = pos.pop();
            if (i == kids.length) {
                stack.pop();
                continue;
            }
            pos.push(i + 1);
            int q = kids[i];
            if (n < out.length) out[n++] = q;
            stack.push(h.children(q));
            pos.push(0);
        }
        return Arrays.copyOf(out, n);
    }

    /** Top-level attributes that are servers (they hold the given child folder). */
    protected int[] servers(String folder) {
        return Arrays.stream(h.children(-1)).filter(q -> h.lookupUnder(q, folder) >= 0).toArray();
    }

    /** Children sorted by their name as a number when it is one (fds, tids), else by name. */
    protected int[] numericChildren(int q) {
        return Arrays.stream(h.children(q)).boxed().sorted((a, b) -> {
            var na = h.name(a);
            var nb = h.name(b);
            try {
                return Long.compare(Long.parseLong(na), Long.parseLong(nb));
            } catch (NumberFormatException e) {
                return na.compareTo(nb);
            }
        }).mapToInt(Integer::intValue).toArray();
    }
}
