package kvscope.analysis.services;

/**
 * One part of a request's latency: what kind of time it was, about what (the service, the Redis or MariaDB command,
 * the untraced peer; "http" or "redis" for network time), and how long.
 */
public record Part(PartKind kind, String name, long ns) {

    /** "user own time", "Redis executing (get)", "network (http)", "MariaDB (select)", "not traced (10.0.0.9:80)". */
    public String label() { return label(kind, name); }

    public static String label(PartKind kind, String name) {
        if (kind == PartKind.SERVICE) return name + " " + kind.label();
        return name == null || name.isEmpty() ? kind.label() : kind.label() + " (" + name + ")";
    }
}
