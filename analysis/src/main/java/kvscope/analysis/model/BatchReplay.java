package kvscope.analysis.model;

/**
 * A light-profile batch event ({@code commands}, {@code publishes}: instrument/redis/EVENTS.md): up to 32 single
 * events of one Redis thread, each as element i of the event's sequences. Each element is handed to the handlers of
 * the single event it stands for, as if it had been its own event at its own time, so a batched trace builds the same
 * model as one with an event per command or publish. The handlers read element {@code c.item} through Ctx's
 * accessors.
 *
 * <p>A batch whose sequences disagree is not applied; an element that would lie after the batch was written is
 * skipped; both are counted under the subclass's names.
 */
abstract class BatchReplay implements Handler {
    private final Dispatch.Entry single;
    private final ModelCounters counters;
    private final String malformed, future;

    /**
     * @param single the handlers of the event each element stands for
     * @param malformed, future how a batch not applied and an element skipped are counted (unknownEvents)
     */
    BatchReplay(Dispatch.Entry single, ModelCounters counters, String malformed, String future) {
        this.single = single;
        this.counters = counters;
        this.malformed = malformed;
        this.future = future;
    }

    @Override public final void on(Ctx c) {
        int n;
        try {
            n = elements(c);
        } catch (IllegalArgumentException notSequences) { // another layout under the same name
            n = -1;
        }
        if (n < 0) {
            counters.unknownEvents.merge(malformed, 1L, Long::sum);
            return;
        }
        long t = c.time;
        try {
            for (int i = 0; i < n; i++) {
                if (!element(c, i, t)) {
                    counters.unknownEvents.merge(future, 1L, Long::sum);
                    continue;
                }
                c.item = i;
                single.run(c);
            }
        } finally {
            c.item = -1;
            c.time = t;
        }
    }

    /** How many elements the batch holds, or -1 if its fields are missing or its sequences disagree. */
    abstract int elements(Ctx c);

    /**
     * Prepares element i: sets {@code c.time} to its own time (and what else the accessors read of it). False if it
     * would lie after the batch's own time {@code t}: it is skipped.
     */
    abstract boolean element(Ctx c, int i, long t);
}
