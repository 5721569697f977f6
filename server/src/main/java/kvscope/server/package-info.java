/**
 * {@code kvscope serve}'s server: the Trace Server Protocol 0.6.0 (what the VS Code and Theia trace viewers speak)
 * under {@code /tsp/api}, and kvscope's own web page at {@code /}, on the JDK's {@code HttpServer} with Jackson.
 *
 * <ul>
 *   <li>{@link kvscope.server.TspServer} binds (loopback by default), routes, answers JSON with exactly
 *       {@code Content-Type: application/json}, CORS headers and OPTIONS preflight, and turns every refusal into a
 *       TSP {@code ErrorResponse} with a 4xx status.</li>
 *   <li>{@link kvscope.server.Registry} holds open traces and experiments; each set of traces is analysed once, in the
 *       background ({@link kvscope.server.Job}: RUNNING, then COMPLETED or FAILED).</li>
 *   <li>{@code TraceAccess} lets clients open only directories under the server's trace roots.</li>
 *   <li>{@code TspApi} maps endpoints to the data providers of {@link kvscope.analysis.views}.</li>
 * </ul>
 */
package kvscope.server;
