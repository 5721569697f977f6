package kvscope.ctf.write;

/** A named field of an event's payload or of the per-event context. */
public record FieldSpec(String name, FieldType type) {
    public static FieldSpec of(String name, FieldType type) { return new FieldSpec(name, type); }
}
