package kvscope.statesystem;

/** Conversions between a value's stored form (kind code + 64 bits) and the public types. */
final class StoredValues {
    private StoredValues() {}

    static final int NULL = 0, INT = 1, LONG = 2, DOUBLE = 3, STRING = 4;

    static State state(int q, long start, long end, int kind, long bits, String s) {
        return switch (kind) {
            case NULL -> new State(q, start, end, ValueKind.NULL, 0, 0, null);
            case INT -> new State(q, start, end, ValueKind.INT, bits, bits, null);
            case LONG -> new State(q, start, end, ValueKind.LONG, bits, bits, null);
            case DOUBLE -> {
                double d = Double.longBitsToDouble(bits);
                yield new State(q, start, end, ValueKind.DOUBLE, (long) d, d, null);
            }
            case STRING -> new State(q, start, end, ValueKind.STRING, 0, 0, s);
            default -> throw new IllegalStateException("kind " + kind);
        };
    }

    static void visit(Visitor v, int q, long start, long end, int kind, long bits, String s) {
        switch (kind) {
            case NULL -> v.interval(q, start, end, ValueKind.NULL, 0, 0, null);
            case INT -> v.interval(q, start, end, ValueKind.INT, bits, bits, null);
            case LONG -> v.interval(q, start, end, ValueKind.LONG, bits, bits, null);
            case DOUBLE -> {
                double d = Double.longBitsToDouble(bits);
                v.interval(q, start, end, ValueKind.DOUBLE, (long) d, d, null);
            }
            default -> v.interval(q, start, end, ValueKind.STRING, 0, 0, s);
        }
    }
}
