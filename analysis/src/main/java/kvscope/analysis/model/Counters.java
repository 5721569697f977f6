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
 */
public record Counters(long events, long lostEvents, long lostRanges, long lostCountUnknown,
                       long requestsAffectedByLoss, List<long[]> lossRanges, long lateStates, long maxLatenessNs,
                       Map<String, Long> unknownEvents, List<String> damage, Map<String, Long> eventsByName,
                       long flows, long busMessagesUnpaired, long flowsDropped) {
    public Counters {
        lossRanges = lossRanges == null ? List.of() : List.copyOf(lossRanges);
        unknownEvents = sorted(unknownEvents);
        damage = damage == null ? List.of() : List.copyOf(damage);
        eventsByName = sorted(eventsByName);
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        return Collections.unmodifiableSortedMap(m == null ? new TreeMap<>() : new TreeMap<>(m));
    }
}
