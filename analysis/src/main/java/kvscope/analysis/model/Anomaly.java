package kvscope.analysis.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Something the model saw happen that Redis's own invariants forbid (a client queued twice, freed twice, two
 * threads on one connection), with the events that led to it. Stored in the summary; the findings explain them.
 */
public final class Anomaly {
    public String kind;
    public String server;
    public int fd;
    public long clientId;
    public long time;
    public List<Integer> threads = new ArrayList<>();
    /** The connection's last events before and including the anomaly: "time tid event". */
    public List<String> events = new ArrayList<>();

    public Anomaly() {}
}
