package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Model-wide counters, counted during the build; stored as {@link Counters} once it is done. */
final class ModelCounters {
    long events;
    long lostEvents;
    long lostRanges;
    /** Loss records whose count cannot be known (the tracer's counter went backwards). */
    long lostCountUnknown;
    long requestsAffectedByLoss;
    /** The time ranges [start, end] in which events were lost (the first thousand). */
    final List<long[]> lossRanges = new ArrayList<>();
    long lateStates;
    long maxLatenessNs;
    final TreeMap<String, Long> unknownEvents = new TreeMap<>();
    /** Where the trace was damaged (file, byte offset, what): the model holds what came before. */
    final List<String> damage = new ArrayList<>();
    /** What the check of the Redis events' layouts found when the trace opened (see Layouts). */
    final List<String> layout = new ArrayList<>();
    /** The highest layout version a server_info said it was written in (0: none said). */
    long writtenLayout;
    /** Events of other providers and the kernel, by name: in the trace, not in the Redis model. */
    final TreeMap<String, Long> otherProviders = new TreeMap<>();
    final TreeMap<String, Long> eventsByName = new TreeMap<>();
    /** Arrows of the Netflow view: causal links between connections (PUBLISH → bus → subscriber). */
    long flows;
    /** Publish messages processed by a traced node whose sending could not be found (not traced, lost, unnamed node). */
    long busMessagesUnpaired;
    /** Messages waiting for one client's write beyond what is remembered per client: drawn without an arrow. */
    long flowsDropped;

    Counters build() {
        return new Counters(events, lostEvents, lostRanges, lostCountUnknown, requestsAffectedByLoss, lossRanges,
                lateStates, maxLatenessNs, unknownEvents, damage, eventsByName, flows, busMessagesUnpaired, flowsDropped, layout, otherProviders);
    }
}
