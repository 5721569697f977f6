package kvscope.analysis.model;

/**
 * The light profile's {@code publishes} event: publishes one Redis thread made, up to 32, each as the sequences'
 * element i (instrument/redis/EVENTS.md), replayed through the publish handlers at each one's own time
 * ({@code time_ns}; {@link BatchReplay}).
 *
 * <p>Redis writes a thread's publishes before any other event of that thread, cluster-bus events included, so a
 * PUBLISH's bus messages still come after its publish. A batch whose sequences disagree, or a publish after the
 * batch was written, is not applied and is counted.
 */
final class PublishBatch extends BatchReplay {
    static final String MALFORMED = "redis:publishes (inconsistent fields, not applied)";
    static final String FUTURE = "redis:publishes (publish after its event, not applied)";

    /** The sequences a batch cannot be replayed without (the others have defaults). */
    static final String[] NEEDS = {"fd", "id", "time_ns", "payload_len", "receivers"};

    PublishBatch(Dispatch.Entry publish, ModelCounters counters) {
        super(publish, counters, MALFORMED, FUTURE);
    }

    @Override int elements(Ctx c) {
        var e = c.event;
        var f = c.fields;
        if (!(e.has(f.fd) && e.has(f.id) && e.has(f.timeNs) && e.has(f.payloadLen) && e.has(f.receivers))) return -1;
        int n = e.length(f.fd);
        if (e.length(f.id) != n || e.length(f.timeNs) != n || e.length(f.payloadLen) != n
                || e.length(f.receivers) != n || (e.has(f.sharded) && e.length(f.sharded) != n)) return -1;
        return n;
    }

    @Override boolean element(Ctx c, int i, long t) {
        long at = c.server.fromRaw(c.event.getLong(c.fields.timeNs, i));
        if (at > t) return false;
        c.time = at;
        return true;
    }
}
