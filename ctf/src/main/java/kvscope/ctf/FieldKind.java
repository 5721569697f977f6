package kvscope.ctf;

/**
 * What a field of an event type holds, as much as a reader of it needs to know: checked once when a trace opens
 * ({@link EventType#kind}), so that code written for one layout of an event can tell another layout apart before
 * reading a single event. Integer size, signedness and byte order do not matter here: {@link Event#getLong} reads any.
 */
public enum FieldKind {
    /** No class of the event type has the field. */
    ABSENT,
    /** An integer or enumeration of any size. */
    INTEGER,
    FLOAT,
    /** A string, or a text array or sequence: read with {@link Event#getString}. */
    TEXT,
    /** An array or sequence of integers or floats: read with {@link Event#length} and {@link Event#getLong(Field, int)}. */
    NUMBERS,
    /** A struct, a variant, an array of anything else — or classes of the type (several traces) that disagree. */
    OTHER;

    static FieldKind of(Node n) {
        return switch (n.kind) {
            case Node.INT -> INTEGER;
            case Node.FLOAT -> FLOAT;
            case Node.STRING -> TEXT;
            case Node.ARRAY, Node.SEQUENCE -> n.text ? TEXT
                    : n.element != null && (n.element.kind == Node.INT || n.element.kind == Node.FLOAT) ? NUMBERS : OTHER;
            default -> OTHER;
        };
    }
}
