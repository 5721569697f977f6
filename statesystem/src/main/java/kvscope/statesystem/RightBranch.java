package kvscope.statesystem;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The open right-hand branch of the tree while the history is being built, and the insertion of ended intervals
 * into it (Trace Compass's history tree and its nodes in memory). The tree grows to the right as time advances: only
 * the nodes of the right-most branch, one per height, are open; a full node is closed (encoded and written to the
 * {@link NodeStore}) and a new branch opens after it.
 *
 * <p>Queries during the build read the open nodes here first, then the closed subtrees they point to.
 */
final class RightBranch {
    private final NodeStore store;
    private final Path path;
    private final int nodeSize, maxChildren;
    /** Indexed by height (0 = leaf); the first {@code depth} are open. */
    private OpenNode[] nodes;
    private int depth;
    private int nextSeq;
    private long intervals;
    private final byte[] scratch;

    RightBranch(NodeStore store, Path path, int nodeSize, int maxChildren) {
        this.store = store;
        this.path = path;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.nodes = new OpenNode[] {new OpenNode(0, nodeSize, maxChildren)};
        this.scratch = new byte[nodeSize];
    }

    /** Opens the first leaf, at the history's first time. */
    void begin(long t) {
        nodes[0].reset(nextSeq++, t);
        depth = 1;
    }

    /** Intervals inserted so far. */
    long intervals() { return intervals; }

    /** Nodes numbered so far: the file's node count once {@link #finish} has written them. */
    int nodeCount() { return nextSeq; }

    int depth() { return depth; }

    /**
     * Puts an ended interval in the deepest node of the branch that starts at or before it; if that node is full,
     * closes it (and the nodes below) at e and opens a new branch from e + 1, then retries — the interval then lands
     * higher, where long intervals belong.
     *
     * @param historyStart where a new root starts (it spans the whole history)
     * @param attributeCount for the message if the tree gets too deep
     */
    void insert(int q, long s, long e, int kind, long bits, long historyStart, int attributeCount) {
        intervals++;
        while (true) {
            int h = 0;
            while (nodes[h].start > s) h++;
            OpenNode node = nodes[h];
            int size = node.sizeOf(q, s, e, kind, bits);
            if (node.bytes + size <= node.capacity) {
                node.add(q, s, e, kind, bits, size);
                return;
            }
            split(h, e, historyStart, attributeCount);
        }
    }

    private void split(int h, long e, long historyStart, int attributeCount) {
        for (int i = 0; i <= h; i++) close(nodes[i], e);
        int j = h + 1;
        while (j < depth && nodes[j].fullOfChildren()) close(nodes[j++], e);
        if (j == depth) {
            // The root is full: a new root above it, spanning the whole history.
            if (depth == 255)
                throw new IllegalStateException("history tree of " + path + " is 255 levels deep: nodes of " + nodeSize
                        + " bytes are too small for " + attributeCount + " attributes (see Config)");
            OpenNode old = nodes[depth - 1];
            if (depth == nodes.length) nodes = Arrays.copyOf(nodes, depth + 1);
            OpenNode root = new OpenNode(depth, nodeSize, maxChildren);
            root.reset(nextSeq++, historyStart);
            root.addChild(old.seq, old.start);
            nodes[depth++] = root;
        }
        for (int i = j - 1; i >= 0; i--) {
            nodes[i].reset(nextSeq++, e + 1);
            nodes[i + 1].addChild(nodes[i].seq, e + 1);
        }
    }

    private void close(OpenNode node, long end) {
        node.encode(end, scratch);
        store.put(node.seq, scratch);
    }

    /** Closes every open node at t (the caller has inserted the last intervals); returns the root's seq. */
    int finish(long t) {
        for (int i = 0; i < depth; i++) close(nodes[i], t);
        return nodes[depth - 1].seq;
    }

    // ---------------------------------------------------------------- queries while building

    /** {@link #find}: the hit is in the open nodes. */
    static final int FOUND = -2;
    /** {@link #find}, {@link #fill}: the tree has no state at t (as far as it was searched). */
    static final int NONE = -1;

    /**
     * Single query in the open nodes, from the root down: {@link #FOUND} (in {@code hit}), {@link #NONE}, or the seq
     * of the closed node where the search goes on (the open path leaves the branch at t).
     */
    int find(long t, int q, Queries.Hit hit) {
        int h = depth - 1;
        while (true) {
            OpenNode node = nodes[h];
            for (int i = node.firstOf(q); i >= 0; i = node.next[i]) {
                if (node.starts[i] <= t && t <= node.ends[i]) {
                    hit.start = node.starts[i];
                    hit.end = node.ends[i];
                    hit.kind = node.kinds[i];
                    hit.bits = node.bits[i];
                    return FOUND;
                }
            }
            if (h == 0) return NONE;
            int c = node.childAt(t);
            if (c < 0) return NONE;
            int seq = node.childSeq[c];
            if (seq != nodes[h - 1].seq) return seq;
            h--;
        }
    }

    /**
     * Full query in the open nodes, from the root down: puts every state at t they hold into {@code out}; returns the
     * seq of the closed node where the path goes on, or {@link #NONE}.
     */
    int fill(long t, FullState out, Strings strings) {
        for (int h = depth - 1; h >= 0; h--) {
            OpenNode node = nodes[h];
            for (int i = 0; i < node.n; i++) {
                if (node.starts[i] <= t && t <= node.ends[i]) Queries.put(out, node.quark[i], node.starts[i],
                        node.ends[i], node.kinds[i], node.bits[i], strings);
            }
            if (h == 0) break;
            int c = node.childAt(t);
            if (c < 0) break;
            if (node.childSeq[c] != nodes[h - 1].seq) return node.childSeq[c];
        }
        return NONE;
    }

    /** Range query: the open nodes and the closed subtrees they point to. */
    void scan(RangeScan scan, long now) {
        scan.open(nodes, depth - 1, now);
    }
}
