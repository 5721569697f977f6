package kvscope.ctf;

/**
 * A field handle, resolved once by name (from {@link EventType#field} or {@link Trace#field}) and then used with
 * {@link Event#getLong(Field)} and friends: a slot index per event class, so a read is two array loads.
 */
public final class Field {
    private final String name;
    /** Slot per global event class index; -1 where the class lacks the field. */
    final int[] slotByClass;
    final Node[] nodeByClass;
    /**
     * The slot per class where the field is a plain integer cell, -1 elsewhere (absent, or read another way): one
     * array load decides {@link Event#getLong(Field)}'s fast path.
     */
    final int[] plainSlotByClass;
    private final boolean exists;

    /** Arrays have one more entry than there are event classes: the last stands for lost-event records (absent). */
    Field(String name, int[] slotByClass, Node[] nodeByClass) {
        this.name = name;
        this.slotByClass = slotByClass;
        this.nodeByClass = nodeByClass;
        this.plainSlotByClass = new int[slotByClass.length];
        for (int i = 0; i < slotByClass.length; i++) {
            var n = nodeByClass[i];
            plainSlotByClass[i] = slotByClass[i] >= 0 && n.kind == Node.INT ? slotByClass[i] : -1;
        }
        boolean any = false;
        for (int s : slotByClass) any |= s >= 0;
        this.exists = any;
    }

    public String name() { return name; }

    /** False when no event class of the handle has this field: every {@link Event#has} answers false. */
    public boolean exists() { return exists; }

    @Override public String toString() { return name; }
}
