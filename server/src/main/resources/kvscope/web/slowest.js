// The slowest requests table; a click on a line moves the cursor there.
import { fmtDuration } from './format.js';
import { S, centreOn, rel, setCursor } from './state.js';
import { LineTable } from './tables.js';
import { call } from './tsp.js';

let slowest = null;

export async function loadSlowest() {
  const out = `/experiments/${S.exp}/outputs/table/kvscope.latency.slowest`;
  const cols = (await call('POST', out + '/columns', {})).model;
  const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: 10000 })).model;
  const ts = cols.findIndex(c => c.name === 'Timestamp ns');
  const columns = cols.map((c, i) => ({
    name: c.name, numeric: c.type !== 'STRING', show: i === ts ? v => '+' + fmtDuration(rel(v)) : null,
  }));
  // Asked again as a live session's model grows: its first answer may have come before any request (no columns).
  if (slowest) slowest.columns = columns;
  else slowest = new LineTable('slowest', columns);
  slowest.set(r.lines.map(l => {
    const raw = l.cells.map(c => c.content);
    const t = rel(raw[ts]);
    return { raw, onclick: () => { setCursor(t); centreOn(t); } };
  }), r.size);
}
