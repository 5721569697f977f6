package kvscope.analysis.views;

import kvscope.statesystem.FullState;
import kvscope.statesystem.History;
import kvscope.statesystem.ValueKind;

import java.util.ArrayList;
import java.util.List;

/**
 * State system explorer: every attribute of the model that has a value at the selected time (the start of the
 * requested range), with the folders above it, its value and since/until when — one full query. Attributes that
 * are null then (closed connections, idle threads) are left out, so the tree stays the size of what is alive.
 */
final class StateExplorerView implements Provider.DataTree {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.state.explorer", "State system explorer",
            "Every attribute of the model and its value at the selected time", Tsp.ProviderType.DATA_TREE);
    static final List<Tsp.Header> HEADERS = List.of(Tsp.Header.of("Attribute", "STRING"),
            Tsp.Header.of("Value", "STRING"), Tsp.Header.of("Since ns", "TIMESTAMP"), Tsp.Header.of("Until ns", "TIMESTAMP"));
    /** A data tree has no paging: beyond this many entries the rest is summarised in one line. */
    static final int MAX_ENTRIES = 20_000;

    private final History h;

    StateExplorerView(History h) { this.h = h; }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override public Tsp.Tree tree(long time, long ignoredEnd) {
        var full = new FullState();
        h.fullAt(time, full);
        int n = full.size();
        var shown = new boolean[n];
        for (int q = 0; q < n; q++) {
            if (full.kind(q) == ValueKind.NULL) continue;
            for (int p = q; p >= 0 && !shown[p]; p = h.parent(p)) shown[p] = true;
        }
        var entries = new ArrayList<Tsp.Entry>();
        int left = 0;
        // Depth first, each folder followed by what is below it: the order a flat list shows as a tree.
        for (int q : AttributeTimeGraph.depthFirst(h)) {
            if (q >= n || !shown[q]) continue;
            if (entries.size() == MAX_ENTRIES) {
                left++;
                continue;
            }
            var value = full.kind(q) == ValueKind.NULL ? "" : String.valueOf(full.state(q).value());
            var since = full.kind(q) == ValueKind.NULL ? "" : Long.toString(full.start(q));
            var until = full.kind(q) == ValueKind.NULL ? "" : Long.toString(full.end(q));
            entries.add(Tsp.Entry.data(q, h.parent(q), List.of(h.name(q), value, since, until)));
        }
        if (left > 0) entries.add(Tsp.Entry.data(n, -1, List.of("… " + left + " more attributes not shown", "", "", "")));
        return new Tsp.Tree(HEADERS, 1, entries);
    }
}
