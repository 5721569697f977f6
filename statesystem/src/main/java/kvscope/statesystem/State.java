package kvscope.statesystem;

/**
 * The state of one attribute over one interval {@code [start, end]} (both inclusive, nanoseconds).
 * While the history is being built, the current (not yet ended) state of an attribute has {@code end == ONGOING}.
 *
 * <p>Only the field matching {@link #kind()} is meaningful: {@code longValue} for INT and LONG, {@code doubleValue}
 * for DOUBLE, {@code string} for STRING (interned: compare with {@code ==} or {@code equals}).
 */
public record State(int quark, long start, long end, ValueKind kind, long longValue, double doubleValue, String string) {

    /** End of a state that has not ended yet (history still being built). */
    public static final long ONGOING = Long.MAX_VALUE;

    public boolean isNull() { return kind == ValueKind.NULL; }

    public int intValue() { return (int) longValue; }

    public boolean contains(long t) { return start <= t && t <= end; }

    /** The value as an object (boxes: for display and tests, not for hot paths). */
    public Object value() {
        return switch (kind) {
            case NULL -> null;
            case INT -> (int) longValue;
            case LONG -> longValue;
            case DOUBLE -> doubleValue;
            case STRING -> string;
        };
    }

    @Override public String toString() {
        return "State[q=" + quark + " [" + start + ", " + (end == ONGOING ? "ongoing" : Long.toString(end)) + "] "
                + kind + " " + value() + "]";
    }
}
