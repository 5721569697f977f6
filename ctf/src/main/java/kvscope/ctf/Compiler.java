package kvscope.ctf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kvscope.ctf.tsdl.Decl;
import kvscope.ctf.tsdl.TsdlException;

/**
 * Turns TSDL declarations into decoder {@link Node}s: resolves native byte order, gives every struct member outside
 * arrays and variants a slot, and resolves sequence lengths and variant tags to slots, relative names first (innermost
 * struct outwards) and then absolute paths (CTF 1.8 §7.3.2), with a plain-name search of the other scopes as last resort.
 */
final class Compiler {
    /** A named field of a scope: where its value is found, and its type. */
    record SlotRef(int slot, Node node) {}

    /** The scopes, by their absolute prefix, holding raw dotted paths. */
    static final String[] SCOPES = {"trace.packet.header", "stream.packet.context", "stream.event.header",
            "stream.event.context", "event.context", "event.fields"};

    private final boolean traceBigEndian;
    final Map<String, Map<String, SlotRef>> tables = new HashMap<>();
    private final List<String[]> frames = new ArrayList<>(); // {scope, prefix}
    private int nextSlot;
    private boolean packetSpace;
    private boolean headerScope;
    private String scope;

    Compiler(boolean traceBigEndian) {
        this.traceBigEndian = traceBigEndian;
    }

    /** Starts a new value space (the packet's or an event's) at slot {@code first}. */
    void space(boolean packet, int first) {
        packetSpace = packet;
        nextSlot = first;
    }

    int nextSlot() { return nextSlot; }

    /** Forgets the event-class scopes so the next event class can reuse their slots. */
    void dropEventScopes() {
        tables.remove("event.context");
        tables.remove("event.fields");
    }

    Node compileScope(String scope, Decl.Struct d) throws TsdlException {
        this.scope = scope;
        this.headerScope = scope.equals("stream.event.header");
        tables.put(scope, new LinkedHashMap<>());
        if (d == null) return null;
        return compile(d, "", true);
    }

    Map<String, SlotRef> table(String scope) {
        return tables.getOrDefault(scope, Map.of());
    }

    private boolean bigEndian(Decl.Order o) {
        return o == Decl.Order.NATIVE ? traceBigEndian : o == Decl.Order.BE;
    }

