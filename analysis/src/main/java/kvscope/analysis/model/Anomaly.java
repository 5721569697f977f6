package kvscope.analysis.model;

import java.util.List;

/**
 * Something the model saw happen that Redis's own invariants forbid (a client queued twice, freed twice, two
 * threads on one connection), with the events that led to it. Stored in the summary; the findings explain them.
 *
 * @param kind queued-twice, freed-twice or threads-overlap
 * @param threads the threads involved (vtid)
 * @param events the connection's last events before and including the anomaly: "time tid event"
 */
public record Anomaly(String kind, String server, int fd, long clientId, long time, List<Integer> threads,
                      List<String> events) {
    public Anomaly {
        threads = threads == null ? List.of() : List.copyOf(threads);
        events = events == null ? List.of() : List.copyOf(events);
    }
}
