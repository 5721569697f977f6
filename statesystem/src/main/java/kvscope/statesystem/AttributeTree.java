package kvscope.statesystem;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Paths of names ↔ dense integer quarks. Quark -1 stands for the (unnamed) root. Not thread-safe: {@link History}
 * guards it with its lock.
 */
final class AttributeTree {
    private final List<String> names = new ArrayList<>();
    private int[] parents = new int[64];
    /** (parent, name) → quark; the key packs the parent so one map serves the whole tree. */
    private final HashMap<Key, Integer> byKey = new HashMap<>();
    private final List<int[]> children = new ArrayList<>();
    private int[] rootChildren = new int[0];

    /**
     * Written out rather than left to the record's generated methods: those are bootstrapped through invokedynamic
     * on first use, which cost ~20 ms of class loading and method-handle spinning in every fresh JVM that builds a
     * history (measured at 1 M intervals: a tenth of the build).
     */
    private record Key(int parent, String name) {
        @Override
        public int hashCode() { return 31 * parent + name.hashCode(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.parent == parent && k.name.equals(name);
        }
    }

    int count() { return names.size(); }

    int child(int parent, String name) {
        Integer q = byKey.get(new Key(parent, name));
        return q == null ? -1 : q;
    }

    int childOrAdd(int parent, String name) {
        var key = new Key(parent, name);
        Integer q = byKey.get(key);
        if (q != null) return q;
        int nq = names.size();
        names.add(name);
        if (nq == parents.length) parents = Arrays.copyOf(parents, nq * 2);
        parents[nq] = parent;
        children.add(new int[0]);
        byKey.put(key, nq);
        if (parent < 0) rootChildren = append(rootChildren, nq);
        else children.set(parent, append(children.get(parent), nq));
        return nq;
    }

    /** Gives q another last name; false (and nothing changes) if a sibling already has that name. */
    boolean rename(int q, String name) {
        check(q);
        int parent = parents[q];
        var key = new Key(parent, name);
        if (byKey.containsKey(key)) return false;
        byKey.remove(new Key(parent, names.get(q)));
        names.set(q, name);
        byKey.put(key, q);
        return true;
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    void check(int q) {
        if (q < 0 || q >= names.size()) throw new IllegalArgumentException("no attribute with quark " + q);
    }

    int parent(int q) { check(q); return parents[q]; }

    String name(int q) { check(q); return names.get(q); }

    int[] children(int q) {
        if (q < 0) return rootChildren.clone();
        check(q);
        return children.get(q).clone();
    }

    int[] childrenView(int q) { return q < 0 ? rootChildren : children.get(q); }

    String path(int q) {
        check(q);
        var sb = new StringBuilder();
        build(sb, q);
        return sb.toString();
    }

    private void build(StringBuilder sb, int q) {
        if (parents[q] >= 0) {
            build(sb, parents[q]);
            sb.append('/');
        }
        sb.append(names.get(q));
    }

    /** Quarks matching a pattern whose segments are names or "*" (any one name), in creation order per level. */
    int[] match(int parent, String[] pattern) {
        var out = new int[16];
        int[] n = {0};
        out = match(parent, pattern, 0, out, n);
        return Arrays.copyOf(out, n[0]);
    }

    private int[] match(int parent, String[] pattern, int i, int[] out, int[] n) {
        if (i == pattern.length) {
            if (n[0] == out.length) out = Arrays.copyOf(out, out.length * 2);
            out[n[0]++] = parent;
            return out;
        }
        if ("*".equals(pattern[i])) {
            for (int c : childrenView(parent)) out = match(c, pattern, i + 1, out, n);
        } else {
            int c = child(parent, pattern[i]);
            if (c >= 0) out = match(c, pattern, i + 1, out, n);
        }
        return out;
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(names.size());
        for (int q = 0; q < names.size(); q++) {
            out.writeInt(parents[q]);
            out.writeUTF(names.get(q));
        }
    }

    static AttributeTree read(DataInputStream in) throws IOException {
        var t = new AttributeTree();
        int n = in.readInt();
        if (n < 0) throw new IOException("negative attribute count " + n);
        for (int q = 0; q < n; q++) {
            int p = in.readInt();
            String name = in.readUTF();
            if (p < -1 || p >= q) throw new IOException("attribute " + q + " has bad parent " + p);
            if (t.childOrAdd(p, name) != q) throw new IOException("duplicate attribute " + name + " under " + p);
        }
        return t;
    }
}
