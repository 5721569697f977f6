package kvscope.statesystem;

/**
 * The queries' walk down the closed nodes of the tree: a single query follows one root-to-leaf path and, in each
 * node, decodes only the block of the attribute that holds t; a full query decodes one block per attribute of each
 * node on the path. (The open branch and the ongoing values, while building, are read by {@link RightBranch} and
 * {@link Ongoing}; range queries are {@link RangeScan}.) Safe from any thread: the decoding state is per thread.
 */
final class Queries {
    private final NodeStore store;

    Queries(NodeStore store) { this.store = store; }

    /** A query result holder, reused by the cursor and the single query. */
    static final class Hit {
        long start, end, bits;
        int kind;
        String string;
    }

    /** Per-thread decoding state, so a query allocates nothing but its result. */
    private static final class Probe {
        final NodeFormat.View view = new NodeFormat.View();
        final NodeFormat.Cursor cursor = new NodeFormat.Cursor();
        final Hit hit = new Hit();
    }

    /** An anonymous class, not {@code withInitial(Probe::new)}: a method reference is bootstrapped at class init. */
    private static final ThreadLocal<Probe> PROBE = new ThreadLocal<>() {
        @Override
        protected Probe initialValue() { return new Probe(); }
    };

    /** This thread's hit, for a single query that returns a record. */
    static Hit threadHit() { return PROBE.get().hit; }

    /** Single query from closed node {@code seq} down: q's interval holding t, in {@code hit} (no string yet). */
    boolean find(int seq, long t, int q, Hit hit) {
        var probe = PROBE.get();
        var v = probe.view;
        var cur = probe.cursor;
        while (true) {
            store.view(seq, v);
            int k = v.group(q);
            int from = k < 0 ? 0 : v.groupFrom(k), to = k < 0 ? 0 : v.groupTo(k);
            if (v.groupUsable(from, to) && v.entryStart(from) <= t) {
                cur.block(v, v.lastAtOrBefore(from, to, t));
                while (cur.next() && cur.start <= t) {
                    if (t <= cur.end) {
                        hit.start = cur.start;
                        hit.end = cur.end;
                        hit.kind = cur.kind;
                        hit.bits = cur.bits();
                        return true;
                    }
                }
            }
            if (v.height() == 0) return false;
            int c = v.childAt(t);
            if (c < 0) return false;
            seq = v.childSeq(c);
        }
    }

    /** Full query from closed node {@code seq} down (nothing if seq < 0): every state at t on the path, into out. */
    void fill(int seq, long t, FullState out, Strings strings) {
        var probe = PROBE.get();
        var v = probe.view;
        var cur = probe.cursor;
        while (seq >= 0) {
            store.view(seq, v);
            fillFromNode(v, cur, t, out, strings);
            if (v.height() == 0) break;
            int c = v.childAt(t);
            seq = c < 0 ? -1 : v.childSeq(c);
        }
    }

    /** For each quark in the node's directory: gallop to its last block starting at or before t, decode only that block. */
    private static void fillFromNode(NodeFormat.View v, NodeFormat.Cursor cur, long t, FullState out, Strings strings) {
        for (int k = 0, groups = v.groups(); k < groups; k++) {
            int from = v.groupFrom(k), to = v.groupTo(k);
            if (!v.groupUsable(from, to) || v.entryStart(from) > t) continue;
            cur.block(v, v.lastAtOrBefore(from, to, t));
            while (cur.next() && cur.start <= t) {
                if (t <= cur.end) {
                    put(out, v.groupQuark(k), cur.start, cur.end, cur.kind, cur.bits(), strings);
                    break;
                }
            }
        }
    }

    /** One attribute's state into a full query's result (a quark beyond the result's size is left out). */
    static void put(FullState out, int q, long s, long e, int kind, long bits, Strings strings) {
        if (q < out.size) out.put(q, s, e, kind, bits, kind == StoredValues.STRING ? strings.get(bits) : null);
    }
}
