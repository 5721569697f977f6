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
    /** How to read the field per class: {@link #PLAIN} (an integer cell) or {@link #OTHER}; -1 where absent. */
    final byte[] accessByClass;
    static final byte PLAIN = 0, OTHER = 1;
    private final boolean exists;

    /** Arrays have one more entry than there are event classes: the last stands for lost-event records (absent). */
    Field(String name, int[] slotByClass, Node[] nodeByClass) {
        this.name = name;
        this.slotByClass = slotByClass;
        this.nodeByClass = nodeByClass;
        this.accessByClass = new byte[slotByClass.length];
        for (int i = 0; i < slotByClass.length; i++) {
            var n = nodeByClass[i];
            accessByClass[i] = slotByClass[i] < 0 ? -1 : n.kind == Node.INT ? PLAIN : OTHER;
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
