package kvscope.ctf.tsdl;

import java.util.List;

/**
 * A TSDL type declaration (CTF 1.8 §4), as written in the metadata, before it is compiled into a decoder.
 * Byte order {@link Order#NATIVE} is resolved against the trace's {@code byte_order} when compiling, because
 * LTTng declares its integer aliases before the {@code trace} block that says what "native" means.
 */
public sealed interface Decl {

    /** Alignment in bits of this type's first bit. */
    int align();

    enum Order { NATIVE, LE, BE }

    record Int(int size, int align, boolean signed, Order order, int base, boolean text, String clock) implements Decl {}

    record Float(int exp, int mant, int align, Order order) implements Decl {}

    record Str() implements Decl {
        @Override public int align() { return 8; }
    }

    /** One {@code label = lo ... hi} mapping; {@code lo}/{@code hi} compare unsigned when the container is. */
    record Mapping(String label, long lo, long hi) {}

    record Enum(Int container, List<Mapping> mappings) implements Decl {
        @Override public int align() { return container.align(); }
    }

    record Struct(List<String> names, List<Decl> types, int minAlign) implements Decl {
        @Override public int align() {
            int a = Math.max(1, minAlign);
            for (var t : types) a = Math.max(a, t.align());
            return a;
        }
    }

    /** {@code tag} is the path of the enumeration that selects the option, as written ({@code id}, {@code event.header.id}). */
    record Variant(String tag, List<String> names, List<Decl> types) implements Decl {
        @Override public int align() { return 1; } // a variant is aligned on the option chosen (CTF 1.8 §4.2.2)
    }

    record Array(Decl element, long length) implements Decl {
        @Override public int align() { return element.align(); }
    }

    /** {@code lengthRef} is the path of the integer holding the element count. */
    record Sequence(Decl element, String lengthRef) implements Decl {
        @Override public int align() { return element.align(); }
    }
}
