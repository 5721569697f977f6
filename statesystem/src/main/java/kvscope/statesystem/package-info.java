/**
 * A disk-based State History Tree (Montplaisir et al., 2013): the values of a tree of attributes over time, stored
 * as intervals in fixed-size nodes of a tree that grows to the right as time advances, so the model of a trace far
 * larger than memory answers "what was X at t" by reading one root-to-leaf path.
 *
 * <h2>Model</h2>
 * <ul>
 *   <li><b>Attributes</b> form a tree of names; each has an integer <b>quark</b> ({@link kvscope.statesystem.History#getOrCreate},
 *       created on first use; {@link kvscope.statesystem.History#lookup} looks up, -1 if absent, creating nothing;
 *       {@link kvscope.statesystem.History#match} takes "*" wildcards). Resolve quarks once, not per event.</li>
 *   <li><b>Values</b>: null, int, long, double, string (interned in a string table). {@link kvscope.statesystem.ValueKind}
 *       says which; accessors return primitives, so nothing is boxed.</li>
 *   <li><b>Intervals</b> are {@code [start, end]}, both inclusive, in nanoseconds. {@code set(t, q, v)} ends the
 *       current state at {@code t - 1} and starts {@code v} at {@code t}. Setting the value an attribute already has
 *       (same kind and value) does not split its interval. Several sets of one attribute at the same t: the last one
 *       wins (the earlier ones are never visible). Every attribute is null from the history's start (the time of the
 *       first builder call) until first set. Times must not go backwards.</li>
 *   <li><b>Stacks</b>: {@code push}/{@code pop} keep the depth (INT; null when empty) in the attribute and level
 *       {@code i}'s value in its child named {@code "i"} (1-based) — nested operations.</li>
 *   <li>{@code remove(t, q)} nulls an attribute and all its descendants; {@code complete(t)} ends every state at t and
 *       completes the file.</li>
 * </ul>
 *
 * <h2>Queries</h2>
 * Single ({@link kvscope.statesystem.History#at(long, int)}), full ({@link kvscope.statesystem.History#fullAt(long, FullState)}),
 * range at a resolution ({@link kvscope.statesystem.History#scan}), and a per-attribute interval cursor
 * ({@link kvscope.statesystem.History#intervals}). They work while the history is being built, from any thread (a
 * state that has not ended yet is reported with {@code end == State.ONGOING}), and after reopening the file.
 * A time outside {@code [start(), end()]} has no state: {@code at} returns null.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * try (var h = History.create(dir.resolve("model.ht"), Config.DEFAULT)) {
 *     int status = h.getOrCreate("server-1", "Connections", "16", "Status");
 *     int mem = h.getOrCreate("server-1", "Connections", "16", "Memory");
 *     h.set(1_000, status, "READ_CLIENT");
 *     h.set(1_000, mem, 16_384L);
 *     h.set(2_500, status, "PROCESS_COMMAND:GET");
 *     State s = h.at(2_000, status);            // READ_CLIENT over [1000, 2499] (readable while building)
 *     h.complete(10_000);                        // every state ends at 10000; the file is complete
 * }
 * try (var h = History.open(dir.resolve("model.ht"))) {   // HistoryFileException if incomplete/damaged → rebuild
 *     int[] statuses = h.match("*", "Connections", "*", "Status");
 *     h.scan(statuses, h.start(), h.end(), (h.end() - h.start()) / 1000 + 1,
 *             (q, start, end, kind, l, d, str) -> draw(q, start, end, str));
 *     var full = new FullState();
 *     h.fullAt(5_000, full);                     // every attribute at t = 5000
 *     for (var it = h.intervals(statuses[0], 0, Long.MAX_VALUE); it.next(); ) print(it.start(), it.end(), it.string());
 * }
 * }</pre>
 *
 * <h2>File</h2>
 * A 128-byte header (magic, version, node size, fan-out, configuration checksum, complete flag, time range, root),
 * fixed-size nodes (1 MiB by default: see {@link kvscope.statesystem.Config} for why) each with a CRC32C, a
 * directory by attribute and an index of blocks of 4 intervals per attribute, then the attribute tree and string
 * table (written by {@code complete(t)}, after which the header is rewritten "complete"). A file of another format
 * version is refused on open (NOT_A_HISTORY, "rebuild needed"). Nodes are read through memory-mapped segments,
 * so the heap holds no node data: memory is the open right-most branch plus one pending state per attribute.
 * See {@code FileHeader} and {@code NodeFormat} for the byte layout.
 *
 * <p>Files are memory-mapped: never overwrite a history another process (or History) has open — build into a
 * temporary name and rename it over the old one (an atomic replace; readers of the old file keep their mapping).
 *
 * <h2>Errors</h2>
 * {@link kvscope.statesystem.HistoryFileException} (unchecked; {@code problem()}, {@code file()}, {@code offset()}):
 * the file is not a history, incomplete (the writer died), truncated, or damaged — rebuild it. Misuse of the API
 * (time going backwards, writing a closed history, an unknown quark) throws IllegalArgumentException or
 * IllegalStateException.
 */
package kvscope.statesystem;
