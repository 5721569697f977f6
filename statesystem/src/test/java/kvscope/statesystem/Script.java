package kvscope.statesystem;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A random history: attributes (some nested, some stacks) and operations with equal timestamps, repeated values,
 * every value kind, pushes/pops and removes. Applies itself to a {@link History} and to the {@link Oracle}, which
 * mirrors the documented semantics with its own brute-force bookkeeping.
 */
final class Script {
    final int attributes;
    final long seed;
    final int ops;
    final Random rnd;
    final History h;
    final Oracle o = new Oracle();
    long t = 1_000;
    /** If > 0: about one step in 100 jumps ahead by up to this many ns (wide index entries need 2^32 or more). */
    long bigJump;
    int[] quarks;
    /** quarks of stack attributes (their levels are created by push) */
    final List<Integer> stacks = new ArrayList<>();

    Script(History h, int attributes, int ops, long seed) {
        this.h = h;
        this.attributes = attributes;
        this.ops = ops;
        this.seed = seed;
        this.rnd = new Random(seed);
    }

    /** Creates the attributes: a few levels of nesting, so remove() has descendants to clear. */
    void createAttributes() {
        quarks = new int[attributes];
        for (int i = 0; i < attributes; i++) {
            int q;
            if (i > 0 && rnd.nextInt(3) == 0) q = h.getOrCreateUnder(quarks[rnd.nextInt(i)], "c" + i);
            else q = h.getOrCreate("n" + (i % 3), "a" + i);
            quarks[i] = q;
            if (rnd.nextInt(8) == 0) stacks.add(q);
        }
        sync();
    }

    /** Registers in the oracle every quark the history knows (parents and stack levels included). */
    void sync() {
        o.attribute(h.attributeCount() - 1);
    }

    Object randomValue() {
        return switch (rnd.nextInt(6)) {
            case 0 -> null;
            case 1 -> rnd.nextInt(4);                       // small ints: inline in the tag, and repeats
            case 2 -> (long) rnd.nextInt(3) - 1;            // longs incl. negative
            case 3 -> rnd.nextBoolean() ? rnd.nextLong() : (long) rnd.nextInt(100_000);
            case 4 -> rnd.nextInt(4) * 0.5;
            default -> "s" + rnd.nextInt(rnd.nextBoolean() ? 3 : 40);
        };
    }

    void set(long t, int q, Object v) {
        if (v == null) h.clear(t, q);
        else if (v instanceof Integer i) h.set(t, q, i.intValue());
        else if (v instanceof Long l) h.set(t, q, l.longValue());
        else if (v instanceof Double d) h.set(t, q, d.doubleValue());
        else h.set(t, q, (String) v);
        o.set(t, q, v);
    }

    /** Runs n operations. */
    void run(int n) {
        for (int i = 0; i < n; i++) step();
    }

    void step() {
        int r = rnd.nextInt(100);
        t += r < 30 ? 0 : r < 60 ? 1 : r < 95 ? rnd.nextInt(20) : rnd.nextInt(5_000);
        if (bigJump > 0 && rnd.nextInt(100) == 0) t += 1 + Math.floorMod(rnd.nextLong(), bigJump);
        int k = rnd.nextInt(100);
        if (k < 8 && !stacks.isEmpty()) {
            int s = stacks.get(rnd.nextInt(stacks.size()));
            Object depth = o.cur.get(s);
            int d = depth instanceof Integer i ? i : 0;
            if (rnd.nextBoolean() || d == 0) {
                long v = rnd.nextInt(5);
                h.push(t, s, v);
                sync();
                int level = h.lookupUnder(s, Integer.toString(d + 1));
                o.set(t, level, v);
                o.set(t, s, d + 1);
            } else {
                if (!h.pop(t, s)) throw new AssertionError("pop of non-empty stack failed");
                sync(); // a depth set by a plain set() may name a level never pushed: pop creates it
                int level = h.lookupUnder(s, Integer.toString(d));
                o.set(t, level, null);
                o.set(t, s, d == 1 ? null : d - 1);
            }
        } else if (k < 11) {
            int q = quarks[rnd.nextInt(attributes)];
            h.remove(t, q);
            removeInOracle(t, q);
        } else {
            set(t, quarks[rnd.nextInt(attributes)], randomValue());
        }
    }

    private void removeInOracle(long t, int q) {
        o.set(t, q, null);
        for (int c : h.children(q)) removeInOracle(t, c);
    }

    void close() throws IOException {
        t += rnd.nextInt(3);
        h.complete(t);
        o.complete(t);
    }
}
