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
     * Per class decoded by an {@link EventPlan}: where the field is among the event body's cells (the same in every
     * event of the class; plans do not fill in slot positions), -1 elsewhere.
     */
    final int[] bodyCellByClass;
    /**
     * {@link Event#getLong(Field)}'s fast paths, one array load each: the body cell where the field is an integer of
     * a planned class, or the slot where it is an integer of another class; -1 elsewhere.
     */
    final int[] intBodyCellByClass, intSlotByClass;
    private final boolean exists;

    /** Arrays have one more entry than there are event classes: the last stands for lost-event records (absent). */
    Field(String name, int[] slotByClass, Node[] nodeByClass) {
        this(name, slotByClass, nodeByClass, null);
    }

    /** {@code bodyCellByClass} may be null (no class has a plan). */
    Field(String name, int[] slotByClass, Node[] nodeByClass, int[] bodyCellByClass) {
        this.name = name;
        this.slotByClass = slotByClass;
        this.nodeByClass = nodeByClass;
        int n = slotByClass.length;
        this.bodyCellByClass = new int[n];
        this.intBodyCellByClass = new int[n];
        this.intSlotByClass = new int[n];
        for (int i = 0; i < n; i++) {
            boolean present = slotByClass[i] >= 0;
            int cell = present && bodyCellByClass != null ? bodyCellByClass[i] : -1;
            boolean isInt = present && nodeByClass[i].kind == Node.INT;
            this.bodyCellByClass[i] = cell;
            this.intBodyCellByClass[i] = isInt && cell >= 0 ? cell : -1;
            this.intSlotByClass[i] = isInt && cell < 0 ? slotByClass[i] : -1;
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
