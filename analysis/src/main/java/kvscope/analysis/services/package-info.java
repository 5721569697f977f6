/**
 * The integration analysis (paper §III-D2): the Node.js services around Redis, from the agent's {@code nodejs:*}
 * events (instrument/node/EVENTS.md), joined with the Redis model.
 *
 * <ul>
 *   <li><b>Spans</b>: an HTTP request a service handled (server span), one it made (client span), one Redis command
 *       it sent, one MariaDB command — each with its service, times and parent (the server span whose handler made
 *       it, from the agent's AsyncLocalStorage span ids).</li>
 *   <li><b>Hops</b>: a client span is the same exchange as a server span of another service when both carry the
 *       same 4-tuple and the server's handling lies within the client's wait ({@link kvscope.analysis.services.Hops});
 *       no header is added to any request.</li>
 *   <li><b>Redis links</b>: each Redis call is one request of the Redis model — the connection whose peer address
 *       and port (Redis's {@code accept_client}) are the call's source and whose local port is its destination port,
 *       then the order of commands on that connection, the command names checked
 *       ({@link kvscope.analysis.services.RedisLinks}).</li>
 *   <li><b>Where the time went</b>: every server span's latency split into each service's own time, network,
 *       Redis's phases (the model's request segments) and MariaDB, parts that add up to the whole
 *       ({@link kvscope.analysis.services.Attribution}).</li>
 * </ul>
 *
 * <p>Built in the same pass over the events as the Redis model ({@link kvscope.analysis.services.ServicesBuilder}),
 * stored beside it as {@code services.bin} ({@link kvscope.analysis.services.ServicesFile}); views and reports read
 * that file, never the trace. Input the agent got wrong — missing or garbled fields, spans whose other end never
 * appears, services killed mid-request — is counted and reported with where it was seen
 * ({@link kvscope.analysis.services.Problems}), never fatal; the Redis model is built exactly as without it.
 */
package kvscope.analysis.services;
