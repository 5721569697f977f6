package kvscope.analysis.services;

import kvscope.analysis.segments.RequestPhase;

/**
 * One kind of part of a request's latency (see {@link Attribution}). The ordinal is stored: append only. The Redis
 * phases are those of the model's request segments ({@link kvscope.analysis.segments.Segment}).
 */
public enum PartKind {
    /** A service's own time: in its code, or in its event loop's queue — any time no call of it was in flight. */
    SERVICE("own time"),
    /**
     * Between two services, or between a service and Redis: the wire, the kernel, and the other side getting to the
     * bytes (its event loop busy or its process waiting for a CPU: events are stamped when their callbacks run).
     */
    NETWORK("network"),
    REDIS_QUEUED("Redis queued"),
    REDIS_READING("Redis reading"),
    REDIS_WAITING_TO_EXECUTE("Redis waiting to execute"),
    REDIS_EXECUTING("Redis executing"),
    REDIS_WAITING_TO_WRITE("Redis waiting to write"),
    REDIS_WRITING("Redis writing"),
    /** A Redis call the model has no request for (Redis not traced, or the link failed): the whole call. */
    REDIS_UNSEEN("Redis (not seen inside)"),
    /** A MariaDB command, from sent to answered (MariaDB is not traced: network included). */
    MARIADB("MariaDB"),
    /** An HTTP call to a peer that is not traced (its server span never appears). */
    UNTRACED("not traced"),
    /**
     * A Redis call Redis processed without executing it as a request: queued by MULTI (executed by its EXEC), or
     * refused before execution (MOVED, an unknown command, a wrong arity). Its time inside Redis is not measured.
     */
    REDIS_NOT_EXECUTED("Redis refused or queued");

    private final String label;

    PartKind(String label) { this.label = label; }

    public String label() { return label; }

    /** The part a phase of a Redis request is. */
    public static PartKind of(RequestPhase phase) {
        return switch (phase) {
            case QUEUED -> REDIS_QUEUED;
            case READING -> REDIS_READING;
            case WAITING_TO_EXECUTE -> REDIS_WAITING_TO_EXECUTE;
            case EXECUTING -> REDIS_EXECUTING;
            case WAITING_TO_WRITE -> REDIS_WAITING_TO_WRITE;
            case WRITING -> REDIS_WRITING;
        };
    }

    public boolean isRedis() {
        return (ordinal() >= REDIS_QUEUED.ordinal() && ordinal() <= REDIS_UNSEEN.ordinal()) || this == REDIS_NOT_EXECUTED;
    }

    static final PartKind[] ALL = values();
}
