package kvscope.analysis.views;

import kvscope.statesystem.History;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A time graph whose rows are attributes of the model: each row draws one attribute's intervals (its value), may read
 * a few more attributes to label them, and shows the attributes under its "home" folders as tooltip. Entry ids are
 * quarks: stable, small (int32, as TSP's {@code requested_items} are) and unique within the model.
 */
abstract class AttributeTimeGraph implements Provider.TimeGraph {
    /** One row: the attribute drawn, the attributes read to label its states, the folders shown in its tooltip. */
    record RowSpec(int value, int[] extra, int[] homes) {}

    protected final History h;
    private List<Model.Entry> entries;
    private Map<Long, RowSpec> rows;

    AttributeTimeGraph(History h) { this.h = h; }

    /** Adds the provider's entries (parents first) and registers the rows among them. */
    protected abstract void build(List<Model.Entry> entries, Map<Long, RowSpec> rows);

    /** The label of interval i of a row (null: none), reading the row's other attributes from {@code s} if needed. */
    protected abstract String label(RowSpec row, Sampled.Buf value, int i, Sampled s, long t0, long step);

    /** The style key of interval i of a row; null leaves the interval out (an idle counter, say). */
    protected abstract String style(RowSpec row, Sampled.Buf value, int i);

    protected Model.Header header() { return Model.Header.of("Name", "STRING"); }

    private synchronized void ensureBuilt() {
        if (entries != null) return;
        var e = new ArrayList<Model.Entry>();
        var r = new HashMap<Long, RowSpec>();
        build(e, r);
        entries = List.copyOf(e);
        rows = Map.copyOf(r);
    }

    @Override public Model.Tree tree() {
        ensureBuilt();
        return new Model.Tree(List.of(header()), -1, entries);
    }

    @Override public Model.TimeGraph states(Query q, long[] items) {
        ensureBuilt();
        // Rows asked for that exist, in the order asked, and every attribute they read.
        var wanted = new long[items.length];
        int nWanted = 0, nQuarks = 0;
        var qs = new int[items.length * 3];
        for (long id : items) {
            var row = rows.get(id);
            if (row == null) continue;
            wanted[nWanted++] = id;
            qs[nQuarks++] = row.value();
            for (int x : row.extra()) qs[nQuarks++] = x;
        }
        qs = java.util.Arrays.copyOf(qs, nQuarks);
        long step = q.step();
        var sampled = Sampled.scan(h, qs, q.start(), q.end(), step);
        var out = new ArrayList<Model.Row>(nWanted);
        for (int w = 0; w < nWanted; w++) {
            long id = wanted[w];
            var row = rows.get(id);
            var buf = sampled.of(row.value());
            var states = new ArrayList<Model.State>(Math.min(buf.size, 1024));
            for (int i = 0; i < buf.size; i++) {
                var key = style(row, buf, i);
                if (key == null) continue;
                var style = Styles.ref(key);
                // A state narrower than a pixel cannot show or be pointed at: no label is computed or sent for it.
                var label = buf.end[i] - buf.start[i] + 1 >= step ? label(row, buf, i, sampled, q.start(), step) : null;
                // The next sample holds the same state: at this resolution they are one state (what lies between is
                // narrower than a pixel). Keeps a 1000-row × 1000-px answer from carrying a million separate states.
                int last = states.size() - 1;
                if (last >= 0 && buf.start[i] - states.get(last).end() <= step && style.equals(states.get(last).style())
                        && java.util.Objects.equals(label, states.get(last).label())) {
                    var prev = states.get(last);
                    states.set(last, new Model.State(prev.start(), buf.end[i], prev.label(), prev.tags(), prev.style()));
                    continue;
                }
                states.add(new Model.State(buf.start[i], buf.end[i], label, 0, style));
            }
            out.add(new Model.Row(id, states));
        }
        return new Model.TimeGraph(out);
    }

    /** No links between rows yet: PUBLISH → subscriber arrows come with the cross-node links. */
    @Override public List<Model.Arrow> arrows(Query q) { return List.of(); }

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
        var stack = new java.util.ArrayDeque<int[]>();
        stack.push(h.children(-1));
        var pos = new java.util.ArrayDeque<Integer>();
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
        return java.util.Arrays.copyOf(out, n);
    }

    /** Top-level attributes that are servers (they hold the given child folder). */
    protected int[] servers(String folder) {
        return java.util.Arrays.stream(h.children(-1)).filter(q -> h.quarkUnder(q, folder) >= 0).toArray();
    }

    /** Children sorted by their name as a number when it is one (fds, tids), else by name. */
    protected int[] numericChildren(int q) {
        return java.util.Arrays.stream(h.children(q)).boxed().sorted((a, b) -> {
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
