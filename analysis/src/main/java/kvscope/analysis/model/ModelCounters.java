package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Model-wide counters: what was read, what was lost or not understood. Serialised in the summary. */
public final class ModelCounters {
    public long events;
    public long lostEvents;
    public long lostRanges;
    /** Loss records whose count cannot be known (the tracer's counter went backwards). */
    public long lostCountUnknown;
    public long requestsAffectedByLoss;
    /** The time ranges [start, end] in which events were lost (the first thousand). */
    public final List<long[]> lossRanges = new ArrayList<>();
    public long lateStates;
    public long maxLatenessNs;
    public final TreeMap<String, Long> unknownEvents = new TreeMap<>();
    /** Where the trace was damaged (file, byte offset, what): the model holds what came before. */
    public final List<String> damage = new ArrayList<>();
    public final TreeMap<String, Long> eventsByName = new TreeMap<>();
    /** Arrows of the Netflow view: causal links between connections (PUBLISH → bus → subscriber). */
    public long flows;
    /** Publish messages processed by a traced node whose sending could not be found (not traced, lost, unnamed node). */
    public long busMessagesUnpaired;
    /** Messages waiting for one client's write beyond what is remembered per client: drawn without an arrow. */
    public long flowsDropped;
}
