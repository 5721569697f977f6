package kvscope.statesystem;

/** The type of a state value. Stored in one byte per interval; the ordinal is part of the file format. */
public enum ValueKind {
    NULL, INT, LONG, DOUBLE, STRING;

    private static final ValueKind[] BY_CODE = values();

    static ValueKind of(int code) {
        return BY_CODE[code];
    }
}
