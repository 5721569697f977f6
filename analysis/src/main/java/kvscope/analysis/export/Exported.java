package kvscope.analysis.export;

/**
 * What an export wrote, to report and to check against the model: request spans (or slices), their phase children,
 * service spans, flows (span links or flow arrows), finding events, and what could not be exported whole: service spans
 * never answered (written ending where they start) and request phases left out because they break the nesting of
 * their request (Perfetto only: measured out of order).
 */
public record Exported(long requests, long phases, long serviceSpans, long flows, long links, long findings,
                       long unfinished, long skipped) {
    public String describe() {
        return requests + " requests (" + phases + " phases), " + serviceSpans + " service spans, " + flows
                + " flows (" + links + " links), " + findings + " findings"
                + (unfinished > 0 ? ", " + unfinished + " spans never answered (exported ending where they start)" : "")
                + (skipped > 0 ? ", " + skipped + " phases measured out of order left out" : "");
    }
}
