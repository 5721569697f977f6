package kvscope.analysis.otel;

/**
 * What became of one Redis client span: linked to one request of the model (its segment index), ambiguous between
 * several (the nearest stored, with its confidence), or not linked (the reason). Times are the span's own; add
 * {@code offsetNs} for the trace's clock.
 *
 * @param candidates how many requests fitted the span when it was decided
 * @param confidence 1 for a link no other request could take; 1/k for the nearest of k ambiguous candidates; 0 unlinked
 */
public record SpanLink(String traceId, String spanId, String parentSpanId, String service, String name, String command,
                       String statement, long start, long end, long offsetNs, String server, State state, long segment,
                       int candidates, double confidence, String reason, String where) {

    /** A closed set: every span is exactly one of these. */
    public enum State { LINKED, AMBIGUOUS, UNLINKED }

    public long duration() { return end - start; }

    /** The span's start on the trace's clock. */
    public long traceStart() { return start + offsetNs; }

    /** The span's end on the trace's clock. */
    public long traceEnd() { return end + offsetNs; }
}
