// The Trace Viewer's own client against kvscope: tsp-typescript-client from npm — what the VS Code / Theia Trace
// Viewer uses to speak the Trace Server Protocol — opens a recorded trace, creates the experiment, waits for it to be
// indexed and fetches every output kvscope serves (trees, time-graph states, arrows, tooltips, styles, XY, tables,
// data trees, markers, annotations). Every answer must go through that client's own normalizers (its types: ids are
// numbers, times are BigInt), and the numbers must equal kvscope's own: the experiment's times and the statistics
// table (what the page shows) against `kvscope report --format json`, read apart from the protocol.
// Needs KVSCOPE_TRACE and KVSCOPE_SERVICES_TRACE (run.sh records them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { serveForTsp } from './tsp-serve.mjs';

const require = createRequire(import.meta.url);
const { HttpTspClient, QueryHelper } = require('tsp-typescript-client');
const JSONBig = require('json-bigint')({ useNativeBigInt: true });

const root = new URL('..', import.meta.url).pathname;
const traces = [process.env.KVSCOPE_TRACE, process.env.KVSCOPE_SERVICES_TRACE];

// The client reports answers its normalizers refuse with console.log and returns no model: collect them as failures.
const refused = [];
const log = console.log;
before(() => { console.log = (...a) => { if (/Error (normalizing|parsing)/.test(String(a[0]))) refused.push(a.join(' ')); else log(...a); }; });
after(() => { console.log = log; });

/** The answer's model, once the client's own types accepted it. */
function model(what, response) {
  assert.ok(response.isOk(), `${what}: HTTP ${response.getStatusCode()} ${response.getStatusMessage()}`);
  assert.deepEqual(refused, [], `${what}: the client refused the answer`);
  const m = response.getModel();
  assert.ok(m !== undefined, `${what}: no model (Content-Type or JSON the client could not read)`);
  return m;
}

/** A generic response's model once the output is complete. */
function generic(what, response) {
  const g = model(what, response);
  assert.equal(g.status, 'COMPLETED', `${what}: ${g.statusMessage}`);
  return g.model;
}

async function experimentOf(client, trace, name) {
  const t = model('openTrace', await client.openTrace(QueryHelper.query({ uri: trace, name })));
  assert.equal(typeof t.start, 'bigint', 'trace start is a BigInt');
  const created = model('createExperiment', await client.createExperiment(QueryHelper.query({ name, traces: [t.UUID] })));
  const deadline = Date.now() + 180_000;
  for (;;) {
    const e = model('fetchExperiment', await client.fetchExperiment(created.UUID));
    if (e.indexingStatus === 'COMPLETED') return e;
    assert.ok(Date.now() < deadline, 'experiment indexed in 180 s');
    await new Promise(r => setTimeout(r, 250));
  }
}

function report(trace) {
  return JSONBig.parse(execFileSync(root + 'kvscope', ['report', trace, '--format', 'json'], { maxBuffer: 1 << 28 }).toString());
}

let tooltips = 0;

async function timeGraph(client, exp, d, start, end) {
  const tree = generic(`${d.id} tree`, await client.fetchTimeGraphTree(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end)));
  for (const e of tree.entries) assert.equal(typeof e.id, 'number', `${d.id}: entry ids are numbers`);
  const ids = tree.entries.filter(e => e.hasData !== false).map(e => e.id);
  const states = generic(`${d.id} states`, await client.fetchTimeGraphStates(exp.UUID, d.id,
    QueryHelper.selectionTimeRangeQuery(start, end, 500, ids)));
  const all = states.rows.flatMap(r => r.states.map(s => ({ row: r.entryId, ...s })));
  for (const s of all) {
    assert.equal(typeof s.start, 'bigint', `${d.id}: state times are BigInt`);
    assert.ok(s.start >= start && s.end <= end && s.start <= s.end, `${d.id}: state inside the range`);
  }
  const arrows = generic(`${d.id} arrows`, await client.fetchTimeGraphArrows(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end, 500)));
  const annotations = generic(`${d.id} annotations`, await client.fetchAnnotations(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end, 100)));
  assert.equal(typeof annotations.annotations, 'object', `${d.id}: annotations`);
  const styles = generic(`${d.id} styles`, await client.fetchStyles(exp.UUID, d.id, QueryHelper.query()));
  const labelled = all.find(s => s.label || s.style);
  if (labelled) {
    const tip = generic(`${d.id} tooltip`, await client.fetchTimeGraphTooltip(exp.UUID, d.id, QueryHelper.selectionTimeQuery(
      [labelled.start], [labelled.row], { requested_element: { elementType: 'state', time: labelled.start, duration: labelled.end - labelled.start } })));
    assert.equal(typeof tip, 'object', `${d.id}: tooltip`);
    tooltips++;
  }
  for (const s of all) if (s.style && s.style.parentKey) assert.ok(styles.styles[s.style.parentKey], `${d.id}: style ${s.style.parentKey} defined`);
  return { entries: tree.entries.length, states: all.length, arrows: arrows.length };
}

