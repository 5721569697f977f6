package kvscope.ctf.tsdl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for the TSDL subset of CTF 1.8 (§7) that tracers write: type aliases and typedefs,
 * named structs/enums/variants, and the trace, env, clock, stream, event and callsite blocks.
 * Scoping is simplified to one global namespace for type names (LTTng and the kernel tracer never shadow).
 */
public final class TsdlParser {
    private final List<Lexer.Token> toks;
    private int p;
    private final Map<String, Decl> aliases = new HashMap<>();
    private final Map<String, Decl> structs = new HashMap<>();
    private final Map<String, Decl> enums = new HashMap<>();
    private final Map<String, Decl> variants = new HashMap<>();

    private boolean bigEndian;
    private String uuid;
    private Decl.Struct packetHeader;
    private final Map<String, Object> env = new LinkedHashMap<>();
    private final Map<String, Metadata.Clock> clocks = new LinkedHashMap<>();
    private final List<Metadata.StreamClass> streams = new ArrayList<>();
    private final List<Metadata.EventClass> events = new ArrayList<>();

    private TsdlParser(List<Lexer.Token> toks) { this.toks = toks; }

    /** Parses a complete metadata text. */
    public static Metadata parse(String text) throws TsdlException {
        var parser = new TsdlParser(Lexer.tokens(text));
        parser.parseTop();
        return new Metadata(parser.bigEndian, parser.uuid, parser.packetHeader, Map.copyOf(parser.env),
                Map.copyOf(parser.clocks), List.copyOf(parser.streams), List.copyOf(parser.events));
    }

    // ---- token helpers ----

    private Lexer.Token peek() { return toks.get(p); }
    private Lexer.Token peek(int k) { return toks.get(Math.min(p + k, toks.size() - 1)); }
    private Lexer.Token next() { var t = toks.get(p); if (p < toks.size() - 1) p++; return t; }
    private boolean accept(String s) { if (peek().is(s)) { p++; return true; } return false; }

    private void expect(String s) throws TsdlException {
        if (!accept(s)) throw err("expected '" + s + "' but found '" + peek().text() + "'");
    }

    private TsdlException err(String msg) { return new TsdlException(peek().line(), msg); }

    private String ident() throws TsdlException {
        var t = peek();
        if (t.kind() != Lexer.TokenType.IDENT) throw err("expected a name but found '" + t.text() + "'");
        p++;
        return t.text();
    }

    // ---- top level ----

    private void parseTop() throws TsdlException {
        while (peek().kind() != Lexer.TokenType.EOF) {
            if (accept(";")) continue;
            var t = peek();
            switch (t.text()) {
                case "typealias" -> parseTypealias();
                case "typedef" -> parseTypedef();
                case "trace" -> { next(); parseTrace(); }
                case "env" -> { next(); parseEnv(); }
                case "clock" -> { next(); parseClock(); }
                case "stream" -> { next(); parseStream(); }
                case "event" -> { next(); parseEvent(); }
                case "callsite" -> { next(); skipBlock(); }
                case "struct", "enum", "variant", "integer", "floating_point", "string" -> {
                    parseType(); // a named type declaration: registered as a side effect
                    expect(";");
                }
                default -> throw err("unknown top-level declaration '" + t.text() + "'");
            }
        }
    }

    private void skipBlock() throws TsdlException {
        expect("{");
        int depth = 1;
        while (depth > 0) {
            var t = next();
            if (t.kind() == Lexer.TokenType.EOF) throw err("unterminated block");
            if (t.is("{")) depth++;
            else if (t.is("}")) depth--;
        }
        expect(";");
    }

    private void parseTypealias() throws TsdlException {
        expect("typealias");
        var type = parseType();
        expect(":=");
        var name = new StringBuilder(ident());
        while (peek().kind() == Lexer.TokenType.IDENT) name.append(' ').append(ident());
        aliases.put(name.toString(), type);
        expect(";");
    }

    private void parseTypedef() throws TsdlException {
        expect("typedef");
        var type = parseType();
        var name = ident();
        type = parseDims(type);
        aliases.put(name, type);
        expect(";");
    }

    /** Entries {@code key = value;} and {@code key := type;} of a block, with dotted keys. */
    private interface Entry { void accept(String key, Object value, int line) throws TsdlException; }

    private void parseBlock(Entry entry) throws TsdlException {
        expect("{");
        while (!accept("}")) {
            if (accept(";")) continue;
            if (peek().is("typealias")) { parseTypealias(); continue; }
            if (peek().is("typedef")) { parseTypedef(); continue; }
            int line = peek().line();
            var key = new StringBuilder(ident());
            while (accept(".")) key.append('.').append(ident());
            if (accept(":=")) {
                var type = parseType();
                entry.accept(key.toString(), type, line);
            } else {
                expect("=");
                entry.accept(key.toString(), parseValue(), line);
            }
            expect(";");
        }
        accept(";");
    }

