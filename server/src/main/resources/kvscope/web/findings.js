// The findings table: what the detectors found; a click on a line goes there — every view zoomed to its time range,
// the cursor at its start, the page scrolled to the view it names, its rows (the server, connection, threads)
// highlighted — as a new history entry, so the back button returns.
import { fmtDuration } from './format.js';
import { S, rel, select, setCursor, setRange } from './state.js';
import { navigate } from './share.js';
import { LineTable } from './tables.js';
import { call } from './tsp.js';

// The findings' View column (analysis/findings) → the output id of the section that draws it.
export const VIEWS = {
  'Netflow': 'kvscope.netflow', 'Threads': 'kvscope.threads', 'Event loop': 'kvscope.eventloop',
  'Data volume': 'kvscope.datavolume', 'Events latency': 'kvscope.latency.scatter', 'Statistics': 'kvscope.statistics',
  'Services': 'kvscope.services', 'Replication': 'kvscope.replication',
};

let findings = null;

/** The range a finding is shown in: itself, with a quarter of its length (at least 1 µs… 1 ms) either side. */
export function rangeOf(t, d) {
  const pad = Math.max(d * 0.25, Math.min(1e6, Math.max(1000, d)));
  return [t - pad, t + d + pad];
}

export function goToFinding(f) {
  navigate(() => {
    setCursor(f.t);
    const [a, b] = rangeOf(f.t, f.d);
    setRange(a, b);
    select(f.server ? { server: f.server, fds: f.fd === '' ? [] : [Number(f.fd)], tids: f.tids } : null, VIEWS[f.view] || null);
  });
}

export async function loadFindings() {
  const out = `/experiments/${S.exp}/outputs/table/kvscope.findings`;
  const cols = (await call('POST', out + '/columns', {})).model;
  const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: 10000 })).model;
  const shown = ['Timestamp ns', 'Duration ns', 'Severity', 'Server', 'Finding', 'fd', 'Threads', 'View'];
  const idx = shown.map(n => cols.findIndex(c => c.name === n));
  const why = cols.findIndex(c => c.name === 'Explanation');
  findings = findings || new LineTable('findings', shown.map((name, i) => ({
    name, numeric: i === 0 || i === 1 || i === 5,
    show: i === 0 ? v => '+' + fmtDuration(rel(v)) : i === 1 ? v => fmtDuration(Number(v)) : null,
  })));
  findings.set(r.lines.map(l => {
    const raw = idx.map(i => i < 0 ? '' : l.cells[i].content);
    const f = { t: rel(raw[0]), d: Number(raw[1]), server: raw[3], fd: raw[5], view: raw[7],
      tids: String(raw[6]).split(',').filter(x => /^\d+$/.test(x)).map(Number) };
    return { raw, title: (why >= 0 ? l.cells[why].content + '\n\n' : '') + 'click: show it in the ' + (f.view || 'views'),
      onclick: () => goToFinding(f) };
  }), r.size);
}
