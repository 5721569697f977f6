package kvscope.analysis.services;

import kvscope.analysis.segments.Segment;
import kvscope.analysis.sync.PairKind;

/**
 * The services' message pairs for the clock synchronisation (kvscope.analysis.sync.ServicePairs), read off the joins
 * {@link RedisLinks} and {@link Hops} made — by connection and order, not by time, so they hold whatever the clocks —
 * as the moments that bound the clocks causally (EVENTS.md and instrument/redis/EVENTS.md):
 * <ul>
 *   <li>a Redis call's {@code redis_send} (before its bytes reach the kernel) → its request's command start (Redis
 *       has all of the command); the request's reply write start (else the command's end) → the call's end (the
 *       {@code redis_reply} that completed its reply);</li>
 *   <li>an HTTP client span's start (the request issued) → its server span's start (the request received); the server
 *       span's end ({@code res.end()}, before its last bytes are written) → the client span's end (the body received).</li>
 * </ul>
 * Left out: calls and spans whose times are suspect — in flight when events were lost, garbled, adopted from a
 * snapshot (begun before the session), not executed, linked to a request of another command or on a connection aligned ambiguously; and the end of a span
 * aborted or unfinished.
 */
final class SyncPairs {
    /** Spans none of whose times is used; an unfinished or aborted span's start still is, its end not. */
    private static final int SUSPECT = Spans.LOST | Spans.GARBLED | Spans.BEFORE | Spans.NOT_EXECUTED;
    private static final int NO_END = Spans.ABORTED | Spans.UNFINISHED;

    private SyncPairs() {}

    static void of(ServicesBuilder b, ServicesBuilder.PairSink sink) {
        var s = b.spans;
        for (int i = 0; i < s.size; i++) {
            if ((s.flags[i] & SUSPECT) != 0) continue;
            switch (s.kind(i)) {
                case REDIS -> redis(b, i, sink);
                case CLIENT -> http(s, i, sink);
                default -> { }
            }
        }
    }

    private static void redis(ServicesBuilder b, int i, ServicesBuilder.PairSink sink) {
        var s = b.spans;
        if (s.link[i] < 0 || b.linked == null || b.linked[i] == null || (s.flags[i] & (Spans.OTHER_COMMAND | Spans.AMBIGUOUS)) != 0) return;
        Segment g = b.linked[i];
        var redis = b.serverTrace.get(g.server());
        if (redis == null) return;
        if (g.commandStart() != Segment.UNKNOWN) sink.pair(PairKind.REDIS, s.trace[i], s.start[i], redis, g.commandStart());
        long written = g.answered();
        if (written != Segment.UNKNOWN && s.end[i] != Spans.UNKNOWN && !s.has(i, NO_END)) sink.pair(PairKind.REDIS, redis, written, s.trace[i], s.end[i]);
    }

    private static void http(Spans s, int c, ServicesBuilder.PairSink sink) {
        if (s.link[c] < 0 || s.has(c, Spans.NO_PEER)) return;
        int sv = (int) s.link[c];
        if ((s.flags[sv] & SUSPECT) != 0) return;
        sink.pair(PairKind.HTTP, s.trace[c], s.start[c], s.trace[sv], s.start[sv]);
        if (s.end[sv] != Spans.UNKNOWN && s.end[c] != Spans.UNKNOWN && ((s.flags[sv] | s.flags[c]) & NO_END) == 0) sink.pair(PairKind.HTTP, s.trace[sv], s.end[sv], s.trace[c], s.end[c]);
    }
}