    /** A number (Long), a string, or an identifier path such as {@code clock.monotonic.value}. */
    private Object parseValue() throws TsdlException {
        var t = peek();
        if (t.kind() == Lexer.TokenType.STRING) { p++; return t.text(); }
        if (t.is("-") || t.is("+") || t.kind() == Lexer.TokenType.NUMBER) return parseNumber();
        if (t.kind() == Lexer.TokenType.IDENT) {
            var sb = new StringBuilder(ident());
            while (accept(".")) sb.append('.').append(ident());
            return sb.toString();
        }
        throw err("expected a value but found '" + t.text() + "'");
    }

    private long parseNumber() throws TsdlException {
        boolean neg = false;
        if (accept("-")) neg = true; else accept("+");
        var t = next();
        if (t.kind() != Lexer.TokenType.NUMBER) throw new TsdlException(t.line(), "expected a number but found '" + t.text() + "'");
        var s = t.text();
        int end = s.length();
        while (end > 0 && "uUlL".indexOf(s.charAt(end - 1)) >= 0) end--;
        s = s.substring(0, end);
        try {
            long v;
            if (s.startsWith("0x") || s.startsWith("0X")) v = Long.parseUnsignedLong(s.substring(2), 16);
            else if (s.startsWith("0b") || s.startsWith("0B")) v = Long.parseUnsignedLong(s.substring(2), 2);
            else if (s.length() > 1 && s.startsWith("0")) v = Long.parseUnsignedLong(s.substring(1), 8);
            else v = Long.parseUnsignedLong(s);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw new TsdlException(t.line(), "bad number '" + t.text() + "'");
        }
    }

    private static long num(Object v, String key, int line) throws TsdlException {
        if (v instanceof Long l) return l;
        if (v instanceof String s) {
            switch (s) {
                case "true", "TRUE", "True" -> { return 1; }
                case "false", "FALSE", "False" -> { return 0; }
                default -> { }
            }
        }
        throw new TsdlException(line, "'" + key + "' must be a number, not '" + v + "'");
    }

    private static String str(Object v) { return String.valueOf(v); }

    private Decl.Struct structOf(Object v, String key, int line) throws TsdlException {
        if (v instanceof Decl.Struct s) return s;
        throw new TsdlException(line, "'" + key + "' must be a struct type");
    }

    private void parseTrace() throws TsdlException {
        boolean[] orderSeen = {false};
        parseBlock((key, v, line) -> {
            switch (key) {
                case "byte_order" -> {
                    var s = str(v);
                    switch (s) {
                        case "le", "little" -> bigEndian = false;
                        case "be", "big", "network" -> bigEndian = true;
                        default -> throw new TsdlException(line, "trace byte_order must be le or be, not '" + s + "'");
                    }
                    orderSeen[0] = true;
                }
                case "uuid" -> uuid = str(v);
                case "packet.header" -> packetHeader = structOf(v, key, line);
                case "major", "minor" -> num(v, key, line);
                default -> { }
            }
        });
        if (!orderSeen[0]) throw err("the trace block has no byte_order");
    }

    private void parseEnv() throws TsdlException {
        parseBlock((key, v, line) -> env.put(key, v));
    }

    private void parseClock() throws TsdlException {
        var m = new HashMap<String, Object>();
        parseBlock((key, v, line) -> m.put(key, v));
        var name = m.get("name");
        if (name == null) throw err("clock block without a name");
        long freq = m.containsKey("freq") ? num(m.get("freq"), "freq", peek().line()) : 1_000_000_000L;
        if (freq <= 0) throw err("clock '" + name + "' has frequency " + freq);
        long offS = m.containsKey("offset_s") ? num(m.get("offset_s"), "offset_s", peek().line()) : 0;
        long off = m.containsKey("offset") ? num(m.get("offset"), "offset", peek().line()) : 0;
        clocks.put(str(name), new Metadata.Clock(str(name), freq, offS, off, m.containsKey("uuid") ? str(m.get("uuid")) : null));
    }

    private void parseStream() throws TsdlException {
        long[] id = {-1};
        Decl.Struct[] s = new Decl.Struct[3];
        parseBlock((key, v, line) -> {
            switch (key) {
                case "id" -> id[0] = num(v, key, line);
                case "packet.context" -> s[0] = structOf(v, key, line);
                case "event.header" -> s[1] = structOf(v, key, line);
                case "event.context" -> s[2] = structOf(v, key, line);
                default -> { }
            }
        });
        streams.add(new Metadata.StreamClass(id[0], s[0], s[1], s[2]));
    }

