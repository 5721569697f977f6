package kvscope.ctf.write;

import java.util.List;

/** Generates the TSDL text of a {@link CtfWriter} trace, modelled on what LTTng-UST 2.13 writes. */
final class MetadataText {
    private MetadataText() {}

    static String text(CtfWriter w, String uuid) {
        var sb = new StringBuilder(4096);
        sb.append("/* CTF 1.8 */\n\n");
        for (int bits : new int[] {8, 16, 32, 64}) {
            sb.append("typealias integer { size = ").append(bits).append("; align = 8; signed = false; } := uint")
                    .append(bits).append("_t;\n");
        }
        sb.append("typealias integer { size = 5; align = 1; signed = false; } := uint5_t;\n");
        sb.append("typealias integer { size = 27; align = 1; signed = false; map = clock.monotonic.value; } := uint27_clock_monotonic_t;\n");
        sb.append("typealias integer { size = 64; align = 8; signed = false; map = clock.monotonic.value; } := uint64_clock_monotonic_t;\n\n");
        sb.append("trace {\n\tmajor = 1;\n\tminor = 8;\n\tuuid = \"").append(uuid).append("\";\n\tbyte_order = ")
                .append(w.bigEndian ? "be" : "le").append(";\n");
        sb.append("\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint8_t  uuid[16];\n\t\tuint32_t stream_id;\n\t\tuint64_t stream_instance_id;\n\t} align(8);\n};\n\n");
        sb.append("env {\n");
        for (var e : w.env.entrySet()) {
            sb.append('\t').append(e.getKey()).append(" = ");
            if (e.getValue() instanceof String s) quote(sb, s); else sb.append(e.getValue());
            sb.append(";\n");
        }
        sb.append("};\n\n");
        sb.append("clock {\n\tname = \"monotonic\";\n\tuuid = \"").append(uuid).append("\";\n\tdescription = \"Monotonic Clock\";\n")
                .append("\tfreq = 1000000000; /* Frequency, in Hz */\n\tprecision = 0;\n\toffset_s = ").append(w.offsetSeconds)
                .append(";\n\toffset = ").append(w.offsetExtraNs).append(";\n\tabsolute = TRUE;\n};\n\n");
        sb.append("struct event_header_compact {\n\tenum : uint5_t { compact = 0 ... 30, extended = 31 } id;\n\tvariant <id> {\n")
                .append("\t\tstruct {\n\t\t\tuint27_clock_monotonic_t timestamp;\n\t\t} compact;\n")
                .append("\t\tstruct {\n\t\t\tuint32_t id;\n\t\t\tuint64_clock_monotonic_t timestamp;\n\t\t} extended;\n\t} v;\n} align(8);\n\n");
        sb.append("struct packet_context {\n\tuint64_clock_monotonic_t timestamp_begin;\n\tuint64_clock_monotonic_t timestamp_end;\n")
                .append("\tuint64_t content_size;\n\tuint64_t packet_size;\n\tuint64_t packet_seq_num;\n\tuint64_t events_discarded;\n")
                .append("\tuint32_t cpu_id;\n} align(8);\n\n");
        sb.append("stream {\n\tid = 0;\n\tevent.header := struct event_header_compact;\n\tpacket.context := struct packet_context;\n");
        if (!w.context.isEmpty()) {
            sb.append("\tevent.context := struct {\n");
            fields(sb, w.context, "\t\t");
            sb.append("\t};\n");
        }
        sb.append("};\n\n");
        for (var e : w.events) {
            sb.append("event {\n\tname = ");
            quote(sb, e.name());
            sb.append(";\n\tid = ").append(e.id()).append(";\n\tstream_id = 0;\n\tloglevel = 13;\n\tfields := struct {\n");
            fields(sb, e.fields(), "\t\t");
            sb.append("\t};\n};\n\n");
        }
        return sb.toString();
    }

    private static void fields(StringBuilder sb, List<FieldSpec> fields, String indent) {
        for (var f : fields) {
            var t = f.type();
            var dims = new StringBuilder();
            if (t instanceof FieldType.Sequence s) {
                sb.append(indent).append("uint32_t __").append(f.name()).append("_length;\n");
                dims.append("[__").append(f.name()).append("_length]");
                t = s.element();
            }
            while (t instanceof FieldType.Array a) {
                dims.append('[').append(a.length()).append(']');
                t = a.element();
            }
            if (t instanceof FieldType.Sequence) throw new IllegalArgumentException("field " + f.name() + ": sequences cannot be nested");
            sb.append(indent).append(type(t)).append(" _").append(f.name()).append(dims).append(";\n");
        }
    }

    static String type(FieldType t) {
        if (t instanceof FieldType.Int i) {
            return "integer { size = " + i.bits() + "; align = " + i.align() + "; signed = " + (i.signed() ? 1 : 0)
                    + "; encoding = none; base = " + (i.hex() ? 16 : 10) + ";" + (i.bigEndian() ? " byte_order = be;" : "") + " }";
        }
        if (t instanceof FieldType.Float f) {
            return f.dbl() ? "floating_point { exp_dig = 11; mant_dig = 53; align = 64; }"
                    : "floating_point { exp_dig = 8; mant_dig = 24; align = 32; }";
        }
        if (t instanceof FieldType.Str) return "string";
        if (t instanceof FieldType.Text) return "integer { size = 8; align = 8; signed = 1; encoding = UTF8; base = 10; }";
        if (t instanceof FieldType.Enum e) {
            var sb = new StringBuilder("enum : ").append(type(e.container())).append(" { ");
            for (int k = 0; k < e.mappings().size(); k++) {
                var m = e.mappings().get(k);
                if (k > 0) sb.append(", ");
                quote(sb, m.label());
                sb.append(" = ").append(m.lo());
                if (m.hi() != m.lo()) sb.append(" ... ").append(m.hi());
            }
            return sb.append(" }").toString();
        }
        throw new IllegalArgumentException("type " + t + " has no TSDL name here");
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        sb.append('"');
    }
}
