// kvscope's page, the user's own OpenTelemetry spans (kvscope analyze --spans): one row per Redis client span from
// the TSP table kvscope.ownspans — linked, ambiguous (with its confidence) or not linked (why) — with its time split
// by the Redis request that served it. Clicking a row shows that request in the views. Hidden without spans.
import { esc, fmtDuration } from './format.js';
import { rel, setCursor, setRange } from './state.js';
import { call } from './tsp.js';

const SHOWN = 300; // rows put in the DOM at once

export async function loadOwnSpans(exp) {
  const box = document.getElementById('ownspans');
  const out = `/experiments/${exp}/outputs/table/kvscope.ownspans`;
  const columns = (await call('POST', out + '/columns', {})).model.map(c => c.name);
  const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: SHOWN })).model;
  if (!r || r.size === 0) { box.hidden = true; return; }
  const col = n => columns.indexOf(n);
  const rows = r.lines.map(l => l.cells.map(x => x.content));
  const count = s => rows.filter(c => c[col('State')] === s).length;
  document.getElementById('ownspans-count').textContent = `${r.size} spans` + (r.size > rows.length
    ? ` (the first ${rows.length}: ${count('LINKED')} linked, ${count('AMBIGUOUS')} ambiguous, ${count('UNLINKED')} not linked)`
    : `: ${count('LINKED')} linked, ${count('AMBIGUOUS')} ambiguous, ${count('UNLINKED')} not linked`);
  const table = document.getElementById('ownspans-table');
  table.innerHTML = '<tr><th>span</th><th>command</th><th>duration</th><th>link</th><th>server · fd</th>'
    + '<th>network</th><th>waiting in Redis</th><th>executing</th><th>where the time went</th></tr>';
  const dur = v => (v === '' ? '' : fmtDuration(Number(v)));
  for (const c of rows) {
    const tr = document.createElement('tr');
    const state = c[col('State')];
    tr.className = 'ownspan-' + state.toLowerCase();
    const link = state === 'AMBIGUOUS' ? `ambiguous, ${(100 * Number(c[col('Confidence')])).toFixed(0)} % (1 of ${esc(c[col('Candidates')])})`
      : state === 'LINKED' ? 'linked' : 'not linked';
    tr.innerHTML = `<td><code>${esc(c[col('Span')])}</code></td><td>${esc(c[col('Command')])}</td>`
      + `<td class="num">${dur(c[col('Duration ns')])}</td><td>${link}</td>`
      + `<td>${esc(c[col('Server')])}${c[col('Fd')] ? ' · fd ' + esc(c[col('Fd')]) : ''}</td>`
      + `<td class="num">${dur(c[col('Network ns')])}</td><td class="num">${dur(c[col('Waiting in Redis ns')])}</td>`
      + `<td class="num">${dur(c[col('Executing ns')])}</td><td>${esc(c[col('Summary')])}</td>`;
    tr.title = 'click: show this span in the views (trace ' + c[col('Trace')] + ')';
    tr.onclick = () => {
      const t = rel(BigInt(c[col('Timestamp ns')]));
      const d = Number(c[col('Duration ns')]);
      setCursor(t);
      setRange(t - Math.max(d * 0.25, 1000), t + d + Math.max(d * 0.25, 1000));
    };
    table.append(tr);
  }
  table.dataset.shown = String(rows.length);
  box.hidden = false;
}