    private void parseEvent() throws TsdlException {
        long[] n = {-1, -1, -1};
        String[] name = {null};
        Decl.Struct[] s = new Decl.Struct[2];
        parseBlock((key, v, line) -> {
            switch (key) {
                case "id" -> n[0] = num(v, key, line);
                case "stream_id" -> n[1] = num(v, key, line);
                case "loglevel" -> n[2] = num(v, key, line);
                case "name" -> name[0] = str(v);
                case "context" -> s[0] = structOf(v, key, line);
                case "fields" -> s[1] = structOf(v, key, line);
                default -> { }
            }
        });
        if (name[0] == null) throw err("event block without a name");
        events.add(new Metadata.EventClass(n[0], name[0], n[1], (int) n[2], s[0], s[1]));
    }

    // ---- types ----

    private Decl parseType() throws TsdlException {
        var t = peek();
        switch (t.text()) {
            case "integer" -> { next(); return parseInteger(); }
            case "floating_point" -> { next(); return parseFloat(); }
            case "string" -> {
                next();
                if (peek().is("{")) parseBlock((k, v, l) -> { });
                return new Decl.Str();
            }
            case "enum" -> { next(); return parseEnum(); }
            case "struct" -> { next(); return parseStruct(); }
            case "variant" -> { next(); return parseVariant(); }
            default -> { }
        }
        // A type name, possibly several words ("unsigned long"): take the longest run of identifiers that names an alias.
        if (t.kind() != Lexer.TokenType.IDENT) throw err("expected a type but found '" + t.text() + "'");
        var name = new StringBuilder();
        Decl best = null;
        int bestEnd = -1;
        int k = 0;
        while (peek(k).kind() == Lexer.TokenType.IDENT) {
            if (k > 0) name.append(' ');
            name.append(peek(k).text());
            var d = aliases.get(name.toString());
            if (d != null) { best = d; bestEnd = k; }
            k++;
        }
        if (best == null) throw err("unknown type '" + t.text() + "'");
        p += bestEnd + 1;
        return best;
    }

    private Decl.Int parseInteger() throws TsdlException {
        var m = new HashMap<String, Object>();
        int line = peek().line();
        parseBlock((k, v, l) -> m.put(k, v));
        if (!m.containsKey("size")) throw new TsdlException(line, "integer without a size");
        long size = num(m.get("size"), "size", line);
        if (size < 1 || size > 64) throw new TsdlException(line, "integer size " + size + " is not within 1..64");
        long align = m.containsKey("align") ? num(m.get("align"), "align", line) : (size % 8 == 0 ? 8 : 1);
        checkAlign(align, line);
        boolean signed = m.containsKey("signed") && num(m.get("signed"), "signed", line) != 0;
        var order = order(m.get("byte_order"), line);
        int base = 10;
        if (m.containsKey("base")) {
            var b = m.get("base");
            base = switch (str(b)) {
                case "16", "hex", "x", "X", "p", "hexadecimal" -> 16;
                case "8", "oct", "o", "octal" -> 8;
                case "2", "b", "binary" -> 2;
                case "10", "dec", "d", "i", "u", "decimal" -> 10;
                default -> throw new TsdlException(line, "unknown integer base '" + b + "'");
            };
        }
        boolean text = m.containsKey("encoding") && !str(m.get("encoding")).equalsIgnoreCase("none");
        String clock = null;
        if (m.containsKey("map")) {
            var s = str(m.get("map"));
            if (s.startsWith("clock.") && s.endsWith(".value")) clock = s.substring(6, s.length() - 6);
        }
        return new Decl.Int((int) size, (int) align, signed, order, base, text, clock);
    }

    private static void checkAlign(long align, int line) throws TsdlException {
        if (align < 1 || align > (1 << 16) || (align & (align - 1)) != 0)
            throw new TsdlException(line, "alignment " + align + " is not a power of two");
    }

    private static Decl.Order order(Object v, int line) throws TsdlException {
        if (v == null) return Decl.Order.NATIVE;
        return switch (str(v)) {
            case "native" -> Decl.Order.NATIVE;
            case "le", "little" -> Decl.Order.LE;
            case "be", "big", "network" -> Decl.Order.BE;
            default -> throw new TsdlException(line, "unknown byte_order '" + v + "'");
        };
    }

    private Decl.Float parseFloat() throws TsdlException {
        var m = new HashMap<String, Object>();
        int line = peek().line();
        parseBlock((k, v, l) -> m.put(k, v));
        long exp = m.containsKey("exp_dig") ? num(m.get("exp_dig"), "exp_dig", line) : 0;
        long mant = m.containsKey("mant_dig") ? num(m.get("mant_dig"), "mant_dig", line) : 0;
        if (!((exp == 8 && mant == 24) || (exp == 11 && mant == 53)))
            throw new TsdlException(line, "floating_point with exp_dig " + exp + ", mant_dig " + mant + " (only 32 and 64-bit IEEE 754 exist)");
        long align = m.containsKey("align") ? num(m.get("align"), "align", line) : 8;
        checkAlign(align, line);
        return new Decl.Float((int) exp, (int) mant, (int) align, order(m.get("byte_order"), line));
    }

