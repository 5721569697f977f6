package kvscope.ctf;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * An event name ({@code provider:event}) across every trace of the set: compare with {@code ==} against
 * {@link Event#type()}. Resolve fields once with {@link #field(String)} and read them per event through the handle.
 * An event type the traces never declare still exists as an object ({@link #exists()} is false) and matches no event.
 */
public final class EventType {
    private final String name;
    final List<TraceData.EventClass> classes = new ArrayList<>();
    private final Trace owner;

    /** The type of lost-event records ({@link Event#isLost()}); it has no fields. */
    public static final EventType LOST = new EventType("(lost events)", null, -1);

    private final int index;

    EventType(String name, Trace owner, int index) {
        this.name = name;
        this.owner = owner;
        this.index = index;
    }

    /**
     * A dense number, 0 to {@code trace.eventTypes().size() - 1}, for array-indexed dispatch tables
     * ({@code handlers[e.type().index()]}); -1 for {@link #LOST} and for types no trace declares.
     */
    public int index() { return index; }

    public String name() { return name; }

    /** True when at least one trace declares this event. */
    public boolean exists() { return !classes.isEmpty(); }

    /** The log level LTTng declared ({@code loglevel}), or -1. */
    public int logLevel() { return classes.isEmpty() ? -1 : classes.get(0).logLevel; }

    /**
     * A handle on a payload or context field of this event, by name as babeltrace2 shows it (leading underscore
     * removed; nested struct members as {@code outer.inner}). Payload fields win over context fields of the same name.
     * A field this event lacks gives a handle whose {@link Field#exists()} is false.
     */
    public Field field(String fieldName) {
        if (owner == null) return new Field(fieldName, new int[] {-1}, new Node[1]);
        return owner.field(fieldName, classes);
    }

    /**
     * What the field holds in this event type: {@link FieldKind#ABSENT} when any class of the type (one per trace)
     * lacks it, {@link FieldKind#OTHER} when the classes disagree.
     */
    public FieldKind kind(String fieldName) {
        FieldKind k = null;
        for (var c : classes) {
            var r = c.fields.get(fieldName);
            if (r == null) return FieldKind.ABSENT;
            var ck = FieldKind.of(r.node());
            if (k != null && k != ck) return FieldKind.OTHER;
            k = ck;
        }
        return k == null ? FieldKind.ABSENT : k;
    }

    /** Names of the payload fields, in declaration order (of the first trace declaring the event). */
    public List<String> fieldNames() {
        return classes.isEmpty() || classes.get(0).payload == null ? List.of() : List.of(classes.get(0).payload.shownNames);
    }

    /** Names of every field a handle can be made for (context and payload, nested paths included). */
    public List<String> allFieldNames() {
        var s = new TreeSet<String>();
        for (var c : classes) s.addAll(c.fields.keySet());
        return List.copyOf(s);
    }

    @Override public String toString() { return name; }
}
