package kvscope.ctf;

import java.nio.file.Path;
import java.util.List;

/**
 * A running session's traces, streams and packets as a relay daemon hands them out ({@code kvscope.ctf.live}
 * implements it over LTTng's live protocol); {@link Trace#live} reads them as one time-ordered sequence of events.
 * Calls come from the one thread iterating the trace. Nothing here buffers: a stream's next packet is asked for only
 * once the reader has used the one before, so the relay's own files are the queue.
 */
public interface LiveFeed {
    /**
     * One CTF trace of the session.
     *
     * @param dir      where it is, or will be, on this machine (names it in messages and {@link TraceInfo#dir()})
     * @param metadata its whole metadata so far, as the tracer wrote it (TSDL text, or packetized)
     * @param version  grows by one each time the metadata grows (a process that registered new events)
     */
    record TraceText(long id, Path dir, byte[] metadata, int version) {}

    /** A data stream of trace {@code traceId}; {@code file} names it in messages. */
    record StreamRef(long id, long traceId, Path file) {}

    /** What a stream has next. */
    sealed interface Next permits Packet, Quiet, Retry, Hangup {}

    /** Its next packet, which starts at {@code offset} in the stream; the feed may reuse {@code bytes} afterwards. */
    record Packet(long offset, byte[] bytes, int length) implements Next {}

    /** No packet yet, but the stream will have no event before {@code untilCycles} (an inactivity beacon). */
    record Quiet(long untilCycles) implements Next {}

    /** Nothing new yet: ask again later. */
    record Retry() implements Next {}

    /** The stream has ended (the session was destroyed and every packet read). */
    record Hangup() implements Next {}

    /** The session's traces known so far (at least one once {@link #awaitTraces} returned). */
    List<TraceText> traces();

    /** Waits until the session has at least one trace with metadata; then {@link #traces()} is not empty. */
    void awaitTraces();

    /** The data streams announced since the last call. */
    List<StreamRef> newStreams();

    /** The next thing of a stream. Never blocks longer than the feed's own timeout (which then throws). */
    Next next(long streamId);

    /** Every stream waiting said {@link Retry}: wait a little before asking again (about the session's live timer). */
    void idle();

    /** True once the session is over: no stream will be announced any more. */
    boolean ended();
}