    private Node compile(Decl d, String prefix, boolean slotted) throws TsdlException {
        if (d instanceof Decl.Int i) return integer(i, null);
        if (d instanceof Decl.Enum e) return integer(e.container(), e);
        {
            if (d instanceof Decl.Float f) {
                var n = new Node(Node.FLOAT, f.align());
                n.size = f.exp() + f.mant();
                n.bigEndian = bigEndian(f.order());
                n.minBits = n.size;
                return n;
            }
            if (d instanceof Decl.Str) {
                var n = new Node(Node.STRING, 8);
                n.minBits = 8;
                return n;
            }
            if (d instanceof Decl.Struct s) {
                var n = new Node(Node.STRUCT, s.align());
                int k = s.names().size();
                n.members = new Node[k];
                n.names = s.names().toArray(new String[0]);
                n.shownNames = new String[k];
                n.slots = new int[k];
                frames.add(new String[] {scope, prefix});
                var table = tables.get(scope);
                for (int i = 0; i < k; i++) {
                    n.shownNames[i] = shown(n.names[i]);
                    var child = compile(s.types().get(i), prefix + n.names[i] + ".", slotted);
                    n.members[i] = child;
                    if (headerScope && n.names[i].equals("id") && child.kind == Node.INT) child.eventId = true;
                    child.seal();
                    if (slotted) {
                        int slot = nextSlot++ | (packetSpace ? Node.PACKET_SLOT : 0);
                        n.slots[i] = slot;
                        table.put(prefix + n.names[i], new SlotRef(slot, child));
                    } else {
                        n.slots[i] = -1;
                    }
                    n.minBits += child.minBits;
                }
                frames.remove(frames.size() - 1);
                n.pack();
                return n;
            }
            if (d instanceof Decl.Variant v) {
                var n = new Node(Node.VARIANT, 1);
                int k = v.names().size();
                if (v.tag() == null) throw new TsdlException(0, "variant without a tag");
                var ref = resolve(v.tag());
                if (ref == null) throw new TsdlException(0, "variant tag '" + v.tag() + "' names no field before it");
                if (ref.node().labels == null) throw new TsdlException(0, "variant tag '" + v.tag() + "' is not an enumeration");
                n.tagSlot = ref.slot();
                n.tagNode = ref.node();
                n.members = new Node[k];
                n.names = v.names().toArray(new String[0]);
                n.shownNames = new String[k];
                n.slots = new int[k];
                long min = Long.MAX_VALUE;
                for (int i = 0; i < k; i++) {
                    n.shownNames[i] = shown(n.names[i]);
                    n.members[i] = compile(v.types().get(i), prefix, false);
                    n.slots[i] = -1;
                    min = Math.min(min, n.members[i].minBits);
                }
                n.minBits = k == 0 ? 0 : min;
                var labels = ref.node().labels;
                n.optionOfLabel = new int[labels.length];
                for (int j = 0; j < labels.length; j++) {
                    n.optionOfLabel[j] = -1;
                    for (int i = 0; i < k; i++) {
                        if (n.names[i].equals(labels[j]) || n.shownNames[i].equals(shown(labels[j]))) {
                            n.optionOfLabel[j] = i;
                            break;
                        }
                    }
                }
                long max = -1;
                for (int j = 0; j < labels.length; j++) {
                    if (ref.node().lo[j] >= 0 && ref.node().hi[j] >= 0) max = Math.max(max, ref.node().hi[j]);
                }
                n.scalarOptions = k > 0;
                for (var o : n.members) {
                    if (o.kind != Node.STRUCT) { n.scalarOptions = false; continue; }
                    for (var x : o.members) if (x.kind != Node.INT) n.scalarOptions = false;
                }
                if (max >= 0 && max < 4096) {
                    n.optionByValue = new int[(int) max + 1];
                    for (int val = 0; val <= max; val++) {
                        int li = ref.node().labelIndex(val);
                        n.optionByValue[val] = li < 0 ? -1 : n.optionOfLabel[li];
                    }
                }
                return n;
            }
            if (d instanceof Decl.Array a) {
                var el = compile(a.element(), prefix, false);
                var n = new Node(Node.ARRAY, Math.max(el.align, 1));
                n.element = el;
                n.length = a.length();
                n.text = el.kind == Node.INT && el.size == 8 && el.text;
                n.minBits = saturatingMul(a.length(), el.minBits);
                return n;
            }
            if (d instanceof Decl.Sequence s) {
                var ref = resolve(s.lengthRef());
                if (ref == null) throw new TsdlException(0, "sequence length '" + s.lengthRef() + "' names no field before it");
                if (ref.node().kind != Node.INT) throw new TsdlException(0, "sequence length '" + s.lengthRef() + "' is not an integer");
                var el = compile(s.element(), prefix, false);
                var n = new Node(Node.SEQUENCE, Math.max(el.align, 1));
                n.element = el;
                n.lengthSlot = ref.slot();
                n.text = el.kind == Node.INT && el.size == 8 && el.text;
                n.minBits = 0;
                return n;
            }
            throw new IllegalStateException("unknown declaration " + d);
        }
    }

    private static long saturatingMul(long a, long b) {
        if (a == 0 || b == 0) return 0;
        if (a > Long.MAX_VALUE / b) return Long.MAX_VALUE;
        return a * b;
    }

    private Node integer(Decl.Int i, Decl.Enum e) {
        var n = new Node(Node.INT, i.align());
        n.size = i.size();
        n.signed = i.signed();
        n.bigEndian = bigEndian(i.order());
        n.base = i.base();
        n.text = i.text();
        n.clock = i.clock() != null;
        n.minBits = n.size;
        n.seal();
        if (e != null) {
            int k = e.mappings().size();
            n.labels = new String[k];
            n.lo = new long[k];
            n.hi = new long[k];
            for (int j = 0; j < k; j++) {
                var m = e.mappings().get(j);
                n.labels[j] = m.label();
                n.lo[j] = m.lo();
                n.hi[j] = m.hi();
            }
        }
        return n;
    }

    static String shown(String raw) {
        return raw.startsWith("_") && raw.length() > 1 ? raw.substring(1) : raw;
    }

    /** Resolves a length or tag reference: relative (innermost struct outwards), absolute, then any scope by name. */
    SlotRef resolve(String ref) {
        for (int f = frames.size() - 1; f >= 0; f--) {
            var fr = frames.get(f);
            var t = tables.get(fr[0]);
            if (t == null) continue;
            var r = t.get(fr[1] + ref);
            if (r != null) return r;
        }
        for (var s : SCOPES) {
            if (ref.startsWith(s + ".")) {
                var t = tables.get(s);
                return t == null ? null : t.get(ref.substring(s.length() + 1));
            }
        }
        for (int i = SCOPES.length - 1; i >= 0; i--) {
            var t = tables.get(SCOPES[i]);
            if (t != null && t.get(ref) != null) return t.get(ref);
        }
        return null;
    }
}
