package kvscope.statesystem.bench;

/**
 * The benchmark's synthetic Redis-like model: {@code servers × fds × 4} leaf attributes
 * ({@code server-s/Connections/fd/{Status,Memory,DataStructure,Type}}), one state change per step on a random leaf,
 * always to a different value, at ~10 M changes/s of trace time (so each attribute changes every ~1 ms: realistic
 * durations for 10 000 attributes). Deterministic: the SHT and SQLite runs see the same changes.
 */
final class Workload {
    static final String[] STATUS = {"READ_CLIENT", "PROCESS_COMMAND:GET", "PROCESS_COMMAND:SET", "WRITE_TO_CLIENT",
            "PROCESS_COMMAND:HSET", "FREEING"};
    static final String[] TYPE = {"client", "cluster", "replica", "master"};
    static final String[] FIELD = {"Status", "Memory", "DataStructure", "Type"};

    final int servers, fds, leaves;
    private long seed;
    long time = 1_700_000_000_000_000_000L;
    private final long[] current;

    // The step just generated.
    int leaf;
    int field;
    long value;

    Workload(int servers, int fds, long seed) {
        this.servers = servers;
        this.fds = fds;
        this.leaves = servers * fds * 4;
        this.seed = seed;
        this.current = new long[leaves];
        java.util.Arrays.fill(current, -1);
    }

    String[] path(int leaf) {
        int f = leaf & 3, fd = (leaf >> 2) % fds, s = (leaf >> 2) / fds;
        return new String[] {"server-" + s, "Connections", Integer.toString(fd), FIELD[f]};
    }

    private long rnd() {
        // splitmix64: cheap, good enough, no allocation
        long z = (seed += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Advances to the next change. {@code value} is an index into STATUS/TYPE for string fields. */
    void next() {
        long r = rnd();
        time += 1 + ((r >>> 40) & 0xFF) * 200 / 256;
        leaf = (int) ((r & 0xFFFFFFFFL) % leaves);
        field = leaf & 3;
        long v;
        long r2 = r >>> 48;
        v = switch (field) {
            case 0 -> r2 % STATUS.length;
            case 1 -> (r2 * 64) & 0xFFFFF;
            case 2 -> r2 % 6;
            default -> r2 % TYPE.length;
        };
        if (v == current[leaf]) v = field == 1 ? v + 1 : (v + 1) % (field == 0 ? STATUS.length : field == 2 ? 6 : TYPE.length);
        current[leaf] = v;
        value = v;
    }
}
