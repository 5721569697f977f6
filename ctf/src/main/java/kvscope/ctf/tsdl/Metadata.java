package kvscope.ctf.tsdl;

import java.util.List;
import java.util.Map;

/**
 * A parsed TSDL metadata text: the trace block, clocks, environment, stream classes and event classes.
 * Byte order is the trace's; {@code Decl.Order.NATIVE} in any declaration means this order.
 */
public record Metadata(
        boolean bigEndian,
        String uuid,
        Decl.Struct packetHeader,
        Map<String, Object> env,
        Map<String, Clock> clocks,
        List<StreamClass> streams,
        List<EventClass> events) {

    /** A {@code clock} block: frequency in Hz, offset as seconds plus cycles (CTF 1.8 §8). */
    public record Clock(String name, long freq, long offsetSeconds, long offsetCycles, String uuid) {}

    /** A {@code stream} block; {@code id} is -1 when the metadata has a single stream without an id. */
    public record StreamClass(long id, Decl.Struct packetContext, Decl.Struct eventHeader, Decl.Struct eventContext) {}

    /** An {@code event} block; {@code streamId} is -1 when unspecified (the only stream). */
    public record EventClass(long id, String name, long streamId, int logLevel, Decl.Struct context, Decl.Struct fields) {}
}
