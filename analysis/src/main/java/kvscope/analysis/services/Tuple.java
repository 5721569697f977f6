package kvscope.analysis.services;

/**
 * A TCP connection's 4-tuple as the agent reports it (EVENTS.md: {@code src} opened the connection, {@code dst}
 * accepted it), addresses as {@link Names} ids. Ports 0 (unknown) never join.
 */
record Tuple(int srcAddr, int srcPort, int dstAddr, int dstPort) {
    boolean complete() { return srcAddr >= 0 && dstAddr >= 0 && srcPort > 0 && dstPort > 0; }

    /** IPv4 addresses in IPv6 form ({@code ::ffff:127.0.0.1}) are the same peer as the plain form: one spelling. */
    static String address(String a) {
        if (a == null) return "";
        return a.regionMatches(true, 0, "::ffff:", 0, 7) && a.indexOf('.') > 0 ? a.substring(7) : a;
    }

    /** A port field's value, or -1 when it cannot be a port (the caller counts it). */
    static int port(long v) { return v >= 0 && v <= 65535 ? (int) v : -1; }
}
