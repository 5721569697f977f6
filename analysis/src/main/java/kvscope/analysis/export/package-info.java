/**
 * Export of a stored analysis to the formats other tools read: OTLP/JSON ({@link kvscope.analysis.export.OtlpWriter},
 * for an OpenTelemetry Collector or Jaeger) and Chrome trace-event JSON ({@link kvscope.analysis.export.PerfettoWriter},
 * for ui.perfetto.dev). Both stream from the stored model — segments, flows, the State History Tree, the services
 * file — straight into a {@link com.fasterxml.jackson.core.JsonGenerator}: nothing is held per request, so a trace of
 * any size exports in bounded memory. Ids are derived from positions in the stored files ({@link
 * kvscope.analysis.export.ExportIds}), so a parent or a link is written without remembering what was written.
 */
package kvscope.analysis.export;
