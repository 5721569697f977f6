package kvscope.analysis.views;

import kvscope.analysis.flows.Flow;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The colours of the time-graph states and what each state of the model is drawn as. One palette for every view, so
 * a READ is the same colour on a connection's row and on the thread that does it (paper Figs. 10–17).
 */
public final class Styles {
    private Styles() {}

    public static final String IDLE = "IDLE", READ = "READ", COMMAND = "COMMAND", WRITE = "WRITE", WAIT = "WAIT",
            BLOCKED = "BLOCKED", FREEING = "FREEING", CLUSTER_SEND = "CLUSTER_SEND", CLUSTER_READ = "CLUSTER_READ",
            CLUSTER_PROCESS = "CLUSTER_PROCESS", IO_THREADS = "IO_THREADS", PUBLISH = "PUBLISH", POLL = "POLL",
            BEFORE_SLEEP = "BEFORE_SLEEP", PROCESS_EVENTS = "PROCESS_EVENTS", PENDING = "PENDING", VALUE = "VALUE",
            OTHER = "OTHER";
    /** The Services view: a request in a service's own code, and what it waits on. */
    public static final String HANDLING = "HANDLING", WAIT_SERVICE = "WAIT_SERVICE", WAIT_REDIS = "WAIT_REDIS",
            WAIT_MARIADB = "WAIT_MARIADB", WAIT_UNTRACED = "WAIT_UNTRACED", ARROW_HTTP = "ARROW_HTTP",
            ARROW_REDIS = "ARROW_REDIS";

    private static final Map<String, Tsp.StyleRef> REFS = new LinkedHashMap<>();
    private static final Map<String, Map<String, Object>> STYLES = new LinkedHashMap<>();

    static {
        add(IDLE, "#d9d9d9", 0.35);
        add(READ, "#2ca02c", 1.0);
        add(COMMAND, "#1f77b4", 1.0);
        add(WRITE, "#ff7f0e", 1.0);
        add(WAIT, "#ffbb78", 0.7);
        add(BLOCKED, "#9467bd", 0.7, "blocked by BLPOP, BLMOVE, XREAD BLOCK, WAIT…: waiting by design for data or replicas, "
                + "not for the server (hover a state: the key it waits on, then why it ended)");
        add(FREEING, "#d62728", 1.0);
        add(CLUSTER_SEND, "#e377c2", 1.0);
        add(CLUSTER_READ, "#8c564b", 1.0);
        add(CLUSTER_PROCESS, "#bcbd22", 1.0);
        add(IO_THREADS, "#17becf", 0.7);
        add(PUBLISH, "#f7b6d2", 1.0);
        add(POLL, "#c7c7c7", 0.6);
        add(BEFORE_SLEEP, "#aec7e8", 1.0);
        add(PROCESS_EVENTS, "#98df8a", 1.0);
        add(PENDING, "#ff9896", 0.6);
        add(VALUE, "#c5b0d5", 0.8);
        add(OTHER, "#7f7f7f", 0.8);
        add(HANDLING, "#4e79a7", 1.0);
        add(WAIT_SERVICE, "#a0cbe8", 0.7);
        add(WAIT_REDIS, "#e15759", 0.7);
        add(WAIT_MARIADB, "#b07aa1", 0.7);
        add(WAIT_UNTRACED, "#bab0ac", 0.7);
        for (var a : new String[][] {{ARROW_HTTP, "#4e79a7", "service → service"}, {ARROW_REDIS, "#e15759", "service → Redis"}}) {
            STYLES.put(a[0], Map.of("color", a[1], "background-color", a[1], "width", 1, "label", a[2]));
            REFS.put(a[0], Tsp.StyleRef.of(a[0]));
        }
        // Netflow arrows, by flow kind (see kvscope.analysis.flows.Flow.Hop).
        for (var k : Flow.Hop.values()) {
            var colour = switch (k) {
                case PUBLISH_TO_BUS -> "#e377c2";
                case BUS -> "#8c564b";
                case DELIVER -> "#ff7f0e";
                case PUBLISH_LOCAL -> "#1f77b4";
                case REDIRECT -> "#d62728";
                case REPLICATION -> "#2ca02c";
            };
            STYLES.put(arrow(k), Map.of("color", colour, "background-color", colour, "width", 1, "label", k.label()));
            REFS.put(arrow(k), Tsp.StyleRef.of(arrow(k)));
        }
    }

    /** The style key of an arrow of this kind. */
    static String arrow(Flow.Hop k) { return "ARROW_" + k.name(); }

    private static void add(String key, String colour, double height) {
        STYLES.put(key, Map.of("background-color", colour, "height", height, "opacity", 1.0));
        REFS.put(key, Tsp.StyleRef.of(key));
    }

    /** A state whose meaning the page's legend says on hover ({@code label}). */
    private static void add(String key, String colour, double height, String label) {
        STYLES.put(key, Map.of("background-color", colour, "height", height, "opacity", 1.0, "label", label));
        REFS.put(key, Tsp.StyleRef.of(key));
    }

    /** Every style by key: the TSP {@code /style} model. */
    public static Map<String, Map<String, Object>> all() { return STYLES; }

    /** The shared reference to a style (one instance per key, so states allocate no style). */
    public static Tsp.StyleRef ref(String key) { return REFS.getOrDefault(key, REFS.get(OTHER)); }

    /** A connection's Status (see the model's Connections) → style key. */
    static String ofStatus(String status) {
        if (status == null) return IDLE;
        return switch (status) {
            case "READ_CLIENT" -> READ;
            case "WRITE_TO_CLIENT" -> WRITE;
            case "WAIT_WRITE" -> WAIT;
            case "BLOCKED" -> BLOCKED;
            case "FREEING" -> FREEING;
            case "CLUSTER_WRITE" -> CLUSTER_SEND;
            case "CLUSTER_READ" -> CLUSTER_READ;
            case "REGISTERED" -> IDLE;
            default -> status.startsWith("PROCESS_COMMAND:") ? COMMAND
                    : status.startsWith("CLUSTER_PROCESS:") ? CLUSTER_PROCESS : OTHER;
        };
    }

    /** A thread's Operation (see the model's Threads) → style key. */
    static String ofOperation(String op) {
        if (op == null) return IDLE;
        if (op.startsWith("Reading")) return op.contains("cluster") ? CLUSTER_READ : READ;
        if (op.startsWith("Writing")) return op.contains("cluster") ? CLUSTER_SEND : WRITE;
        if (op.startsWith("Executing")) return COMMAND;
        if (op.startsWith("Freeing") || op.startsWith("Scheduling free")) return FREEING;
        if (op.startsWith("Processing cluster")) return CLUSTER_PROCESS;
        if (op.endsWith("by I/O threads")) return IO_THREADS;
        if (op.startsWith("Publishing")) return PUBLISH;
        return OTHER;
    }

    /** An event-loop Phase → style key. */
    static String ofPhase(String phase) {
        if (phase == null) return IDLE;
        return switch (phase) {
            case "POLL" -> POLL;
            case "BEFORE_SLEEP" -> BEFORE_SLEEP;
            case "PROCESS_EVENTS" -> PROCESS_EVENTS;
            case "HANDLE_PENDING_READS", "HANDLE_PENDING_WRITES" -> IO_THREADS;
            default -> OTHER;
        };
    }
}
