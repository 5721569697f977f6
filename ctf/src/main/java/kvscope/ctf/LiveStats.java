package kvscope.ctf;

/**
 * How the reading of a live session goes ({@link Trace#liveStats()}).
 *
 * @param streams         data streams being read
 * @param packets         packets received, and their bytes
 * @param waits           times every stream the merge needed said "nothing yet", so the reader waited
 * @param beacons         inactivity beacons that moved a quiet stream's time on
 * @param maxPacketBytes  the largest packet held: the merge holds at most one packet per stream
 * @param lateEvents      events of event classes the metadata declared after the reading started (not decoded:
 *                        the model resolved its event types before them), counted
 * @param unreadStreams   streams of traces that appeared after the reading started (a new user or bitness), not read
 * @param firstNs         the time of the first event handed out (Long.MIN_VALUE before)
 * @param safeNs          the time the reading has covered: every event up to it has been handed out — the last one's
 *                        time, or later when every stream is known (beacons) to have nothing before (Long.MIN_VALUE
 *                        before the first event)
 */
public record LiveStats(int streams, long packets, long packetBytes, long waits, long beacons, long maxPacketBytes,
                        long lateEvents, int unreadStreams, long firstNs, long safeNs) {
    public static final LiveStats NONE = new LiveStats(0, 0, 0, 0, 0, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE);
}
