package kvscope.ctf;

/**
 * A compiled TSDL type: what the decoder walks. Kinds are ints so the struct loop can switch instead of making
 * megamorphic virtual calls; byte order is resolved (no "native" left) and references are resolved to slots.
 */
final class Node {
    static final int INT = 0, FLOAT = 1, STRING = 2, STRUCT = 3, VARIANT = 4, ARRAY = 5, SEQUENCE = 6;

    final int kind;
    final int align;
    // integers and floats
    int size;
    boolean signed, bigEndian;
    int base = 10;
    /** Integers mapped to a clock update the stream's clock (CTF 1.8 §8). */
    boolean clock;
    /** A member named {@code id} of the event header: it selects the event class. */
    boolean eventId;
    /** {@code clock || eventId}: one test in the hot loop. Set by {@link #seal()}. */
    boolean special;
    /** Shift that sign-extends a value of this size when signed, 0 when unsigned: no branch in the hot loop. */
    int signShift;

    /** How the struct loop handles this node: plain scalar, scalar with post-processing, text, or anything else. */
    static final int CAT_SCALAR = 0, CAT_SCALAR_POST = 1, CAT_TEXT = 2, CAT_OTHER = 3;
    int cat = CAT_OTHER;

    /**
     * Struct: per member, its alignment (log2, bits 0-4), size (bits 5-11), category (bits 12-13), big-endian
     * (bit 14) and sign shift (bits 15-20) packed in one int, so the hot loop reads one array element per member
     * instead of five fields of another object.
     */
    int[] packed;

    void pack() {
        packed = new int[members.length];
        for (int i = 0; i < members.length; i++) {
            var c = members[i];
            int lg = Integer.numberOfTrailingZeros(Math.max(1, c.align));
            packed[i] = lg | (c.size & 127) << 5 | c.cat << 12 | (c.bigEndian ? 1 << 14 : 0) | (c.signShift & 63) << 15;
        }
    }

    /** Computes the derived fields once the node is complete. */
    Node seal() {
        special = clock || eventId;
        if (kind == INT) cat = special ? CAT_SCALAR_POST : CAT_SCALAR;
        else if (kind == FLOAT) cat = CAT_SCALAR_POST;
        else if (kind == STRING || (kind == ARRAY && text)) cat = CAT_TEXT;
        else cat = CAT_OTHER;
        signShift = signed && size < 64 ? 64 - size : 0;
        return this;
    }
    /** Enumeration labels when this integer is an enum: parallel arrays, searched linearly (they are short). */
    String[] labels;
    long[] lo, hi;
    // structs and variants
    Node[] members;
    String[] names;        // raw names as in the metadata
    String[] shownNames;   // with one leading underscore removed (CTF 1.8 §7.3.1), as babeltrace2 shows them
    int[] slots;           // slot per member, -1 when none
    /** Variant: slot holding the tag (PACKET_SLOT bit set when it lives in the packet's values); option per label. */
    int tagSlot;
    Node tagNode;
    int[] optionOfLabel;
    /** Variant: option per tag value for small non-negative tag values (-1: none), so no label search per event. */
    int[] optionByValue;
    /** Variant: every option is a struct of integers only (LTTng's event headers), decoded inline. */
    boolean scalarOptions;
    // arrays and sequences
    Node element;
    long length;
    int lengthSlot;
    /** An array or sequence of 8-bit text integers: decoded and shown as a string. */
    boolean text;
    /** Smallest number of bits one element can take; guards absurd lengths before they allocate. */
    long minBits;

    static final int PACKET_SLOT = 1 << 30;

    Node(int kind, int align) {
        this.kind = kind;
        this.align = align;
    }

    /** The label mapped to an enumeration value, or null. */
    String label(long value) {
        if (labels == null) return null;
        for (int i = 0; i < labels.length; i++) {
            if (signed ? (value >= lo[i] && value <= hi[i])
                    : (Long.compareUnsigned(value, lo[i]) >= 0 && Long.compareUnsigned(value, hi[i]) <= 0)) return labels[i];
        }
        return null;
    }

    int labelIndex(long value) {
        if (labels == null) return -1;
        for (int i = 0; i < labels.length; i++) {
            if (signed ? (value >= lo[i] && value <= hi[i])
                    : (Long.compareUnsigned(value, lo[i]) >= 0 && Long.compareUnsigned(value, hi[i]) <= 0)) return i;
        }
        return -1;
    }

    /** Number of value cells one decoded instance of a scalar takes (strings: offset and length). */
    int cells() { return kind == STRING || text ? 2 : 1; }
}
