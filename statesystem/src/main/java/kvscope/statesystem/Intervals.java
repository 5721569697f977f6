package kvscope.statesystem;

/**
 * A cursor over one attribute's intervals in time order within [t0, t1]: {@code while (it.next()) use(it.start(),
 * it.end(), it.kind(), it.longValue())}. Each step is one single query (a root-to-leaf path), and the cursor
 * allocates nothing per interval. While building, the last interval may be ongoing ({@code end() == State.ONGOING}).
 */
public final class Intervals {
    private final History history;
    private final int quark;
    private final long t1;
    private long nextTime;
    private boolean done;
    private final Queries.Hit hit = new Queries.Hit();

    Intervals(History history, int quark, long t0, long t1) {
        this.history = history;
        this.quark = quark;
        this.t1 = t1;
        long s = history.start();
        this.nextTime = Math.max(t0, s);
        this.done = t0 > t1 || s == Long.MIN_VALUE;
    }

    public boolean next() {
        if (done || nextTime > t1) return false;
        if (!history.find(nextTime, quark, hit)) {
            done = true;
            return false;
        }
        if (hit.end == State.ONGOING || hit.end >= t1) done = true;
        else nextTime = hit.end + 1;
        return true;
    }

    public int quark() { return quark; }

    public long start() { return hit.start; }

    public long end() { return hit.end; }

    public ValueKind kind() { return ValueKind.of(hit.kind); }

    public long longValue() { return hit.kind == StoredValues.DOUBLE ? (long) Double.longBitsToDouble(hit.bits) : hit.bits; }

    public double doubleValue() { return hit.kind == StoredValues.DOUBLE ? Double.longBitsToDouble(hit.bits) : hit.bits; }

    public String string() { return hit.string; }

    /** The current interval as a record (allocates). */
    public State state() { return StoredValues.state(quark, hit.start, hit.end, hit.kind, hit.bits, hit.string); }
}
