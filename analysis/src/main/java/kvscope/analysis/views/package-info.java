/**
 * Data providers: the views of a stored analysis, answering what a viewer asks — a time graph's rows and their
 * states at a resolution, XY series, data trees, table pages — from the State History Tree, the request segments and
 * the summary only, never the trace. Shapes ({@link kvscope.analysis.views.Tsp}) carry the Trace Server Protocol's
 * field names, so the server writes them as they are; nothing here knows about HTTP.
 *
 * <pre>{@code
 * try (var stored = Analysis.analyze(List.of(trace), Analysis.Options.defaults())) {
 *     var netflow = (Provider.TimeGraph) Views.of(stored).find("kvscope.netflow").orElseThrow();
 *     var rows = netflow.tree().entries().stream().filter(Tsp.Entry::hasData).mapToLong(Tsp.Entry::id).toArray();
 *     var h = stored.history();
 *     var model = netflow.states(new Query(h.start(), h.end(), 1000), rows);   // about one state per pixel and row
 * }
 * }</pre>
 *
 * <p>Time graphs read with {@link kvscope.statesystem.History#scan} at a step of range / nbTimes, so their cost
 * follows the width of the view, not the number of events. Entry ids are quarks (int32, stable for a stored model).
 * The Netflow view's arrows (a PUBLISH on one node → the cluster bus → the subscriber's write on another, a MOVED/ASK
 * → the retry) come from the stored causal links ({@link kvscope.analysis.Stored#flows}), read for the requested
 * time range only.
 */
package kvscope.analysis.views;
