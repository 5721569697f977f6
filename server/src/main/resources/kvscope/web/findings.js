// The findings table: what the detectors found; a click on a line goes there.
import { fmtDuration } from './format.js';
import { S, rel, setCursor, setRange } from './state.js';
import { LineTable } from './tables.js';
import { call } from './tsp.js';

let findings = null;

export async function loadFindings() {
  const out = `/experiments/${S.exp}/outputs/table/kvscope.findings`;
  const cols = (await call('POST', out + '/columns', {})).model;
  const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: 10000 })).model;
  const shown = ['Timestamp ns', 'Duration ns', 'Severity', 'Server', 'Finding', 'fd'];
  const idx = shown.map(n => cols.findIndex(c => c.name === n));
  const why = cols.findIndex(c => c.name === 'Explanation');
  findings = findings || new LineTable('findings', shown.map((name, i) => ({
    name, numeric: i === 0 || i === 1 || i === 5,
    show: i === 0 ? v => '+' + fmtDuration(rel(v)) : i === 1 ? v => fmtDuration(Number(v)) : null,
  })));
  findings.set(r.lines.map(l => {
    const raw = idx.map(i => i < 0 ? '' : l.cells[i].content);
    const t = rel(raw[0]), d = Number(raw[1]);
    return { raw, title: why >= 0 ? l.cells[why].content : '', onclick: () => {
      setCursor(t);
      setRange(t - Math.max(d, 1000) * 0.5, t + Math.max(d, 1000) * 1.5);
    } };
  }), r.size);
}
