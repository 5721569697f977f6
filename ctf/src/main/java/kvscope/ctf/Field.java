package kvscope.ctf;

import java.util.Arrays;

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
    /**
     * Per planned class, for an integer read straight from the packet while the event's body is not decoded (see
     * {@link EventPlan#skip}): its segment (-1 elsewhere) and, at {@code 8 * class + phase}, its op word.
     */
    final int[] lazySegByClass;
    final long[] lazyOps;
    /**
     * The same for {@link Event#getLong}'s fast path, in one array with 9 words per class: the first holds the
     * body cell (high 32 bits) and the segment (low 16 bits) of an integer of a planned class, or is -1; the next 8,
     * one per phase, are its {@link EventPlan#quick} words.
     */
    final long[] intOps;
    /**
     * The body cell of a string or text array of a planned class, or -1. A string's cells are filled in even for
     * undecoded bodies; a text array of an undecoded body is found from its segment ({@link #textSegByClass}, -1 for
     * strings) and op word ({@code textOps[8 * class + phase]}) and read up to its first NUL within its length.
     */
    final int[] textCellByClass, textSegByClass, textLenByClass;
    final long[] textOps;
    private final boolean exists;

    /** Arrays have one more entry than there are event classes: the last stands for lost-event records (absent). */
    Field(String name, int[] slotByClass, Node[] nodeByClass) {
        this(name, slotByClass, nodeByClass, null);
    }

    /**
     * {@code plans} gives the plan of each class (null entries for classes without one); it may itself be null.
     */
    Field(String name, int[] slotByClass, Node[] nodeByClass, EventPlan[] plans) {
        this.name = name;
        int[] bodyCellByClass = null;
        int classes = slotByClass.length;
        this.lazySegByClass = new int[classes];
        this.lazyOps = new long[8 * classes];
        this.intOps = new long[9 * classes];
        Arrays.fill(intOps, -1);
        this.textCellByClass = new int[classes];
        this.textSegByClass = new int[classes];
        this.textLenByClass = new int[classes];
        this.textOps = new long[8 * classes];
        Arrays.fill(lazySegByClass, -1);
        Arrays.fill(textCellByClass, -1);
        Arrays.fill(textSegByClass, -1);
        if (plans != null) {
            bodyCellByClass = new int[classes];
            for (int i = 0; i < classes; i++) {
                var plan = plans[i];
                int sl = slotByClass[i];
                bodyCellByClass[i] = plan == null || sl < 0 ? -1 : plan.cellOfSlot(sl);
                if (bodyCellByClass[i] < 0) continue;
                var n = nodeByClass[i];
                if (n.kind == Node.INT) {
                    lazySegByClass[i] = plan.segmentOfSlot(sl);
                    System.arraycopy(plan.opsOfSlot(sl), 0, lazyOps, 8 * i, 8);
                    intOps[9 * i] = (long) bodyCellByClass[i] << 32 | lazySegByClass[i];
                    for (int ph = 0; ph < 8; ph++) intOps[9 * i + 1 + ph] = EventPlan.quick(lazyOps[8 * i + ph]);
                } else if (n.kind == Node.STRING || n.text) {
                    textCellByClass[i] = bodyCellByClass[i];
                    if (n.kind == Node.ARRAY) {
                        textSegByClass[i] = plan.segmentOfSlot(sl);
                        textLenByClass[i] = plan.textLengthOfSlot(sl);
                        System.arraycopy(plan.opsOfSlot(sl), 0, textOps, 8 * i, 8);
                    }
                }
            }
        }
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
