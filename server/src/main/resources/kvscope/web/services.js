// kvscope's page, the services part: "where the time went" per route and for any request, from the TSP outputs
// kvscope.services.routes (data tree) and kvscope.services.requests (table). The Services time graph itself is a
// section.view like the others (app.js draws it).
import { esc } from './format.js';
import { S, abs, on, rel, setCursor, setRange } from './state.js';
import { call } from './tsp.js';

// One colour per kind of part (as in the HTML report).
const COLOURS = {
  SERVICE: '#4e79a7', NETWORK: '#bab0ac', REDIS_QUEUED: '#ff9896', REDIS_READING: '#2ca02c',
  REDIS_WAITING_TO_EXECUTE: '#ffbb78', REDIS_EXECUTING: '#1f77b4', REDIS_WAITING_TO_WRITE: '#f7b6d2',
  REDIS_WRITING: '#ff7f0e', REDIS_UNSEEN: '#c5b0d5', MARIADB: '#9467bd', UNTRACED: '#7f7f7f',
  REDIS_NOT_EXECUTED: '#dbdb8d',
};
const LABELS = {
  SERVICE: 'own time', NETWORK: 'network', REDIS_QUEUED: 'Redis queued', REDIS_READING: 'Redis reading',
  REDIS_WAITING_TO_EXECUTE: 'Redis waiting to execute', REDIS_EXECUTING: 'Redis executing',
  REDIS_WAITING_TO_WRITE: 'Redis waiting to write', REDIS_WRITING: 'Redis writing',
  REDIS_UNSEEN: 'Redis (not seen inside)', MARIADB: 'MariaDB', UNTRACED: 'not traced',
  REDIS_NOT_EXECUTED: 'Redis refused or queued',
};
const SHOWN = 300; // request lines put in the DOM at once

async function post(path, parameters) {
  return (await call('POST', path, parameters)).model;
}

const ms = ns => {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
  if (a >= 1e6) return (ns / 1e6).toFixed(2) + ' ms';
  if (a >= 1e3) return (ns / 1e3).toFixed(1) + ' µs';
  return Math.round(ns) + ' ns';
};

/** "KIND:name:ns;…" → [{ kind, name, ns, label }] */
function parts(text) {
  if (!text) return [];
  return text.split(';').map(p => {
    const [kind, name, ns] = p.split(':');
    const label = kind === 'SERVICE' ? name + ' own time' : (LABELS[kind] || kind) + (name ? ' (' + name + ')' : '');
    return { kind, name, ns: Number(ns), label };
  });
}

/** A stacked bar of parts, `width` px for `whole` ns; each piece's title says what it is. */
function bar(list, whole, width) {
  const d = document.createElement('div');
  d.className = 'split';
  d.style.width = width + 'px';
  for (const p of list) {
    const w = whole > 0 ? p.ns / whole * width : 0;
    if (w < 0.5) continue;
    const i = document.createElement('i');
    i.style.width = w.toFixed(1) + 'px';
    i.style.background = COLOURS[p.kind] || '#888';
    i.title = `${p.label}: ${ms(p.ns)} (${(100 * p.ns / whole).toFixed(1)} %)`;
    d.append(i);
  }
  return d;
}

function top(list, whole, n) {
  return list.slice(0, n).map(p => `${p.label} ${(100 * p.ns / Math.max(1, whole)).toFixed(1)} %`).join(' · ');
}

/** Moves the views' cursor and range to a request. */
function goTo(startNs, latencyNs) {
  const t = rel(BigInt(startNs));
  setCursor(t);
  const pad = Math.max(latencyNs * 0.25, 1000);
  setRange(t - pad, t + latencyNs + pad);
}

// ------------------------------------------------------------------ the routes, for the visible range
function visible() {
  return { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0 + 1, S.t1)) };
}

