package kvscope.statesystem;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.zip.CRC32C;

/**
 * A State History Tree on disk: attributes (paths → quarks), their values over time, and queries. See the package
 * documentation for the model and an example.
 *
 * <p>One thread builds ({@code set}, {@code push}, …, {@code close(t)}); any number of threads may query at the same
 * time, during the build and after. Builder calls take a write lock for a few hundred nanoseconds; queries take the
 * read lock while the history is being built and no lock once it is complete.
 */
public final class History implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    private final NodeStore store;
    private final int nodeSize, maxChildren;
    private final AttributeTree attrs;
    private final Strings strings;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock.ReadLock readLock = lock.readLock();
    private final ReentrantReadWriteLock.WriteLock writeLock = lock.writeLock();
    /** True once every node and the metadata are on disk: queries stop locking. */
    private volatile boolean complete;

    // Time range. start is fixed by the first builder call; now is the latest builder time (the end once complete).
    private boolean started;
    private long start, now;

    // Builder state: the ongoing (not yet ended) value of each attribute.
    private byte[] pKind = new byte[0];
    private long[] pBits = new long[0];
    private long[] pStart = new long[0];
    private int[][] stackLevels = new int[0][];

    // The right-most branch, indexed by height (0 = leaf); depth nodes are open.
    private OpenNode[] branch;
    private int depth;
    private int nextSeq;
    private int rootSeq = -1;
    private long intervals;
    private byte[] scratch;
    /** The "complete" header that {@link #commit()} writes once the rest is on disk. */
    private FileHeader header;

    private History(Path path, FileChannel channel, int nodeSize, int maxChildren, AttributeTree attrs,
                    Strings strings, boolean writable, int nodeCount) {
        this.path = path;
        this.channel = channel;
        this.nodeSize = nodeSize;
        this.maxChildren = maxChildren;
        this.attrs = attrs;
        this.strings = strings;
        this.store = new NodeStore(channel, path, nodeSize, maxChildren, writable, nodeCount);
    }

    /** Creates (or overwrites) a history file, to be built and then {@link #close(long) closed at a time}. */
    public static History create(Path path, Config config) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        var h = new History(path, ch, config.nodeSize(), config.maxChildren(), new AttributeTree(), new Strings(), true, 0);
        new FileHeader(config.nodeSize(), config.maxChildren(), false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0).write(ch);
        h.branch = new OpenNode[] {new OpenNode(0, config.nodeSize(), config.maxChildren())};
        h.scratch = new byte[config.nodeSize()];
        return h;
    }

    /**
     * Opens a complete history read-only. Checks the header, the length and the metadata; each node's checksum is
     * checked when a query first reaches the node, so a damaged node makes that query throw
     * {@link HistoryFileException} rather than answer ({@link #verify()} checks every node up front).
     *
     * @throws HistoryFileException if the file is not a history, incomplete, truncated or damaged
     */
    public static History open(Path path) throws IOException {
        var ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            var hd = FileHeader.read(ch, path);
            byte[] meta = new byte[(int) hd.metaLength()];
            var buf = ByteBuffer.wrap(meta);
            while (buf.hasRemaining()) {
                if (ch.read(buf, hd.metaOffset() + buf.position()) < 0) break;
            }
            var crc = new CRC32C();
            crc.update(meta);
            if ((int) crc.getValue() != hd.metaCrc())
                throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, hd.metaOffset(),
                        "attribute tree / string table checksum mismatch");
            AttributeTree attrs;
            Strings strings;
            try (var in = new DataInputStream(new ByteArrayInputStream(meta))) {
                attrs = AttributeTree.read(in);
                strings = Strings.read(in);
            } catch (IOException e) {
                throw new HistoryFileException(HistoryFileException.Problem.DAMAGED, path, hd.metaOffset(),
                        "unreadable attribute tree / string table: " + e.getMessage());
            }
            var h = new History(path, ch, hd.nodeSize(), hd.maxChildren(), attrs, strings, false, hd.nodeCount());
            h.store.mapAll();
            h.started = true;
            h.start = hd.start();
            h.now = hd.end();
            h.rootSeq = hd.rootSeq();
            h.nextSeq = hd.nodeCount();
            h.depth = hd.depth();
            h.intervals = hd.intervals();
            h.complete = true;
            return h;
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- attribute tree

    /** The quark of a path, created (with its parents) if new. New attributes are null since the history start. */
    public int attribute(String... path) {
        return attributeUnder(-1, path);
    }

    /**
     * Gives attribute {@code quark} another name (the last element of its path), for a name learnt after the
     * attribute was made; its children and intervals stay. Queries find it under the new path from then on, and the
     * file stores it. False, and nothing changes, if a sibling already has that name.
     */
    public boolean rename(int quark, String name) {
        writeLock.lock();
        try {
            requireWritable();
            return attrs.rename(quark, name);
        } finally {
            writeLock.unlock();
        }
    }

    /** The quark of a path relative to {@code parent}, created if new. */
    public int attributeUnder(int parent, String... path) {
        writeLock.lock();
        try {
            requireWritable();
            int q = parent;
            for (String name : path) q = attrs.childOrAdd(q, name);
            growPending();
            return q;
        } finally {
            writeLock.unlock();
        }
    }

    /** The quark of a path, or -1 if absent. */
    public int quark(String... path) {
        return quarkUnder(-1, path);
    }

    public int quarkUnder(int parent, String... path) {
        boolean locked = readLock();
        try {
            int q = parent;
            for (String name : path) {
                q = attrs.child(q, name);
                if (q < 0) return -1;
            }
            return q;
        } finally {
            unlock(locked);
        }
    }

    /** Quarks of every path matching the pattern: each segment a name or "*" (any single name). */
    public int[] quarks(String... pattern) {
        boolean locked = readLock();
        try {
            return attrs.match(-1, pattern);
        } finally {
            unlock(locked);
        }
    }

    /** Parent quark, -1 for a top-level attribute. */
    public int parent(int q) {
        boolean locked = readLock();
        try {
            return attrs.parent(q);
        } finally {
            unlock(locked);
        }
    }

    /** Child quarks in creation order; {@code children(-1)} gives the top-level attributes. */
    public int[] children(int q) {
        boolean locked = readLock();
        try {
            return attrs.children(q);
        } finally {
            unlock(locked);
        }
    }

    public String name(int q) {
        boolean locked = readLock();
        try {
            return attrs.name(q);
        } finally {
            unlock(locked);
        }
    }

    /** The full path, names joined by '/'. */
    public String path(int q) {
        boolean locked = readLock();
        try {
            return attrs.path(q);
        } finally {
            unlock(locked);
        }
    }

    public int attributeCount() {
        boolean locked = readLock();
        try {
            return attrs.count();
        } finally {
            unlock(locked);
        }
    }

    // ---------------------------------------------------------------- building

    /**
     * Sets an attribute from time t on. Times must not go backwards. Setting the value the attribute already has
     * (same kind and value) does nothing: the current interval continues. Two sets at the same time: the last wins.
     */
    public void set(long t, int q, long value) { modify(t, q, StoredValues.LONG, value); }

    public void set(long t, int q, int value) { modify(t, q, StoredValues.INT, value); }

    public void set(long t, int q, double value) { modify(t, q, StoredValues.DOUBLE, Double.doubleToLongBits(value)); }

    /** A string state (interned in the file's string table); null clears. */
    public void set(long t, int q, String value) {
        writeLock.lock();
        try {
            if (value == null) modifyLocked(t, q, StoredValues.NULL, 0);
            else {
                requireWritable();
                modifyLocked(t, q, StoredValues.STRING, strings.id(value));
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Applies a batch of changes in order, as the single-change methods would, under one lock. A change that fails
     * (time going backwards, unknown quark) throws; the changes before it are applied.
     */
    public void apply(Changes c) {
        writeLock.lock();
        try {
            requireWritable();
            for (int i = 0; i < c.n; i++) {
                int kind = c.kind[i];
                modifyLocked(c.t[i], c.q[i], kind, kind == StoredValues.STRING ? strings.id(c.s[i]) : c.bits[i]);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Where a {@link Feed} puts its changes: the single-change setters, already under the history's lock. */
    public interface Writer {
        void set(long t, int q, long value);
        void set(long t, int q, int value);
        /** A string state; null clears. */
        void set(long t, int q, String value);
        void clear(long t, int q);
    }

    /** Changes that a builder keeps in its own columns, handed over without copying them into {@link Changes}. */
    @FunctionalInterface
    public interface Feed {
        /** Writes some changes in time order; returns false when it has no more to give now. */
        boolean into(Writer w);
    }

    private final Writer locked = new Writer() {
        @Override public void set(long t, int q, long value) { modifyLocked(t, q, StoredValues.LONG, value); }
        @Override public void set(long t, int q, int value) { modifyLocked(t, q, StoredValues.INT, value); }
        @Override public void set(long t, int q, String value) {
            if (value == null) modifyLocked(t, q, StoredValues.NULL, 0);
            else modifyLocked(t, q, StoredValues.STRING, strings.id(value));
        }
        @Override public void clear(long t, int q) { modifyLocked(t, q, StoredValues.NULL, 0); }
    };

    /**
     * Applies what the feed writes, as the single-change methods would, taking the lock once per call of
     * {@link Feed#into} (so a feed should return after a few thousand changes, to let queries in) until it returns
     * false. Why: a builder that sorts changes in its own buffers would otherwise copy each one into a
     * {@link Changes} first.
     */
    public void apply(Feed feed) {
        boolean more = true;
        while (more) {
            writeLock.lock();
            try {
                requireWritable();
                more = feed.into(locked);
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Sets the attribute to null from t on. */
    public void clear(long t, int q) { modify(t, q, StoredValues.NULL, 0); }

    /** Clears the attribute and all its descendants from t on. */
    public void remove(long t, int q) {
        writeLock.lock();
        try {
            removeLocked(t, q);
        } finally {
            writeLock.unlock();
        }
    }

    private void removeLocked(long t, int q) {
        modifyLocked(t, q, StoredValues.NULL, 0);
        for (int c : attrs.childrenView(q)) removeLocked(t, c);
    }

    /**
     * Pushes a value on a stack attribute: the attribute holds the depth (INT, null when empty) and its children
     * "1", "2", … hold the values of each level, so a view shows nested operations as rows.
     */
    public void push(long t, int q, long value) { push(t, q, StoredValues.LONG, value, null); }

    public void push(long t, int q, int value) { push(t, q, StoredValues.INT, value, null); }

    public void push(long t, int q, double value) { push(t, q, StoredValues.DOUBLE, Double.doubleToLongBits(value), null); }

    public void push(long t, int q, String value) { push(t, q, StoredValues.STRING, 0, value); }

    private void push(long t, int q, int kind, long bits, String s) {
        writeLock.lock();
        try {
            requireWritable();
            attrs.check(q);
            int depthNow = stackDepth(q);
            int level = stackLevel(q, depthNow + 1);
            if (kind == StoredValues.STRING) {
                if (s == null) kind = StoredValues.NULL;
                else bits = strings.id(s);
            }
            modifyLocked(t, level, kind, bits);
            modifyLocked(t, q, StoredValues.INT, depthNow + 1);
        } finally {
            writeLock.unlock();
        }
    }

    /** Pops a stack attribute: clears its top level. Returns false (and does nothing) if the stack is empty. */
    public boolean pop(long t, int q) {
        writeLock.lock();
        try {
            requireWritable();
            attrs.check(q);
            int depthNow = stackDepth(q);
            if (depthNow <= 0) return false;
            modifyLocked(t, stackLevel(q, depthNow), StoredValues.NULL, 0);
            if (depthNow == 1) modifyLocked(t, q, StoredValues.NULL, 0);
            else modifyLocked(t, q, StoredValues.INT, depthNow - 1);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** The depth a stack attribute holds: its INT value, 0 if null (or not a depth at all). */
    private int stackDepth(int q) {
        if (pKind[q] != StoredValues.INT || pBits[q] <= 0) return 0;
        if (pBits[q] >= 1 << 20)
            throw new IllegalStateException("stack " + attrs.path(q) + " is " + pBits[q] + " deep: not a stack?");
        return (int) pBits[q];
    }

    private int stackLevel(int q, int level) {
        if (q >= stackLevels.length) stackLevels = Arrays.copyOf(stackLevels, Math.max(q + 1, stackLevels.length * 2));
        int[] levels = stackLevels[q];
        if (levels == null || levels.length <= level) {
            levels = levels == null ? new int[level + 4] : Arrays.copyOf(levels, level * 2);
            stackLevels[q] = levels;
        }
        if (levels[level] == 0) {
            // 0 is never a child quark (the stack itself is created before its levels), so it marks "not yet looked up".
            levels[level] = attrs.childOrAdd(q, Integer.toString(level));
            growPending();
        }
        return levels[level];
    }

    private void modify(long t, int q, int kind, long bits) {
        writeLock.lock();
        try {
            modifyLocked(t, q, kind, bits);
        } finally {
            writeLock.unlock();
        }
    }

    private void modifyLocked(long t, int q, int kind, long bits) {
        requireWritable();
        if (q < 0 || q >= attrs.count()) throw new IllegalArgumentException("no attribute with quark " + q);
        advance(t);
        if (pKind[q] == kind && pBits[q] == bits) return;
        long s = pStart[q];
        if (s == Long.MIN_VALUE) s = start;
        if (t > s) insert(q, s, t - 1, pKind[q], pBits[q]);
        pKind[q] = (byte) kind;
        pBits[q] = bits;
        pStart[q] = t;
    }

    private void advance(long t) {
        if (!started) {
            started = true;
            start = t;
            now = t;
            branch[0].reset(nextSeq++, t);
            depth = 1;
        } else if (t < now) {
            throw new IllegalArgumentException("time goes backwards: " + t + " < " + now + " (" + path + ")");
        }
        now = t;
    }

    private void growPending() {
        int n = attrs.count();
        if (n > pKind.length) {
            int len = Math.max(n, pKind.length * 2);
            int old = pKind.length;
            pKind = Arrays.copyOf(pKind, len);
            pBits = Arrays.copyOf(pBits, len);
            pStart = Arrays.copyOf(pStart, len);
            Arrays.fill(pStart, old, len, Long.MIN_VALUE);
        }
    }

    private void requireWritable() {
        if (complete || branch == null) throw new IllegalStateException("history " + path + " is closed (read-only)");
    }

    /**
     * Puts an ended interval in the deepest node of the right-most branch that starts at or before it; if that node
     * is full, closes it (and the nodes below) at e and opens a new branch from e + 1, then retries — the interval
     * then lands higher, where long intervals belong.
     */
    private void insert(int q, long s, long e, int kind, long bits) {
        intervals++;
        while (true) {
            int h = 0;
            while (branch[h].start > s) h++;
            OpenNode node = branch[h];
            int size = node.sizeOf(q, s, e, kind, bits);
            if (node.bytes + size <= node.capacity) {
                node.add(q, s, e, kind, bits, size);
                return;
            }
            split(h, e);
        }
    }

    private void split(int h, long e) {
        for (int i = 0; i <= h; i++) closeNode(branch[i], e);
        int j = h + 1;
        while (j < depth && branch[j].fullOfChildren()) closeNode(branch[j++], e);
        if (j == depth) {
            // The root is full: a new root above it, spanning the whole history.
            if (depth == 255)
                throw new IllegalStateException("history tree of " + path + " is 255 levels deep: nodes of " + nodeSize
                        + " bytes are too small for " + attrs.count() + " attributes (see Config)");
            OpenNode old = branch[depth - 1];
            if (depth == branch.length) branch = Arrays.copyOf(branch, depth + 1);
            OpenNode root = new OpenNode(depth, nodeSize, maxChildren);
            root.reset(nextSeq++, start);
            root.addChild(old.seq, old.start);
            branch[depth++] = root;
        }
        for (int i = j - 1; i >= 0; i--) {
            branch[i].reset(nextSeq++, e + 1);
            branch[i + 1].addChild(branch[i].seq, e + 1);
        }
    }

    private void closeNode(OpenNode node, long end) {
        node.encode(end, scratch);
        store.put(node.seq, scratch);
    }

    /**
     * Ends the history at t (inclusive): every ongoing state ends at t, every node goes to disk, then the attribute
     * tree and string table, and last the header saying "complete". Queries keep working, without locks. The same as
     * {@link #finish(long)} then {@link #commit()}.
     *
     * <p>Durability: the nodes and metadata are forced to disk (fdatasync) before the header says "complete", so the
     * file never says complete while missing a node; the header itself is not forced — after a power loss right
     * after close the file may say incomplete, and the caller rebuilds it (the model is derived from a trace). A
     * killed process loses nothing that close wrote: it is in the OS page cache.
     */
    public void close(long t) throws IOException {
        finish(t);
        commit();
    }

    /**
     * The first half of {@link #close(long)}: ends the history at t and writes every node and the metadata, without
     * forcing them to disk nor marking the file complete. Queries work from here on, without locks, so a caller can
     * query the history on one thread while {@link #commit()} waits for the disk on another.
     */
    public void finish(long t) throws IOException {
        writeLock.lock();
        try {
            requireWritable();
            advance(t);
            for (int q = 0; q < attrs.count(); q++) {
                long s = pStart[q] == Long.MIN_VALUE ? start : pStart[q];
                insert(q, s, t, pKind[q], pBits[q]);
            }
            for (int i = 0; i < depth; i++) closeNode(branch[i], t);
            rootSeq = branch[depth - 1].seq;
            channel.truncate(NodeStore.offset(nextSeq, nodeSize)); // a reader's mapped segment may have reached beyond
            store.complete();
            var bytes = new ByteArrayOutputStream();
            try (var out = new DataOutputStream(bytes)) {
                attrs.write(out);
                strings.write(out);
            }
            byte[] meta = bytes.toByteArray();
            long metaOffset = NodeStore.offset(nextSeq, nodeSize);
            var buf = ByteBuffer.wrap(meta);
            while (buf.hasRemaining()) channel.write(buf, metaOffset + buf.position());
            var crc = new CRC32C();
            crc.update(meta);
            header = new FileHeader(nodeSize, maxChildren, true, start, now, nextSeq, rootSeq, depth, attrs.count(),
                    metaOffset, meta.length, (int) crc.getValue(), intervals);
            branch = null;
            scratch = null;
            complete = true;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The second half of {@link #close(long)}, after {@link #finish(long)}: forces the nodes and metadata to disk,
     * then writes the header saying "complete" (see close for what is durable when).
     */
    public void commit() throws IOException {
        writeLock.lock();
        try {
            if (header == null) throw new IllegalStateException("history " + path + ": commit() before finish(t), or twice");
            channel.force(false);
            header.write(channel);
            header = null;
        } finally {
            writeLock.unlock();
        }
    }

    /** Releases the file. A history being built and not {@link #close(long) closed at a time} stays incomplete. */
    @Override
    public void close() throws IOException {
        writeLock.lock();
        try {
            channel.close();
        } finally {
            writeLock.unlock();
        }
    }

    // ---------------------------------------------------------------- queries

    /** First time of the history (Long.MIN_VALUE before the first builder call). */
    public long start() {
        boolean locked = readLock();
        try {
            return started ? start : Long.MIN_VALUE;
        } finally {
            unlock(locked);
        }
    }

    /** Last time: the end once complete, else the latest builder time. */
    public long end() {
        boolean locked = readLock();
        try {
            return started ? now : Long.MIN_VALUE;
        } finally {
            unlock(locked);
        }
    }

    public boolean isComplete() { return complete; }

    /** Number of intervals stored so far. */
    public long intervalCount() {
        boolean locked = readLock();
        try {
            return intervals;
        } finally {
            unlock(locked);
        }
    }

    public Path file() { return path; }

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

    /**
     * The state of attribute q at time t, with its interval; null if t is outside [start(), end()]. While building,
     * a state that has not ended yet has {@code end == State.ONGOING}.
     */
    public State at(long t, int q) {
        var hit = PROBE.get().hit;
        if (!find(t, q, hit)) return null;
        return StoredValues.state(q, hit.start, hit.end, hit.kind, hit.bits, hit.string);
    }

    boolean find(long t, int q, Hit hit) {
        boolean locked = readLock();
        try {
            attrs.check(q);
            if (!started || t < start || t > now) return false;
            if (findInTree(t, q, hit)) {
                // Reset for other kinds too: the hit is reused, and a stale string would answer for a null state.
                hit.string = hit.kind == StoredValues.STRING ? strings.get(hit.bits) : null;
                return true;
            }
            if (!complete) {
                long s = pStart[q] == Long.MIN_VALUE ? start : pStart[q];
                if (s <= t) {
                    hit.start = s;
                    hit.end = State.ONGOING;
                    hit.kind = pKind[q];
                    hit.bits = pBits[q];
                    hit.string = hit.kind == StoredValues.STRING ? strings.get(hit.bits) : null;
                    return true;
                }
            }
            return false;
        } finally {
            unlock(locked);
        }
    }

    private boolean findInTree(long t, int q, Hit hit) {
        int seq;
        if (complete) seq = rootSeq;
        else {
            int h = depth - 1;
            while (true) {
                OpenNode node = branch[h];
                for (int i = node.firstOf(q); i >= 0; i = node.next[i]) {
                    if (node.starts[i] <= t && t <= node.ends[i]) {
                        hit.start = node.starts[i];
                        hit.end = node.ends[i];
                        hit.kind = node.kinds[i];
                        hit.bits = node.bits[i];
                        return true;
                    }
                }
                if (h == 0) return false;
                int c = node.childAt(t);
                if (c < 0) return false;
                seq = node.childSeq[c];
                if (seq != branch[h - 1].seq) break;
                h--;
            }
        }
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

    /**
     * Full query: the state of every attribute at t, into {@code out} (resized as needed, then reused without
     * allocation). Attributes are all unknown if t is outside [start(), end()].
     */
    public void at(long t, FullState out) {
        boolean locked = readLock();
        try {
            int count = attrs.count();
            out.reset(t, count);
            if (!started || t < start || t > now) return;
            int seq = -1;
            if (complete) seq = rootSeq;
            else {
                for (int h = depth - 1; h >= 0; h--) {
                    OpenNode node = branch[h];
                    for (int i = 0; i < node.n; i++) {
                        if (node.starts[i] <= t && t <= node.ends[i]) put(out, node.quark[i], node.starts[i],
                                node.ends[i], node.kinds[i], node.bits[i]);
                    }
                    if (h == 0) break;
                    int c = node.childAt(t);
                    if (c < 0) break;
                    if (node.childSeq[c] != branch[h - 1].seq) {
                        seq = node.childSeq[c];
                        break;
                    }
                }
            }
            var probe = PROBE.get();
            var v = probe.view;
            var cur = probe.cursor;
            while (seq >= 0) {
                store.view(seq, v);
                fullInNode(v, cur, t, out);
                if (v.height() == 0) break;
                int c = v.childAt(t);
                seq = c < 0 ? -1 : v.childSeq(c);
            }
            if (!complete) {
                for (int q = 0; q < count; q++) {
                    if (out.kinds[q] >= 0) continue;
                    long s = pStart[q] == Long.MIN_VALUE ? start : pStart[q];
                    if (s <= t) put(out, q, s, State.ONGOING, pKind[q], pBits[q]);
                }
            }
        } finally {
            unlock(locked);
        }
    }

    /** For each quark in the node's directory: gallop to its last block starting at or before t, decode only that block. */
    private void fullInNode(NodeFormat.View v, NodeFormat.Cursor cur, long t, FullState out) {
        for (int k = 0, groups = v.groups(); k < groups; k++) {
            int from = v.groupFrom(k), to = v.groupTo(k);
            if (!v.groupUsable(from, to) || v.entryStart(from) > t) continue;
            cur.block(v, v.lastAtOrBefore(from, to, t));
            while (cur.next() && cur.start <= t) {
                if (t <= cur.end) {
                    put(out, v.groupQuark(k), cur.start, cur.end, cur.kind, cur.bits());
                    break;
                }
            }
        }
    }

    private void put(FullState out, int q, long s, long e, int kind, long bits) {
        if (q < out.size) out.put(q, s, e, kind, bits, kind == StoredValues.STRING ? strings.get(bits) : null);
    }

    /**
     * Range query at a resolution: for each attribute in {@code quarks}, every interval that contains one of the
     * sample times {@code t0, t0 + step, t0 + 2·step, … ≤ t1} and {@code t1} itself, each exactly once, in no
     * particular order. Subtrees whose time range holds no sample are not read, so a 1000-pixel view of a huge
     * history reads about 1000 leaves. {@code step = 1} gives every interval intersecting [t0, t1].
     * Runs under the read lock while building: the visitor must not call builder methods.
     */
    public void scan(int[] quarks, long t0, long t1, long step, Visitor visitor) {
        if (step < 1) throw new IllegalArgumentException("step must be >= 1: " + step);
        boolean locked = readLock();
        try {
            if (!started) return;
            long lo = Math.max(t0, start), hi = Math.min(t1, now);
            if (lo > hi) return;
            // Samples stay anchored at t0 when t0 is before the start: move t0 to the first sample ≥ start.
            if (t0 < start) {
                long d = start - t0; // exact as an unsigned number
                long k = Long.divideUnsigned(d, step) + (Long.remainderUnsigned(d, step) != 0 ? 1 : 0);
                long first = t0 + k * step;
                t0 = (first >= start && first - start < step) ? first : hi; // overflow: only the last sample is left
                if (t0 > hi) t0 = hi;
            }
            for (int q : quarks) attrs.check(q);
            var sc = new RangeScan(store, strings, nodeSize, maxChildren, t0, hi, step, visitor, attrs.count(), quarks);
            if (complete) sc.closed(rootSeq, start, now, 0);
            else sc.open(branch, depth - 1, now);
            if (!complete) {
                for (int q : quarks) {
                    if (!sc.want[q]) continue;
                    sc.want[q] = false; // a quark listed twice is still visited once
                    long s = pStart[q] == Long.MIN_VALUE ? start : pStart[q];
                    if (sc.covers(s, now)) StoredValues.visit(visitor, q, s, State.ONGOING, pKind[q], pBits[q],
                            pKind[q] == StoredValues.STRING ? strings.get(pBits[q]) : null);
                }
            }
        } finally {
            unlock(locked);
        }
    }

    /** A cursor over attribute q's intervals that intersect [t0, t1], in time order. */
    public Intervals intervals(int q, long t0, long t1) {
        return new Intervals(this, q, t0, t1);
    }

    /** Reads every node and checks its checksum. @throws HistoryFileException at the first damaged node */
    public void verify() {
        if (!complete) throw new IllegalStateException("verify() needs a complete history");
        store.verifyAll();
    }

    /** Bytes of the file so far. */
    public long fileSize() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean readLock() {
        if (complete) return false;
        readLock.lock();
        return true;
    }

    private void unlock(boolean locked) {
        if (locked) readLock.unlock();
    }
}
