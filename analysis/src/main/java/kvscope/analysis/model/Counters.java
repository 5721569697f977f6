package kvscope.analysis.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Model-wide counters, stored in the summary: what was read, what was lost or not understood.
 *
 * @param lostCountUnknown loss records whose count cannot be known (the tracer's counter went backwards)
 * @param lossRanges the time ranges [start, end] in which events were lost (the first thousand)
 * @param damage where the trace was damaged (file, byte offset, what): the model holds what came before
 * @param flows arrows of the Netflow view: causal links between connections (PUBLISH → bus → subscriber)
 * @param busMessagesUnpaired publish messages processed by a traced node whose sending could not be found (not
 *     traced, lost, unnamed node)
 * @param flowsDropped messages waiting for one client's write beyond what is remembered per client: drawn without an
 *     arrow
 * @param layout what the check of the Redis events' layouts found when the trace opened: the layout version
 *     recognised, fields of another kind, the handlers switched off and what is therefore not modelled
 * @param otherProviders events of other providers and of the kernel, by name: listed, counted, not modelled
 */
public record Counters(long events, long lostEvents, long lostRanges, long lostCountUnknown,
                       long requestsAffectedByLoss, List<long[]> lossRanges, long lateStates, long maxLatenessNs,
                       Map<String, Long> unknownEvents, List<String> damage, Map<String, Long> eventsByName,
                       long flows, long busMessagesUnpaired, long flowsDropped, List<String> layout,
                       Map<String, Long> otherProviders) {
    public Counters {
        lossRanges = lossRanges == null ? List.of() : List.copyOf(lossRanges);
        unknownEvents = sorted(unknownEvents);
        damage = damage == null ? List.of() : List.copyOf(damage);
        eventsByName = sorted(eventsByName);
        layout = layout == null ? List.of() : List.copyOf(layout);
        otherProviders = sorted(otherProviders);
    }

    /** {@link #otherProviders} by provider ({@code lttng_ust_statedump}, {@code kernel} for names without one). */
    public Map<String, Long> otherProvidersByProvider() {
        var out = new TreeMap<String, Long>();
        otherProviders.forEach((name, n) -> {
            int colon = name.indexOf(':');
            out.merge(colon > 0 ? name.substring(0, colon) : "kernel", n, Long::sum);
        });
        return out;
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        return Collections.unmodifiableSortedMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
    }
}
