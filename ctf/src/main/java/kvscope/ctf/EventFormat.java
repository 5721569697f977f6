package kvscope.ctf;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Renders events as JSON lines or as babeltrace2-like text, appending to a reused {@link StringBuilder}.
 *
 * <p>JSON: {@code {"ts":ns,"name":"p:e","cpu":n,"context":{…},"fields":{…}}}; integers exact (unsigned 64-bit
 * above 2^63 as their unsigned value), enums as their value, arrays and sequences as arrays, strings and text
 * arrays as strings (invalid UTF-8 replaced by U+FFFD), floats as numbers (non-finite ones as the strings
 * "NaN", "Infinity", "-Infinity", which JSON cannot express as numbers). Lost events: {@code {"ts":end,"lost":n}}.
 */
public final class EventFormat {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private long lastTs = Long.MIN_VALUE;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedSecondText;

    /** Appends the event as one JSON object (no newline). */
    public void appendJson(Event e, StringBuilder sb) {
        var s = e.s;
        sb.append("{\"ts\":").append(s.ts);
        if (s.kind == StreamCursor.LOST) {
            // The count is events_discarded's difference modulo 2^64, as babeltrace2 computes it: unsigned.
            sb.append(",\"lost\":").append(Long.toUnsignedString(s.lostCount)).append('}');
            return;
        }
        sb.append(",\"name\":");
        appendJsonString(sb, s.cls().name);
        sb.append(",\"cpu\":");
        if (s.cpu >= 0) sb.append(s.cpu); else sb.append("null");
        sb.append(",\"context\":{");
        s.materialize();
        var v = s.ev.v;
        var buf = s.d.buf;
        boolean[] first = {true};
        int p = s.streamContextAt;
        if (s.sc.eventContext != null) p = members(sb, s.sc.eventContext, v, p, buf, first, true);
        p = s.eventContextAt;
        if (s.cls().context != null) members(sb, s.cls().context, v, p, buf, first, true);
        sb.append("},\"fields\":{");
        first[0] = true;
        if (s.cls().payload != null) members(sb, s.cls().payload, v, s.payloadAt, buf, first, true);
        sb.append("}}");
    }

    /** Appends one readable line like babeltrace2's (UTC time, delta to the previous event, host, name, scopes). */
    public void appendText(Event e, StringBuilder sb) {
        var s = e.s;
        long ts = s.ts;
        long sec = Math.floorDiv(ts, 1_000_000_000L);
        long ns = Math.floorMod(ts, 1_000_000_000L);
        if (sec != cachedSecond) {
            cachedSecond = sec;
            cachedSecondText = CLOCK.format(Instant.ofEpochSecond(sec));
        }
        sb.append('[').append(cachedSecondText).append('.');
        pad9(sb, ns);
        sb.append("] (");
        if (lastTs == Long.MIN_VALUE) sb.append("+?.?????????");
        else {
            long d = ts - lastTs;
            sb.append(d < 0 ? '-' : '+');
            d = Math.abs(d);
            sb.append(d / 1_000_000_000L).append('.');
            pad9(sb, d % 1_000_000_000L);
        }
        lastTs = ts;
        sb.append(") ").append(s.trace.info.hostname()).append(' ');
        if (s.kind == StreamCursor.LOST) {
            sb.append("LOST ").append(Long.toUnsignedString(s.lostCount)).append(" events discarded by the tracer since ");
            sb.append(s.lostStart);
            return;
        }
        sb.append(s.cls().name).append(": { cpu_id = ").append(s.cpu).append(" }");
        s.materialize();
        var v = s.ev.v;
        var buf = s.d.buf;
        boolean hasCtx = s.sc.eventContext != null && s.sc.eventContext.members.length > 0
                || s.cls().context != null && s.cls().context.members.length > 0;
        if (hasCtx) {
            sb.append(", { ");
            boolean[] first = {true};
            if (s.sc.eventContext != null) members(sb, s.sc.eventContext, v, s.streamContextAt, buf, first, false);
            if (s.cls().context != null) members(sb, s.cls().context, v, s.eventContextAt, buf, first, false);
            sb.append(" }");
        }
        if (s.cls().payload != null && s.cls().payload.members.length > 0) {
            sb.append(", { ");
            boolean[] first = {true};
            members(sb, s.cls().payload, v, s.payloadAt, buf, first, false);
            sb.append(" }");
        }
    }

    private static void pad9(StringBuilder sb, long ns) {
        for (long d = 100_000_000L; d > 1 && ns < d; d /= 10) sb.append('0');
        sb.append(ns);
    }

