package kvscope.ctf.write;

import java.util.List;

/** The type of a field written by {@link CtfWriter}: the CTF 1.8 types LTTng uses. */
public sealed interface FieldType {

    /** An integer of 1 to 64 bits; {@code align} in bits (1 packs it right after the previous field). */
    record Int(int bits, boolean signed, int align, boolean bigEndian, boolean hex) implements FieldType {
        public Int {
            if (bits < 1 || bits > 64) throw new IllegalArgumentException("integer size " + bits);
            if (align < 1 || (align & (align - 1)) != 0) throw new IllegalArgumentException("alignment " + align);
        }
    }

    record Float(boolean dbl) implements FieldType {}

    record Str() implements FieldType {}

    /** An enumeration over an integer container, mapping labels to inclusive ranges. */
    record Enum(Int container, List<Mapping> mappings) implements FieldType {}

    record Mapping(String label, long lo, long hi) {}

    /** A static array; an 8-bit {@code text} element makes a text array (read as a string). */
    record Array(FieldType element, int length) implements FieldType {}

    /** A sequence: the writer adds its length field ({@code _<name>_length}, uint32) right before it, like LTTng. */
    record Sequence(FieldType element) implements FieldType {}

    /** 8-bit character elements of text arrays and sequences ({@code encoding = UTF8}). */
    record Text() implements FieldType {}

    // Natural alignment (in bits), as LTTng-UST declares C integers on x86-64.
    static Int u8() { return new Int(8, false, 8, false, false); }
    static Int u16() { return new Int(16, false, 16, false, false); }
    static Int u32() { return new Int(32, false, 32, false, false); }
    static Int u64() { return new Int(64, false, 64, false, false); }
    static Int s8() { return new Int(8, true, 8, false, false); }
    static Int s16() { return new Int(16, true, 16, false, false); }
    static Int s32() { return new Int(32, true, 32, false, false); }
    static Int s64() { return new Int(64, true, 64, false, false); }
    static Float f32() { return new Float(false); }
    static Float f64() { return new Float(true); }
    static Str string() { return new Str(); }
    static Array textArray(int length) { return new Array(new Text(), length); }
    static Sequence textSequence() { return new Sequence(new Text()); }
}
