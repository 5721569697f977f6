/**
 * Reading Common Trace Format 1.8 traces as LTTng 2.13 writes them, fast and safely.
 *
 * <p>A handful of public types, in the spirit of {@code jdk.jfr.consumer}:
 * {@link kvscope.ctf.Trace} (a set of traces, iterable in time order), {@link kvscope.ctf.Event} (the reused
 * cursor), {@link kvscope.ctf.EventType} and {@link kvscope.ctf.Field} (resolved once, compared with {@code ==} /
 * used as handles), {@link kvscope.ctf.TraceInfo} (a trace's environment), {@link kvscope.ctf.CtfException} (what
 * is damaged, in which file, at which byte) and {@link kvscope.ctf.EventFormat} (JSON lines and text).
 *
 * <pre>{@code
 * try (var trace = Trace.open(dir)) {                          // a trace dir, or a tree of them (LTTng layouts)
 *     var start = trace.eventType("redis:call_command_start"); // resolve names once…
 *     var fd = start.field("fd");                              // …and fields once
 *     var vtid = trace.field("vtid");                          // a context field, valid on every event having it
 *     var procname = trace.field("procname");
 *     for (var e : trace) {                                    // time-ordered across streams and traces
 *         if (e.isLost()) { noteLoss(e.lostStart(), e.timestamp(), e.lostCount()); continue; }
 *         if (e.type() == start) {
 *             handle(e.timestamp(), e.cpu(), e.getLong(fd), e.getLong(vtid), e.getString(procname));
 *         }
 *     }
 *     var progress = (double) trace.bytesRead() / trace.totalBytes();
 * }
 * }</pre>
 *
 * <p>Dispatch tables: {@link kvscope.ctf.EventType#index()} is a dense number per event name, so
 * {@code handlers[e.type().index()]} replaces a map lookup per event (lost records have index -1).
 * Time range and size for progress: {@link kvscope.ctf.Trace#timeRange()} (packet headers only),
 * {@link kvscope.ctf.Trace#totalBytes()}, {@link kvscope.ctf.Trace#bytesRead()}. The environment of each trace
 * (hostname; procname and vpid of LTTng per-PID buffers) is {@link kvscope.ctf.Event#trace()}.
 *
 * <p>Field names are as babeltrace2 shows them: LTTng's leading underscore removed ({@code _fd} is {@code fd}),
 * nested struct members as {@code outer.inner}. Integers come back as {@code long} (unsigned 64-bit values as their
 * bit pattern), strings through a small cache so repeated values do not allocate. Iteration allocates nothing per
 * event: each stream's packet is read whole into a reused array and decoded into reused primitive arrays. Event
 * classes whose context and payload hold only integers, floats, strings and text arrays (nearly all of
 * LTTng-UST's) are decoded by plans compiled at open, and their integers and text arrays are read from the packet
 * only when asked for: reading a few fields of an event costs little more than finding where it ends. With LTTng's
 * compact event header (read in one 8-byte load) such an event is decoded without storing anything but its clock,
 * its segment starts and its strings' positions, and the merge takes a stream's events one after the other, without
 * heap work, while they stay below the other streams'.
 *
 * <p>Semantics follow babeltrace2 2.0 where CTF leaves room: lost-event records come before the first event of
 * the packet whose {@code events_discarded} grew and span from the previous packet's end to this packet's end
 * (for a stream's first packet, from its beginning; babeltrace2 gives no count there, kvscope the counter's value);
 * only event-header integers mapped to a clock move the clock; clock-mapped integers elsewhere are readable by
 * handle but not shown by {@link kvscope.ctf.EventFormat}; text arrays and sequences read as strings up to
 * their first NUL.
 *
 * <p>Errors: {@link kvscope.ctf.Trace#open} throws {@link kvscope.ctf.CtfException} for missing paths and bad
 * metadata; the iteration throws it when it reaches a damaged packet or event, after delivering every event before.
 *
 * <p>The writer, {@link kvscope.ctf.write.CtfWriter}, produces traces babeltrace2 reads back identically.
 */
package kvscope.ctf;
