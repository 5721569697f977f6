package kvscope.analysis.views;

import kvscope.statesystem.History;

import java.util.List;
import java.util.Map;

/**
 * The state system explorer's time graph (as Trace Compass shows a state system): the attribute tree as entries and
 * each attribute's values over time as states, so any part of the model can be looked at even where no dedicated
 * view exists. Capped at {@value #MAX_ENTRIES} entries, parents first: a tree view has no paging.
 */
final class StateTimeGraphView extends AttributeTimeGraph {
    static final Tsp.Descriptor DESCRIPTOR = new Tsp.Descriptor("kvscope.state.timegraph", "State system",
            "Every attribute of the model and its values over time", Tsp.ProviderType.TIME_GRAPH);
    static final int MAX_ENTRIES = 20_000;

    StateTimeGraphView(History h) { super(h); }

    @Override public Tsp.Descriptor descriptor() { return DESCRIPTOR; }

    @Override protected Tsp.Header header() { return Tsp.Header.of("Attribute", "STRING"); }

    @Override protected void build(List<Tsp.Entry> entries, Map<Long, RowSpec> rows) {
        for (int q : depthFirst(h)) {
            if (entries.size() == MAX_ENTRIES) break;
            boolean leaf = h.children(q).length == 0;
            int parent = h.parent(q);
            entries.add(Tsp.Entry.timeGraph(q, parent, h.name(q), leaf, h.start(), h.end()));
            if (leaf) rows.put((long) q, new RowSpec(q, new int[0], parent >= 0 ? new int[] {parent} : new int[0]));
        }
    }

    @Override protected String label(RowSpec row, Sampled.Buf v, int i, Sampled s, long t0, long step) { return v.text(i); }

    @Override protected String style(RowSpec row, Sampled.Buf v, int i) { return Styles.VALUE; }
}
