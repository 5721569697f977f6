/**
 * The Redis model (the paper's Fig. 3): what the events of an instrumented Redis (instrument/redis/EVENTS.md) mean,
 * turned into the states of a {@link kvscope.statesystem.History}, the request segments and the causal links.
 *
 * <h2>The sink</h2>
 * {@link kvscope.analysis.model.ModelBuilder} takes the time-ordered events of {@link kvscope.ctf.Trace}, one at a
 * time ({@code accept}), and at the end ({@code finish}) gives a {@link kvscope.analysis.model.ModelBuilder.Result}:
 * the records the summary stores ({@link kvscope.analysis.model.Counters}, {@link kvscope.analysis.model.ServerStats},
 * {@link kvscope.analysis.model.Anomaly}, {@link kvscope.analysis.model.Stall}, {@link kvscope.analysis.model.Backlog}),
 * made once, under the servers' final names. Everything else here is package-private.
 *
 * <h2>One class per entity</h2>
 * Each entity registers, in {@code register(Dispatch d)}, the handlers of the events that change it; {@code Dispatch}
 * is the table from event name to handlers (the {@code redis:} provider prefix is known there only), indexed by the
 * reader's dense event-type index. A handler gets {@code Ctx}: the event, its time, its server ({@code ServerState})
 * and thread ({@code ThreadState}), the field handles ({@code Fields}, resolved once) and the accessors that read a
 * batch's element as if it were its own event.
 * <ul>
 *   <li>{@code Connections} writes {@code <server>/Connections/<fd>/…} (Type, Peer, Id, Memory, DataStructure,
 *       Status, FileEvents); {@code Conn} is what it knows of the connection open on an fd now.</li>
 *   <li>{@code Requests}: {@code <server>/Requests/<fd>/…} and, when a reply is written, the request's segment.</li>
 *   <li>{@code Blocking}: a blocked client's wait (BLPOP, WAIT…): its BLOCKED Status, {@code Requests/<fd>/Blocked}
 *       and the blocked interval of the request's segment.</li>
 *   <li>{@code Threads}: {@code <server>/Threads/<tid>/…}, what each thread does and for which connection.</li>
 *   <li>{@code EventLoop}: {@code <server>/EventLoop/…}, the loop's phases and queues; keeps the longest iterations.</li>
 *   <li>{@code Bus}: {@code <server>/Bus/…}, cluster-bus bytes per link and message type.</li>
 *   <li>{@code Servers}: {@code <server>/Info/…}, from server_info.</li>
 *   <li>{@code Flows} (with {@code BusMatcher} after the pass): the Netflow view's causal links.</li>
 *   <li>{@code Backlogs}: output buffers that keep growing; {@code Invariants}: what Redis forbids.</li>
 *   <li>{@code Replication}: {@code <server>/Replication/…}, a master's writes paired with each replica's applies by
 *       replication offset (arrows, lag), ACKs and resyncs; {@link kvscope.analysis.model.ReplicationStats} in the
 *       summary.</li>
 *   <li>{@code CommandBatch}, {@code PublishBatch} ({@code BatchReplay}): the light profile's batches, replayed
 *       element by element through the handlers of the single events they stand for.</li>
 * </ul>
 *
 * <h2>Writing the history</h2>
 * Redis reports a phase with one event at its end, carrying its start ({@code start_ns}), so changes arrive out of
 * time order. Handlers write through {@code Timeline}: changes go into batches of primitive columns, and a second
 * thread ({@code HistoryWriter}) sorts them within a horizon ({@code Reorder}) and hands them to the history in order
 * ({@code History.apply(Feed)}). A change later than the horizon is placed at the committed time and counted.
 *
 * <h2>Names</h2>
 * A server is {@code host:port} once its port is known ({@code ServerNames} looks ahead over the trace's start; a
 * server that starts later is renamed by its first server_info or accepted client), {@code procname-vpid} before.
 * Each run of a server restarted on one port is {@code host:port@vpid}: no two servers share a name.
 */
package kvscope.analysis.model;
