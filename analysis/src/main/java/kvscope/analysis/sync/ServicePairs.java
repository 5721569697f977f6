package kvscope.analysis.sync;

import kvscope.ctf.ClockFix;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message pairs from the services around Redis, for {@link ClockSync}, beside the cluster bus's ({@link BusPairs}):
 * a service's Redis command sent ({@code nodejs:redis_send}) and the request Redis executed for it, Redis's reply
 * written and the service's {@code nodejs:redis_reply} that completed it, and an HTTP request issued by one service and
 * received by another, the response ended by the server and received by the client. Which call is which request and
 * which client span is which server span is the services linker's answer (analysis.services: RedisLinks, Hops) —
 * made by connection and order, which do not depend on the clocks — so the pairs come from an analysis of the
 * traces, then go into the estimate (analysis.Analysis does both passes).
 *
 * <p>Only causal moments are used: a command's send event precedes its bytes reaching the kernel, and Redis begins
 * the command only once it has all of them; Redis's reply write begins before the service can read it, and the
 * service's reply event comes when it has read it. The times are kept on each host's own clock: an analysis that put
 * them on a (first) time line hands them back through {@link #raw}.
 */
public final class ServicePairs {
    /** Pairs kept per kind and direction between two hosts: a busy service makes millions, the hull needs far fewer. */
    static final int MAX_PER_DIRECTION = 1 << 16;

    /** One kind and direction between two hosts: its pairs, thinned beyond the cap. */
    private record Direction(PairKind kind, String from, String to, PairList pairs) {}

    private final Map<String, Direction> directions = new LinkedHashMap<>();

    public void add(PairKind kind, String from, long send, String to, long receive) {
        if (from.equals(to)) return;
        directions.computeIfAbsent(kind + "\u0000" + from + "\u0000" + to,
                k -> new Direction(kind, from, to, new PairList(MAX_PER_DIRECTION))).pairs().add(send, receive);
    }

    /** Pairs kept. */
    public long size() {
        long n = 0;
        for (var d : directions.values()) n += d.pairs().size();
        return n;
    }

    /** Pairs found but not kept ({@link #MAX_PER_DIRECTION}): counted in clocks.json with the bus's beyond its cap. */
    public long thinned() {
        long n = 0;
        for (var d : directions.values()) n += d.pairs().thinned();
        return n;
    }

    /** Adds every pair kept to the estimate. */
    public void into(ClockSync sync) {
        for (var d : directions.values()) {
            var l = d.pairs();
            for (int i = 0; i < l.size(); i++) sync.pair(d.kind(), d.from(), l.send(i), d.to(), l.receive(i));
        }
    }

    /**
     * The time on the host's own clock that {@code fix} turned into {@code t}: the correction is monotonic and moves
     * by less than a ns per ns, so a few steps of {@code x = t − (fix(x) − x)} land on it (the earliest raw time that
     * corrects to {@code t} when rounding gave two the same: at most 1 ns off).
     */
    public static long raw(ClockFix fix, long t) {
        if (fix.isNone()) return t;
        long x = t - fix.offsetNs();
        for (int i = 0; i < 4; i++) x = t - (fix.apply(x) - x);
        while (fix.apply(x - 1) >= t) x--;
        while (fix.apply(x) < t) x++;
        return x;
    }
}
