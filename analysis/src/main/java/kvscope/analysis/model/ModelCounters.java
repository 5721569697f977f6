package kvscope.analysis.model;

import java.util.TreeMap;

/** Model-wide counters: what was read, what was lost or not understood. Serialised in the summary. */
public final class ModelCounters {
    public long events;
    public long lostEvents;
    public long lostRanges;
    public long requestsAffectedByLoss;
    public long lateStates;
    public long maxLatenessNs;
    public final TreeMap<String, Long> unknownEvents = new TreeMap<>();
    public final TreeMap<String, Long> eventsByName = new TreeMap<>();
}
