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
    /**
     * Waits 0–6 ms (a fixed pseudo-random sequence per worker) before a worker's next round. Unpaced, the rate of the
     * load is the machine's: a faster machine puts more commands of one name in each millisecond of a span's start
     * (the SDK stamps whole ms), and the share of spans linked for certain fell from 12.7–23.7 % to 5.5 % on a faster
     * machine. Paced, the rate is set by the pauses (3 ms a round and worker on average) on any machine that keeps
     * up, and the workers run out of step.
     */
    pacer(worker) {
      let x = (worker + 1) * 2654435761 >>> 0;
      return () => {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        return new Promise((resolve) => setTimeout(resolve, (x >>> 16) % 7));
      };
    },
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
