package kvscope.statesystem;

/** Receives intervals from {@link History#scan}; primitives only, so a view allocates nothing per interval. */
@FunctionalInterface
public interface Visitor {
    /**
     * @param longValue   the value for INT and LONG
     * @param doubleValue the value for DOUBLE
     * @param string      the value for STRING (interned), else null
     */
    void interval(int quark, long start, long end, ValueKind kind, long longValue, double doubleValue, String string);
}
