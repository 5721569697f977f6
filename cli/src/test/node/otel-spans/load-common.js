'use strict';
// What both load scripts share: the arguments, the real OpenTelemetry SDK with one client library's instrumentation
// (registered before the library is loaded: it patches the module as it loads), the ground truth of what was sent,
// and writing the spans as OTLP/JSON, one ExportTraceServiceRequest per line (what the Collector's file exporter
// writes).
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { trace } = require('@opentelemetry/api');
const fs = require('fs');

function setUp(instrumentation, name) {
  const [port, spansFile, truthFile] = process.argv.slice(2, 5);
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  registerInstrumentations({ instrumentations: [instrumentation] });
  const truth = [];
  return {
    port: Number(port),
    connections: Number(process.argv[5] || 6),
    rounds: Number(process.argv[6] || 150),
    tracer: trace.getTracer(name),
    /** The recorder of one connection's commands: key, command, its local port, its place among them. */
    sender(localPort) {
      let seq = 0;
      return (command, key) => truth.push({ key, command, localPort, seq: seq++ });
    },
    async finish() {
      const spans = exporter.getFinishedSpans();
      const out = fs.openSync(spansFile, 'w');
      for (let i = 0; i < spans.length; i += 200) {
        fs.writeSync(out, Buffer.from(JsonTraceSerializer.serializeRequest(spans.slice(i, i + 200))));
        fs.writeSync(out, '\n');
      }
      fs.closeSync(out);
      fs.writeFileSync(truthFile, JSON.stringify(truth));
      console.log(`${spans.length} spans, ${truth.length} commands on ${this.connections} connections`);
      await provider.shutdown();
    },
  };
}

module.exports = { setUp };
