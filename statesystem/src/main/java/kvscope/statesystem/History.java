package kvscope.statesystem;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A State History Tree on disk: attributes (paths → quarks), their values over time, and queries. See the package
 * documentation for the model and an example.
 *
 * <p>One thread builds ({@code set}, {@code push}, …, {@code complete(t)}); any number of threads may query at the
 * same time, during the build and after. Builder calls take a write lock for a few hundred nanoseconds; queries take
 * the read lock while the history is being built and no lock once it is complete.
 *
 * <p>This class holds the attribute tree, the lock and the time range, and hands the rest to the parts Trace Compass
 * also keeps apart: {@link Ongoing} (values not yet intervals), {@link RightBranch} (inserting intervals into the open
 * right-hand branch), {@link HistoryFile} (the file: create, open, finish, commit) and {@link Queries} (the walk down
 * the closed nodes; range queries: {@link RangeScan}).
 */
@SuppressWarnings("try") // try (var held = reading()) {…}: the resource is the lock, the body never names it
public final class History implements AutoCloseable {

    private final HistoryFile file;
    private final NodeStore store;
    private final AttributeTree attrs;
    private final Strings strings;
    private final Queries queries;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Held unlockRead = lock.readLock()::unlock;
    private final Held unlockWrite = lock.writeLock()::unlock;
    /** True once every node and the metadata are on disk: queries stop locking. */
    private volatile boolean complete;

    // Time range. start is fixed by the first builder call; now is the latest builder time (the end once complete).
    private boolean started;
    private long start, now;

    // While building (null when opened complete): the values not yet intervals, and the open branch (null once
    // complete); each stack attribute's level quarks, by level (0: not yet looked up).
    private final Ongoing ongoing;
    private RightBranch branch;
    private int[][] stackLevels = new int[0][];

    // Once complete: the tree's root and its size.
    private int rootSeq = -1;
    private long intervals;

    private History(HistoryFile file, AttributeTree attrs, Strings strings, boolean building) {
        this.file = file;
        this.store = file.store;
        this.attrs = attrs;
        this.strings = strings;
        this.queries = new Queries(store);
        this.ongoing = building ? new Ongoing() : null;
        this.branch = building ? new RightBranch(store, file.path, file.nodeSize, file.maxChildren) : null;
    }

    /** Creates (or overwrites) a history file, to be built and then {@link #complete(long) completed at a time}. */
    public static History create(Path path, Config config) throws IOException {
        return new History(HistoryFile.create(path, config), new AttributeTree(), new Strings(), true);
    }

    /**
     * Opens a complete history read-only. Checks the header, the length and the metadata; each node's checksum is
     * checked when a query first reaches the node, so a damaged node makes that query throw
     * {@link HistoryFileException} rather than answer ({@link #verify()} checks every node up front).
     *
     * @throws HistoryFileException if the file is not a history, incomplete, truncated or damaged
     */
    public static History open(Path path) throws IOException {
        var opened = HistoryFile.open(path);
        var hd = opened.header();
        var h = new History(opened.file(), opened.attrs(), opened.strings(), false);
        h.started = true;
        h.start = hd.start();
        h.now = hd.end();
        h.rootSeq = hd.rootSeq();
        h.intervals = hd.intervals();
        h.complete = true;
        return h;
    }

    // ---------------------------------------------------------------- locking

    /** A lock held for a try-with-resources block. */
    private interface Held extends AutoCloseable {
        @Override void close();
    }

    private static final Held NOTHING = () -> {};

    /** For a query: the read lock while the history is being built; nothing once it is complete (it no longer changes). */
    private Held reading() {
        if (complete) return NOTHING;
        lock.readLock().lock();
        return unlockRead;
    }

    /** For a builder call (or the release of the file). */
    private Held writing() {
        lock.writeLock().lock();
        return unlockWrite;
    }

    // ---------------------------------------------------------------- attribute tree

