package kvscope.statesystem;

/** The type of a state value. Stored in one byte per interval; the ordinal is part of the file format. */
public enum Kind {
    NULL, INT, LONG, DOUBLE, STRING;

    private static final Kind[] BY_CODE = values();

    static Kind of(int code) {
        return BY_CODE[code];
    }
}
