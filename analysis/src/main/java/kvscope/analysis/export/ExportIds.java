package kvscope.analysis.export;

import java.util.HexFormat;

/**
 * Trace and span ids made from positions in the stored files, so that a parent or a link can be written from what the
 * stored record says (a segment index, a span index) without a table of what was already written. The top byte of a
 * span id names what it stands for; OTLP forbids all-zero ids, and the tags keep every id non-zero.
 */
final class ExportIds {
    static final int REQUEST = 1, PHASE = 2, SERVICE = 3, FLOW = 4, FINDINGS = 5;
    private static final HexFormat HEX = HexFormat.of();

    /** The run's half of every trace id: from the model's fingerprint, so two exports of one trace agree. */
    private final long run;

    ExportIds(String fingerprint) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < fingerprint.length(); i++) h = (h ^ fingerprint.charAt(i)) * 0x100000001B3L;
        run = h == 0 ? 1 : h;
    }

    static long span(int tag, long index) { return ((long) tag << 56) | (index & 0x00FF_FFFF_FFFF_FFFFL); }

    /** The span id of phase p (0..5) of request segment i. */
    static long phase(long segment, int p) { return span(PHASE, segment * 8 + p); }

    /** A trace of one Redis request on its own (no service call led to it). */
    String requestTrace(long segment) { return traceHex(span(REQUEST, segment)); }

    /** The trace of one request entering the traced services. */
    String serviceTrace(long trace) { return traceHex(span(SERVICE, trace)); }

    /** The trace of the other spans of one server: flows and findings with no request to hang under. */
    String serverTrace(int server) { return traceHex(span(FINDINGS, server)); }

    private String traceHex(long low) { return HEX.toHexDigits(run) + HEX.toHexDigits(low); }

    static String hex(long spanId) { return HEX.toHexDigits(spanId); }
}
