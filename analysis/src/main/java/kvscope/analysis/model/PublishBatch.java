package kvscope.analysis.model;

/**
 * The light profile's {@code publishes} event: publishes one Redis thread made, up to 32, each as the sequences'
 * element i (instrument/redis/EVENTS.md). Each is handed to the publish handlers as if it had been its own event, at
 * its own time ({@code time_ns}), so a batched trace builds the same model as one with an event per publish.
 *
 * <p>Redis writes a thread's publishes before any other event of that thread, cluster-bus events included, so a
 * PUBLISH's bus messages still come after its publish. A batch whose sequences disagree, or a publish after the
 * batch was written, is not applied and is counted.
 */
final class PublishBatch implements Handler {
    static final String MALFORMED = "redis:publishes (inconsistent fields, not applied)";
    static final String FUTURE = "redis:publishes (publish after its event, not applied)";

    private final Dispatch.Entry publish;
    private final ModelCounters counters;

    PublishBatch(Dispatch.Entry publish, ModelCounters counters) {
        this.publish = publish;
        this.counters = counters;
    }

    @Override public void on(Ctx c) {
        var e = c.event;
        var f = c.fields;
        int n;
        try {
            n = e.has(f.fd) && e.has(f.id) && e.has(f.timeNs) && e.has(f.payloadLen) && e.has(f.receivers)
                    ? e.length(f.fd) : -1;
            if (n >= 0 && (e.length(f.id) != n || e.length(f.timeNs) != n || e.length(f.payloadLen) != n
                    || e.length(f.receivers) != n || (e.has(f.sharded) && e.length(f.sharded) != n))) n = -1;
        } catch (IllegalArgumentException notSequences) { // another layout under the same name
            n = -1;
        }
        if (n < 0) {
            counters.unknownEvents.merge(MALFORMED, 1L, Long::sum);
            return;
        }
        long t = c.time;
        try {
            for (int i = 0; i < n; i++) {
                long at = c.server.fromRaw(e.getLong(f.timeNs, i));
                if (at > t) {
                    counters.unknownEvents.merge(FUTURE, 1L, Long::sum);
                    continue;
                }
                c.item = i;
                c.time = at;
                publish.run(c);
            }
        } finally {
            c.item = -1;
            c.time = t;
        }
    }
}