    private static int members(StringBuilder sb, Node st, long[] v, int p, byte[] buf, boolean[] first, boolean json) {
        for (int i = 0; i < st.members.length; i++) {
            var m = st.members[i];
            if (m.kind == Node.INT && m.clock) {
                // babeltrace2 does not show clock-mapped integers outside the event header (they stay readable
                // through field handles); the output follows it so the two can be compared event for event.
                p++;
                continue;
            }
            if (!first[0]) sb.append(json ? "," : ", ");
            first[0] = false;
            if (json) {
                appendJsonString(sb, st.shownNames[i]);
                sb.append(':');
                p = appendJsonValue(sb, st.members[i], v, p, buf);
            } else {
                sb.append(st.shownNames[i]).append(" = ");
                p = appendTextValue(sb, st.members[i], v, p, buf);
            }
        }
        return p;
    }

    /** Appends one decoded value starting at {@code v[p]}; returns the index after it. */
    static int appendJsonValue(StringBuilder sb, Node n, long[] v, int p, byte[] buf) {
        switch (n.kind) {
            case Node.INT -> {
                long x = v[p];
                if (n.signed || x >= 0) sb.append(x); else sb.append(Long.toUnsignedString(x));
                return p + 1;
            }
            case Node.FLOAT -> {
                double d = Double.longBitsToDouble(v[p]);
                if (Double.isFinite(d)) sb.append(d); else sb.append('"').append(d).append('"');
                return p + 1;
            }
            case Node.STRING -> {
                appendJsonUtf8(sb, buf, (int) v[p], (int) v[p + 1]);
                return p + 2;
            }
            case Node.STRUCT -> {
                sb.append('{');
                boolean[] first = {true};
                p = members(sb, n, v, p, buf, first, true);
                sb.append('}');
                return p;
            }
            case Node.VARIANT -> {
                return appendJsonValue(sb, n.members[(int) v[p]], v, p + 1, buf);
            }
            default -> {
                if (n.text) {
                    appendJsonUtf8(sb, buf, (int) v[p], (int) v[p + 1]);
                    return p + 2;
                }
                long len = v[p++];
                sb.append('[');
                for (long i = 0; i < len; i++) {
                    if (i > 0) sb.append(',');
                    p = appendJsonValue(sb, n.element, v, p, buf);
                }
                sb.append(']');
                return p;
            }
        }
    }

    private static int appendTextValue(StringBuilder sb, Node n, long[] v, int p, byte[] buf) {
        switch (n.kind) {
            case Node.INT -> {
                long x = v[p];
                var label = n.label(x);
                if (label != null) sb.append("( \"").append(label).append("\" : container = ");
                if (n.base == 16) sb.append("0x").append(Long.toHexString(x).toUpperCase(Locale.ROOT));
                else if (n.signed || x >= 0) sb.append(x);
                else sb.append(Long.toUnsignedString(x));
                if (label != null) sb.append(" )");
                return p + 1;
            }
            case Node.STRUCT -> {
                sb.append("{ ");
                boolean[] first = {true};
                p = members(sb, n, v, p, buf, first, false);
                sb.append(" }");
                return p;
            }
            case Node.VARIANT -> {
                sb.append("{ ").append(n.shownNames[(int) v[p]]).append(" = ");
                p = appendTextValue(sb, n.members[(int) v[p]], v, p + 1, buf);
                sb.append(" }");
                return p;
            }
            case Node.ARRAY, Node.SEQUENCE -> {
                if (n.text) return appendJsonValue(sb, n, v, p, buf);
                long len = v[p++];
                sb.append("[ ");
                for (long i = 0; i < len; i++) {
                    if (i > 0) sb.append(", ");
                    sb.append('[').append(i).append("] = ");
                    p = appendTextValue(sb, n.element, v, p, buf);
                }
                sb.append(" ]");
                return p;
            }
            default -> {
                return appendJsonValue(sb, n, v, p, buf);
            }
        }
    }

    static void appendJsonUtf8(StringBuilder sb, byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (buf[i] < 0) {
                appendJsonString(sb, new String(buf, off, len, StandardCharsets.UTF_8));
                return;
            }
        }
        sb.append('"');
        for (int i = off; i < off + len; i++) escape(sb, (char) buf[i]);
        sb.append('"');
    }

    static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) escape(sb, s.charAt(i));
        sb.append('"');
    }

    private static void escape(StringBuilder sb, char c) {
        switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> {
                if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                else sb.append(c);
            }
        }
    }
}