for (const [n, trace] of traces.entries()) {
  test(`the Trace Viewer's client reads every output of ${n === 0 ? 'the Redis demo' : 'the microservices demo'}`, async () => {
    assert.ok(trace, 'set KVSCOPE_TRACE and KVSCOPE_SERVICES_TRACE (web-tests/run.sh records them)');
    const server = await serveForTsp(trace);
    try {
      const client = new HttpTspClient(server.api);
      assert.equal(model('health', await client.checkHealth()).status, 'UP');
      const exp = await experimentOf(client, trace, 'tsp-client-' + n);
      const rep = report(trace);
      assert.equal(exp.start, rep.start, 'experiment start, to the ns');
      assert.equal(exp.end, rep.end, 'experiment end, to the ns');
      const { start, end } = exp;

      const outputs = model('outputs', await client.experimentOutputs(exp.UUID));
      const kinds = new Set(outputs.map(d => d.type));
      for (const k of ['TIME_GRAPH', 'TREE_TIME_XY', 'DATA_TREE', 'TABLE']) assert.ok(kinds.has(k), `an output of type ${k}`);
      const seen = {};
      for (const d of outputs) {
        switch (d.type) {
          case 'TIME_GRAPH': seen[d.id] = await timeGraph(client, exp, d, start, end); break;
          case 'TREE_TIME_XY': {
            const tree = generic(`${d.id} tree`, await client.fetchXYTree(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end)));
            const ids = tree.entries.map(e => e.id);
            const xy = generic(`${d.id} xy`, await client.fetchXY(exp.UUID, d.id, QueryHelper.selectionTimeRangeQuery(start, end, 200, ids)));
            for (const s of xy.series) assert.equal(s.xValues.length, s.yValues.length, `${d.id}: x and y of ${s.seriesName}`);
            seen[d.id] = { series: xy.series.length };
            break;
          }
          case 'DATA_TREE': {
            const tree = generic(`${d.id} data tree`, await client.fetchDataTree(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end)));
            seen[d.id] = { entries: tree.entries.length, tree };
            break;
          }
          case 'TABLE': {
            const columns = generic(`${d.id} columns`, await client.fetchTableColumns(exp.UUID, d.id, QueryHelper.timeRangeQuery(start, end)));
            const lines = generic(`${d.id} lines`, await client.fetchTableLines(exp.UUID, d.id,
              QueryHelper.tableQuery(columns.map(c => c.id), 0, 100)));
            for (const l of lines.lines) assert.equal(l.cells.length, columns.length, `${d.id}: a cell per column`);
            seen[d.id] = { columns: columns.length, lines: lines.lines.length };
            break;
          }
          default: assert.fail(`output ${d.id} of a type the viewer does not draw: ${d.type}`);
        }
        const categories = generic(`${d.id} annotation categories`, await client.fetchAnnotationsCategories(exp.UUID, d.id));
        assert.ok(Array.isArray(categories.annotationCategories), `${d.id}: annotation categories`);
      }
      model('marker sets', await client.fetchMarkerSets(exp.UUID));

      // The statistics table, as the page shows it, against the report: count, min, p50, p99, max per command.
      const stats = seen['kvscope.statistics'].tree.entries;
      let compared = 0;
      for (const server of rep.servers) {
        if (server.commands.length === 0) continue; // a node seen only on the cluster bus: no row
        const parent = stats.find(e => e.parentId === -1 && e.labels[0] === server.name);
        assert.ok(parent, `statistics list ${server.name}`);
        for (const c of server.commands) {
          const row = stats.find(e => e.parentId === parent.id && e.labels[0] === c.name);
          assert.ok(row, `statistics list ${c.name} on ${server.name}`);
          assert.deepEqual([row.labels[1], row.labels[2], row.labels[4], row.labels[5], row.labels[6]],
            [c.count, c.min_ns, c.p50_ns, c.p99_ns, c.max_ns].map(String), `${server.name} ${c.name}`);
          compared++;
        }
      }
      assert.ok(compared > 0, 'commands compared');
      assert.ok(tooltips > 0, 'tooltips fetched');
      const netflow = seen['kvscope.netflow'];
      assert.ok(netflow.states > 0, 'netflow states');
      assert.ok(seen['kvscope.threads'].states > 0, 'thread states');
      // The services' views have rows only where the Node.js agent traced services.
      if (n === 1) assert.ok(seen['kvscope.services'].entries > 0, 'services rows');
      log(`tsp-client: ${outputs.length} outputs read by tsp-typescript-client; ${compared} statistics rows equal the report; `
        + `netflow ${netflow.states} states, ${netflow.arrows} arrows`);
    } finally {
      server.stop();
    }
  });
}