async function loadRoutes(range) {
  const box = document.getElementById('services-routes');
  const params = range ? { requested_timerange: { start: range.start, end: range.end, nbTimes: 1 } } : {};
  const tree = await post(`/experiments/${S.exp}/outputs/data/kvscope.services.routes/tree`, params);
  const entries = tree ? tree.entries : [];
  box.replaceChildren();
  if (entries.length === 0) {
    box.innerHTML = '<div class="empty">no HTTP request entered the services in this range</div>';
    return;
  }
  const routes = entries.filter(e => e.parentId === -1);
  let max = 1;
  for (const e of entries) if (e.parentId !== -1) max = Math.max(max, Number(e.labels[5]));
  for (const route of routes) {
    const [name, service, count, p50, p99, maxNs, , , partText] = route.labels;
    const kids = entries.filter(e => e.parentId === route.id);
    const whole = kids.reduce((s, k) => s + Number(k.labels[5]), 0);
    const ps = parts(partText);
    const head = document.createElement('div');
    head.className = 'route';
    head.innerHTML = `<b>${esc(name)}</b> <span>${esc(service)} · ${count} requests · p50 ${ms(Number(p50))} · `
      + `p99 ${ms(Number(p99))} · max ${ms(Number(maxNs))}</span><div class="why">the ${kids.length} slowest: `
      + `${esc(top(ps, whole, 3))}</div>`;
    head.append(bar(ps, whole, 480));
    box.append(head);
    for (const k of kids) {
      const [id, , , , , latency, start, , text] = k.labels;
      const row = document.createElement('div');
      row.className = 'request';
      const lat = Number(latency);
      row.title = 'click: show this request in the views';
      row.innerHTML = `<code>${esc(id)}</code> <span class="lat">${ms(lat)}</span>`;
      // Each request's bar is scaled to the slowest shown: lengths compare across routes.
      row.append(bar(parts(text), lat, Math.max(2, 480 * lat / max)));
      row.onclick = () => goTo(start, lat);
      box.append(row);
    }
  }
}

// ------------------------------------------------------------------ any request
let requests = [], columns = [];

async function loadRequests() {
  const out = `/experiments/${S.exp}/outputs/table/kvscope.services.requests`;
  columns = (await post(out + '/columns', {})).map(c => c.name);
  const r = await post(out + '/lines', { requested_table_index: 0, requested_table_count: 10000 });
  const col = n => columns.indexOf(n);
  requests = r.lines.map(l => {
    const c = l.cells.map(x => x.content);
    return { start: c[col('Timestamp ns')], latency: Number(c[col('Latency ns')] || 0), id: c[col('Request')],
      service: c[col('Service')], route: c[col('Route')], status: c[col('Status')], main: c[col('Main part')],
      parts: parts(c[col('Parts')]) };
  });
  document.getElementById('services-requests-count').textContent =
    r.size > requests.length ? `the first ${requests.length} of ${r.size} requests` : `${requests.length} requests`;
  renderRequests();
}

function renderRequests() {
  const words = document.getElementById('services-filter').value.toLowerCase().split(/\s+/).filter(w => w);
  const shown = requests.filter(q => words.every(w => (q.id + ' ' + q.route + ' ' + q.service + ' ' + q.status + ' '
    + q.main).toLowerCase().includes(w)));
  const max = shown.reduce((m, q) => Math.max(m, q.latency), 1);
  const table = document.getElementById('services-requests');
  table.innerHTML = '<tr><th>request</th><th>service</th><th>route</th><th>status</th><th>latency</th><th>where the time went</th></tr>';
  for (const q of shown.slice(0, SHOWN)) {
    const tr = document.createElement('tr');
    tr.innerHTML = `<td><code>${esc(q.id)}</code></td><td>${esc(q.service)}</td><td>${esc(q.route)}</td>`
      + `<td class="num">${esc(q.status)}</td><td class="num">${q.latency ? ms(q.latency) : 'unanswered'}</td><td></td>`;
    tr.lastChild.append(bar(q.parts, q.latency, Math.max(2, 300 * q.latency / max)));
    tr.lastChild.append(' ' + top(q.parts, q.latency, 2));
    tr.onclick = () => goTo(q.start, q.latency);
    table.append(tr);
  }
  table.dataset.shown = String(Math.min(SHOWN, shown.length));
}

// ------------------------------------------------------------------ start
/** Called by app.js once the experiment is analysed and the views are loaded. */
export async function startServices() {
  const tree = await post(`/experiments/${S.exp}/outputs/timeGraph/kvscope.services/tree`, {});
  const hasServices = tree && tree.entries.length > 0;
  // The Services view is drawn by app.js from the start; with no services it stays, saying why (its data-empty).
  document.getElementById('services-time').hidden = !hasServices;
  if (!hasServices) return;
  const legend = document.getElementById('services-legend');
  legend.innerHTML = Object.entries(COLOURS).map(([k, c]) => `<span><i style="background:${c}"></i>${esc(LABELS[k])}</span>`).join('');
  document.getElementById('services-filter').addEventListener('input', renderRequests);
  await Promise.all([loadRoutes(null), loadRequests()]);
  // Follow the views' visible range, once it rests.
  let timer = null;
  on('range', () => {
    clearTimeout(timer);
    timer = setTimeout(() => loadRoutes(visible()).catch(console.error), 300);
  });
}