    /**
     * The quark of a path, created (with its parents) if new. New attributes are null since the history start.
     * {@link #lookup} finds a path without creating it.
     */
    public int getOrCreate(String... path) {
        return getOrCreateUnder(-1, path);
    }

    /** The quark of a path relative to {@code parent}, created if new. */
    public int getOrCreateUnder(int parent, String... path) {
        try (var held = writing()) {
            requireWritable();
            int q = parent;
            for (String name : path) q = attrs.childOrAdd(q, name);
            ongoing.grow(attrs.count());
            return q;
        }
    }

    /**
     * Gives attribute {@code quark} another name (the last element of its path), for a name learnt after the
     * attribute was made; its children and intervals stay. Queries find it under the new path from then on, and the
     * file stores it. False, and nothing changes, if a sibling already has that name.
     */
    public boolean rename(int quark, String name) {
        try (var held = writing()) {
            requireWritable();
            return attrs.rename(quark, name);
        }
    }

    /** The quark of a path, or -1 if absent (nothing is created: {@link #getOrCreate} does). */
    public int lookup(String... path) {
        return lookupUnder(-1, path);
    }

    /** The quark of a path relative to {@code parent}, or -1 if absent. */
    public int lookupUnder(int parent, String... path) {
        try (var held = reading()) {
            int q = parent;
            for (String name : path) {
                q = attrs.child(q, name);
                if (q < 0) return -1;
            }
            return q;
        }
    }

    /** Quarks of every path matching the pattern: each segment a name or "*" (any single name). */
    public int[] match(String... pattern) {
        try (var held = reading()) {
            return attrs.match(-1, pattern);
        }
    }

    /** Parent quark, -1 for a top-level attribute. */
    public int parent(int q) {
        try (var held = reading()) {
            return attrs.parent(q);
        }
    }

    /** Child quarks in creation order; {@code children(-1)} gives the top-level attributes. */
    public int[] children(int q) {
        try (var held = reading()) {
            return attrs.children(q);
        }
    }

    public String name(int q) {
        try (var held = reading()) {
            return attrs.name(q);
        }
    }

    /** The full path, names joined by '/'. */
    public String path(int q) {
        try (var held = reading()) {
            return attrs.path(q);
        }
    }

