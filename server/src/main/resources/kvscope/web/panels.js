// The statistics of the visible range and the state explorer at the cursor (TSP data trees).
import { fmtDuration } from './format.js';
import { S, abs, rel } from './state.js';
import { fillTable, treeRows } from './tables.js';
import { call } from './tsp.js';

export async function loadStatistics() {
  const r = await call('POST', `/experiments/${S.exp}/outputs/data/kvscope.statistics/tree`, {
    requested_timerange: { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0, S.t1)), nbTimes: 1 },
  });
  fillTable(document.getElementById('statistics'), r.model.headers.map(h => h.name), treeRows(r.model.entries), i => i > 0);
}

export async function loadExplorer() {
  const table = document.getElementById('explorer');
  if (S.cursor === null) return;
  document.getElementById('cursor-time').textContent = 'at +' + fmtDuration(S.cursor) + ' (' + abs(S.cursor) + ' ns)';
  const r = await call('POST', `/experiments/${S.exp}/outputs/data/kvscope.state.explorer/tree`, { requested_times: [abs(S.cursor)] });
  const rows = treeRows(r.model.entries).map(row => {
    const [name, value, since, until] = row.cells;
    return { depth: row.depth, cells: [name, value, since === '' ? '' : '+' + fmtDuration(rel(since)), until === '' ? '' : '+' + fmtDuration(rel(until))] };
  });
  fillTable(table, ['Attribute', 'Value', 'Since', 'Until'], rows);
}
