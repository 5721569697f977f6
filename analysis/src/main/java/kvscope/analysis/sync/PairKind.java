package kvscope.analysis.sync;

/**
 * What a message pair is made of: a cluster-bus message ({@link BusPairs}), a service's Redis call and the request
 * Redis read for it, or an HTTP exchange between two services ({@link ServicePairs}). Each says, for the report, which
 * of the hosts' conversations put a clock where it is.
 */
public enum PairKind {
    BUS("bus"),
    REDIS("redis calls"),
    HTTP("http");

    private final String label;

    PairKind(String label) { this.label = label; }

    /** How the report names them ("bus 1,204, redis calls 3,410, http 220"). */
    public String label() { return label; }
}