    private Decl parseEnum() throws TsdlException {
        String name = null;
        if (peek().kind() == Lexer.TokenType.IDENT) name = ident();
        Decl container = null;
        if (accept(":")) container = parseType();
        if (!peek().is("{")) {
            if (name == null) throw err("enum without a body or a name");
            var d = enums.get(name);
            if (d == null) throw err("unknown enum '" + name + "'");
            return d;
        }
        if (container == null) {
            container = aliases.get("int");
            if (container == null) throw err("enum without a container type and no 'int' alias");
        }
        if (!(container instanceof Decl.Int ci)) throw err("enum container must be an integer");
        expect("{");
        var maps = new ArrayList<Decl.Mapping>();
        long nextValue = 0;
        while (!accept("}")) {
            var t = next();
            if (t.kind() != Lexer.TokenType.IDENT && t.kind() != Lexer.TokenType.STRING)
                throw new TsdlException(t.line(), "expected an enum label but found '" + t.text() + "'");
            long lo = nextValue, hi = nextValue;
            if (accept("=")) {
                lo = parseNumber();
                hi = lo;
                if (accept("...")) hi = parseNumber();
            }
            maps.add(new Decl.Mapping(t.text(), lo, hi));
            nextValue = hi + 1;
            if (!accept(",")) { expect("}"); break; }
        }
        var d = new Decl.Enum(ci, List.copyOf(maps));
        if (name != null) enums.put(name, d);
        return d;
    }

    private Decl parseStruct() throws TsdlException {
        String name = null;
        if (peek().kind() == Lexer.TokenType.IDENT) name = ident();
        if (!peek().is("{")) {
            if (name == null) throw err("struct without a body or a name");
            var d = structs.get(name);
            if (d == null) throw err("unknown struct '" + name + "'");
            return d;
        }
        var names = new ArrayList<String>();
        var types = new ArrayList<Decl>();
        parseFields(names, types);
        long align = 1;
        if (accept("align")) {
            expect("(");
            align = parseNumber();
            expect(")");
            checkAlign(align, peek().line());
        }
        var d = new Decl.Struct(List.copyOf(names), List.copyOf(types), (int) align);
        if (name != null) structs.put(name, d);
        return d;
    }

    private Decl parseVariant() throws TsdlException {
        String name = null;
        if (peek().kind() == Lexer.TokenType.IDENT) name = ident();
        String tag = null;
        if (accept("<")) {
            var sb = new StringBuilder(ident());
            while (accept(".")) sb.append('.').append(ident());
            expect(">");
            tag = sb.toString();
        }
        if (!peek().is("{")) {
            if (name == null) throw err("variant without a body or a name");
            var d = (Decl.Variant) variants.get(name);
            if (d == null) throw err("unknown variant '" + name + "'");
            return tag == null ? d : new Decl.Variant(tag, d.names(), d.types());
        }
        var names = new ArrayList<String>();
        var types = new ArrayList<Decl>();
        parseFields(names, types);
        var d = new Decl.Variant(tag, List.copyOf(names), List.copyOf(types));
        if (name != null) variants.put(name, d);
        return d;
    }

    private void parseFields(List<String> names, List<Decl> types) throws TsdlException {
        expect("{");
        while (!accept("}")) {
            if (accept(";")) continue;
            if (peek().is("typealias")) { parseTypealias(); continue; }
            if (peek().is("typedef")) { parseTypedef(); continue; }
            var type = parseType();
            do {
                var fname = ident();
                if (names.contains(fname)) throw err("duplicate field '" + fname + "'");
                names.add(fname);
                types.add(parseDims(type));
            } while (accept(","));
            expect(";");
        }
    }

    /** {@code [n]} makes a static array, {@code [path]} a sequence; {@code a[2][3]} is an array of 2 arrays of 3. */
    private Decl parseDims(Decl type) throws TsdlException {
        var dims = new ArrayList<Object>();
        while (accept("[")) {
            if (peek().kind() == Lexer.TokenType.NUMBER) {
                long n = parseNumber();
                if (n < 0) throw err("negative array length");
                dims.add(n);
            } else {
                var sb = new StringBuilder(ident());
                while (accept(".")) sb.append('.').append(ident());
                dims.add(sb.toString());
            }
            expect("]");
        }
        for (int i = dims.size() - 1; i >= 0; i--) {
            var d = dims.get(i);
            type = d instanceof Long n ? new Decl.Array(type, n) : new Decl.Sequence(type, (String) d);
        }
        return type;
    }
}