    public int attributeCount() {
        try (var held = reading()) {
            return attrs.count();
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
        try (var held = writing()) {
            if (value == null) modifyLocked(t, q, StoredValues.NULL, 0);
            else {
                requireWritable();
                modifyLocked(t, q, StoredValues.STRING, strings.id(value));
            }
        }
    }

    /** Where a {@link Feed} puts its changes: the single-change setters, already under the history's lock. */
    public interface Writer {
        void set(long t, int q, long value);
        void set(long t, int q, int value);
        void set(long t, int q, double value);
        /** A string state; null clears. */
        void set(long t, int q, String value);
        void clear(long t, int q);
    }

    /** Changes that a builder keeps in its own columns, handed over a batch at a time. */
    @FunctionalInterface
    public interface Feed {
        /** Writes some changes in time order; returns false when it has no more to give now. */
        boolean into(Writer w);
    }

    private final Writer locked = new Writer() {
        @Override public void set(long t, int q, long value) { modifyLocked(t, q, StoredValues.LONG, value); }
        @Override public void set(long t, int q, int value) { modifyLocked(t, q, StoredValues.INT, value); }
        @Override public void set(long t, int q, double value) {
            modifyLocked(t, q, StoredValues.DOUBLE, Double.doubleToLongBits(value));
        }
        @Override public void set(long t, int q, String value) {
            if (value == null) modifyLocked(t, q, StoredValues.NULL, 0);
            else modifyLocked(t, q, StoredValues.STRING, strings.id(value));
        }
        @Override public void clear(long t, int q) { modifyLocked(t, q, StoredValues.NULL, 0); }
    };

    /**
     * Applies what the feed writes, as the single-change methods would, taking the lock once per call of
     * {@link Feed#into} (so a feed should return after a few thousand changes, to let queries in) until it returns
     * false. Why: a builder that makes millions of changes hands them over a batch at a time, from its own buffers,
     * rather than taking the lock per change. A change that fails (time going backwards, unknown quark) throws; the
     * changes before it are applied.
     */
    public void apply(Feed feed) {
        boolean more = true;
        while (more) {
            try (var held = writing()) {
                requireWritable();
                more = feed.into(locked);
            }
        }
    }

    /** Sets the attribute to null from t on. */
    public void clear(long t, int q) { modify(t, q, StoredValues.NULL, 0); }

    /** Clears the attribute and all its descendants from t on. */
    public void remove(long t, int q) {
        try (var held = writing()) {
            removeLocked(t, q);
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
        try (var held = writing()) {
            requireWritable();
            attrs.check(q);
            int depthNow = ongoing.stackDepth(q, attrs);
            int level = stackLevel(q, depthNow + 1);
            if (kind == StoredValues.STRING) {
                if (s == null) kind = StoredValues.NULL;
                else bits = strings.id(s);
            }
            modifyLocked(t, level, kind, bits);
            modifyLocked(t, q, StoredValues.INT, depthNow + 1);
        }
    }

    /** Pops a stack attribute: clears its top level. Returns false (and does nothing) if the stack is empty. */
    public boolean pop(long t, int q) {
        try (var held = writing()) {
            requireWritable();
            attrs.check(q);
            int depthNow = ongoing.stackDepth(q, attrs);
            if (depthNow <= 0) return false;
            modifyLocked(t, stackLevel(q, depthNow), StoredValues.NULL, 0);
            if (depthNow == 1) modifyLocked(t, q, StoredValues.NULL, 0);
            else modifyLocked(t, q, StoredValues.INT, depthNow - 1);
            return true;
        }
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
            ongoing.grow(attrs.count());
        }
        return levels[level];
    }

    private void modify(long t, int q, int kind, long bits) {
        try (var held = writing()) {
            modifyLocked(t, q, kind, bits);
        }
    }

    /** The one change of the builder: q's ongoing value ends at t - 1 (an interval, if not empty) and v begins at t. */
    private void modifyLocked(long t, int q, int kind, long bits) {
        requireWritable();
        if (q < 0 || q >= attrs.count()) throw new IllegalArgumentException("no attribute with quark " + q);
        advance(t);
        if (ongoing.holds(q, kind, bits)) return;
        long s = ongoing.since(q, start);
        if (t > s) branch.insert(q, s, t - 1, ongoing.kind(q), ongoing.bits(q), start, attrs.count());
        ongoing.begin(q, t, kind, bits);
    }

    private void advance(long t) {
        if (!started) {
            started = true;
            start = t;
            now = t;
            branch.begin(t);
        } else if (t < now) {
            throw new IllegalArgumentException("time goes backwards: " + t + " < " + now + " (" + file.path + ")");
        }
        now = t;
    }

    private void requireWritable() {
        if (complete || branch == null) throw new IllegalStateException("history " + file.path + " is closed (read-only)");
    }

    // ---------------------------------------------------------------- completing and releasing

    /**
     * Ends the history at t (inclusive): every ongoing state ends at t, every node goes to disk, then the attribute
     * tree and string table, and last the header saying "complete". Queries keep working, without locks. The same as
     * {@link #finish(long)} then {@link #commit()}.
     *
     * <p>Durability: the nodes and metadata are forced to disk (fdatasync) before the header says "complete", so the
     * file never says complete while missing a node; the header itself is not forced — after a power loss right
     * after this the file may say incomplete, and the caller rebuilds it (the model is derived from a trace). A
     * killed process loses nothing that this wrote: it is in the OS page cache.
     */
    public void complete(long t) throws IOException {
        finish(t);
        commit();
    }

    /**
     * The first half of {@link #complete(long)}: ends the history at t and writes every node and the metadata,
     * without forcing them to disk nor marking the file complete. Queries work from here on, without locks, so a
     * caller can query the history on one thread while {@link #commit()} waits for the disk on another.
     */
    public void finish(long t) throws IOException {
        try (var held = writing()) {
            requireWritable();
            advance(t);
            int count = attrs.count();
            for (int q = 0; q < count; q++) {
                branch.insert(q, ongoing.since(q, start), t, ongoing.kind(q), ongoing.bits(q), start, count);
            }
            rootSeq = branch.finish(t);
            intervals = branch.intervals();
            file.finish(start, now, branch.nodeCount(), rootSeq, branch.depth(), intervals, attrs, strings);
            branch = null;
            complete = true;
        }
    }

    /**
     * The second half of {@link #complete(long)}, after {@link #finish(long)}: forces the nodes and metadata to disk,
     * then writes the header saying "complete" (see complete for what is durable when).
     */
    public void commit() throws IOException {
        try (var held = writing()) {
            file.commit();
        }
    }

    /** Releases the file. A history being built and not {@link #complete(long) completed} stays incomplete. */
    @Override
    public void close() throws IOException {
        try (var held = writing()) {
            file.close();
        }
    }

    // ---------------------------------------------------------------- queries

    /** First time of the history (Long.MIN_VALUE before the first builder call). */
    public long start() {
        try (var held = reading()) {
            return started ? start : Long.MIN_VALUE;
        }
    }

    /** Last time: the end once complete, else the latest builder time. */
    public long end() {
        try (var held = reading()) {
            return started ? now : Long.MIN_VALUE;
        }
    }

    public boolean isComplete() { return complete; }

    /** Number of intervals stored so far. */
    public long intervalCount() {
        try (var held = reading()) {
            return complete ? intervals : branch.intervals();
        }
    }

    public Path file() { return file.path; }

    /**
     * Single query: the state of attribute q at time t, with its interval; null if t is outside [start(), end()].
     * While building, a state that has not ended yet has {@code end == State.ONGOING}. ({@link #fullAt} gives every
     * attribute at once.)
     */
    public State at(long t, int q) {
        var hit = Queries.threadHit();
        if (!find(t, q, hit)) return null;
        return StoredValues.state(q, hit.start, hit.end, hit.kind, hit.bits, hit.string);
    }

    /** The single query into {@code hit}; false if q has no state at t. */
    boolean find(long t, int q, Queries.Hit hit) {
        try (var held = reading()) {
            attrs.check(q);
            if (!started || t < start || t > now) return false;
            int seq = complete ? rootSeq : branch.find(t, q, hit);
            if (seq == RightBranch.FOUND || seq >= 0 && queries.find(seq, t, q, hit)) {
                // Reset for other kinds too: the hit is reused, and a stale string would answer for a null state.
                hit.string = hit.kind == StoredValues.STRING ? strings.get(hit.bits) : null;
                return true;
            }
            return !complete && ongoing.find(q, t, start, hit, strings);
        }
    }

    /**
     * Full query: the state of every attribute at t, into {@code out} (resized as needed, then reused without
     * allocation). Attributes are all unknown if t is outside [start(), end()].
     */
    public void fullAt(long t, FullState out) {
        try (var held = reading()) {
            int count = attrs.count();
            out.reset(t, count);
            if (!started || t < start || t > now) return;
            int seq = complete ? rootSeq : branch.fill(t, out, strings);
            queries.fill(seq, t, out, strings);
            if (!complete) ongoing.fill(out, t, count, start, strings);
        }
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
        try (var held = reading()) {
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
            var sc = new RangeScan(store, strings, file.nodeSize, file.maxChildren, t0, hi, step, visitor,
                    attrs.count(), quarks);
            if (complete) sc.closed(rootSeq, start, now, 0);
            else {
                branch.scan(sc, now);
                ongoing.scan(quarks, sc, start, now, visitor, strings);
            }
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
    public long fileSize() { return file.size(); }
}
