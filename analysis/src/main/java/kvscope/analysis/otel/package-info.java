/**
 * Bring your own OpenTelemetry (issue #18 §2): the Redis client spans a user's own instrumentation wrote (OTLP/JSON,
 * what the Collector's file exporter writes), each linked to the request of the Redis model that served it.
 *
 * <ul>
 *   <li><b>Reading</b> ({@link kvscope.analysis.otel.OtlpSpanReader}): every span of every file is used or counted —
 *       garbled lines, spans that are not Redis client spans, MULTI-queued commands — with file and line.</li>
 *   <li><b>The spans' clock</b> ({@link kvscope.analysis.otel.SpanClock}): the span producer's clock against the
 *       trace's, per resource: the offset at which most spans contain a request of their command.</li>
 *   <li><b>Linking</b> ({@link kvscope.analysis.otel.SpanLinker}): a span's candidates are the requests of its server
 *       (server.address/port), of its command, lying within it at an offset the clock allows; a link is certain when
 *       every maximum matching of spans to requests has it ({@link kvscope.analysis.otel.Matching}); any other span
 *       is ambiguous, stored with the nearest request it may have and its confidence (1 of k) — never linked
 *       silently.</li>
 * </ul>
 *
 * <p>Stored beside the model as {@code spanlinks.json} ({@link kvscope.analysis.otel.SpanLinks}); the report, the
 * views and the OTLP export read that file, never the span files or the trace again.
 */
package kvscope.analysis.otel;
