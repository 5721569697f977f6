package kvscope.statesystem;

/**
 * How a history file is laid out.
 *
 * <p>Why nodes are large (1 MiB by default, where Trace Compass uses 64 KiB): at any split time every attribute has
 * one ongoing state, and all of them end up in the nodes above the split. A node must hold many more intervals than
 * there are attributes, or splits cascade up the tree (measured: with 10 000 attributes and 4 KiB nodes the tree
 * degenerates into one node per few intervals). A per-node index keeps queries cheap however large the node is:
 * a query reads a few mapped pages of a node, never the whole node.
 *
 * <p>Rule of thumb: a node should hold at least ~16 intervals (≈ 5–8 bytes each) per attribute that changes
 * often; the default (1 MiB) suits up to ~10 000 busy attributes. Too small a node makes the tree deep and mostly
 * empty (it fails loudly at 255 levels).
 *
 * @param nodeSize    bytes per tree node: a power of two in [1 KiB, 16 MiB].
 * @param maxChildren children per core node (2..1000).
 */
public record Config(int nodeSize, int maxChildren) {

    public static final Config DEFAULT = new Config(1 << 20, 64);

    public Config {
        if (nodeSize < 1024 || nodeSize > (1 << 24) || Integer.bitCount(nodeSize) != 1)
            throw new IllegalArgumentException("nodeSize must be a power of two in [1024, 16777216]: " + nodeSize);
        if (maxChildren < 2 || maxChildren > 1000)
            throw new IllegalArgumentException("maxChildren must be in [2, 1000]: " + maxChildren);
        if (NodeFormat.HEADER + maxChildren * 12 + 256 > nodeSize)
            throw new IllegalArgumentException("nodeSize " + nodeSize + " too small for " + maxChildren + " children");
    }

    public Config withNodeSize(int size) { return new Config(size, maxChildren); }

    public Config withMaxChildren(int n) { return new Config(nodeSize, n); }
}
