// kvscope's page: the views of one experiment, drawn on canvas from the Trace Server Protocol endpoints under
// /tsp/api — the same calls the VS Code / Theia trace viewers make. No build step, no library.
'use strict';

const API = '/tsp/api';
const BIG = '__kvbig__';
const ROW = 16;
const ARROW = '#4a148c'; // links between rows: darker than every state colour, so a thin line still shows

// ---------------------------------------------------------------- JSON with exact 64-bit integers
// Times are int64 ns since the epoch (~1.7e18): JSON.parse would round them to 256 ns. Integers of 16+ digits are
// turned into BigInt; the page then works in Numbers relative to the experiment start (exact up to 104 days).
function parseJson(text) {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.\deE])/g,
    m => m[0] === '"' ? m : '"' + BIG + m + '"');
  return JSON.parse(marked, (k, v) => typeof v === 'string' && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v);
}
function toJson(obj) {
  return JSON.stringify(obj, (k, v) => typeof v === 'bigint' ? BIG + v.toString() : v)
    .replace(new RegExp('"' + BIG + '(-?\\d+)"', 'g'), '$1');
}
async function call(method, path, parameters) {
  const init = { method, headers: {} };
  if (parameters !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = toJson({ parameters });
  }
  const r = await fetch(API + path, init);
  const body = parseJson(await r.text());
  if (!r.ok) throw new Error(body.title + ': ' + body.detail);
  return body;
}

// ---------------------------------------------------------------- shared time state
const S = {
  exp: null, origin: 0n, span: 1,       // experiment, its start (BigInt), its length (ns)
  t0: 0, t1: 1,                         // visible range, ns relative to origin
  cursor: null,                         // ns relative to origin, or null
  styles: {},
};
const abs = rel => S.origin + BigInt(Math.round(rel));
const rel = t => Number(BigInt(t) - S.origin);
const xOf = (t, w) => (t - S.t0) / (S.t1 - S.t0) * w;
const tOf = (x, w) => S.t0 + x / w * (S.t1 - S.t0);

function fmtDuration(ns) {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(a >= 1e10 ? 1 : 3) + ' s';
  if (a >= 1e6) return (ns / 1e6).toFixed(a >= 1e7 ? 1 : 3) + ' ms';
  if (a >= 1e3) return (ns / 1e3).toFixed(a >= 1e4 ? 1 : 3) + ' µs';
  return Math.round(ns) + ' ns';
}

function colour(key) {
  const s = S.styles[key];
  return s && s.values ? s.values['background-color'] : '#888';
}

// ---------------------------------------------------------------- canvases
function fit(canvas, height) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  if (height !== undefined) canvas.style.height = height + 'px';
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const g = canvas.getContext('2d');
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { g, w, h };
}

function drawCursor(g, w, h) {
  if (S.cursor === null) return;
  const x = xOf(S.cursor, w);
  if (x < 0 || x > w) return;
  g.strokeStyle = '#d50000';
  g.lineWidth = 1;
  g.beginPath(); g.moveTo(x + 0.5, 0); g.lineTo(x + 0.5, h); g.stroke();
}

function drawAxis() {
  const c = document.getElementById('axis');
  const { g, w, h } = fit(c);
  g.clearRect(0, 0, w, h);
  const span = S.t1 - S.t0;
  // Ticks 1, 2 or 5 × 10^k ns apart, about every 100 px.
  const raw = span / Math.max(1, w / 100);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw);
  g.fillStyle = '#444'; g.strokeStyle = '#999'; g.font = '11px system-ui';
  for (let t = Math.ceil(S.t0 / step) * step; t <= S.t1; t += step) {
    const x = xOf(t, w);
    g.beginPath(); g.moveTo(x + 0.5, h - 8); g.lineTo(x + 0.5, h); g.stroke();
    g.fillText('+' + fmtDuration(t), x + 2, h - 12);
  }
  drawCursor(g, w, h);
  document.getElementById('range').textContent =
    'visible ' + fmtDuration(span) + ' from +' + fmtDuration(S.t0) + ' (trace ' + fmtDuration(S.span) + ')';
}

// ---------------------------------------------------------------- time graphs
class TimeGraph {
  constructor(section) {
    this.output = section.dataset.output;
    this.canvas = section.querySelector('canvas');
    this.labels = section.querySelector('.labels');
    this.entries = []; this.rows = []; this.states = new Map(); this.seq = 0;
    this.arrows = []; this.drawn = [];
    interact(this.canvas, (x, y) => this.hover(x, y), (x, y) => this.click(x, y));
  }
  async load() {
    const r = await call('POST', `/experiments/${S.exp}/outputs/timeGraph/${this.output}/tree`, {});
    this.entries = r.model.entries;
    this.labels.replaceChildren(...this.entries.map(e => {
      const d = document.createElement('div');
      d.textContent = e.labels[0];
      d.title = e.labels[0];
      if (!e.hasData) d.className = 'parent';
      return d;
    }));
    if (this.entries.length === 0) this.labels.innerHTML = '<div class="empty">nothing in this trace</div>';
  }
  async fetch() {
    const ids = this.entries.filter(e => e.hasData).map(e => e.id);
    if (ids.length === 0) return this.draw();
    const seq = ++this.seq;
    const w = Math.max(1, this.canvas.clientWidth);
    const range = { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0 + 1, S.t1)), nbTimes: Math.min(65536, Math.ceil(w)) };
    const out = `/experiments/${S.exp}/outputs/timeGraph/${this.output}`;
    const [r, a] = await Promise.all([
      call('POST', out + '/states', { requested_timerange: range, requested_items: ids }),
      call('POST', out + '/arrows', { requested_timerange: range }),
    ]);
    if (seq !== this.seq) return; // a newer range was asked for meanwhile
    this.states = new Map(r.model.rows.map(row => [row.entryId, row.states.map(s => ({
      s: rel(s.start), e: rel(s.end), label: s.label || '', key: s.style ? s.style.parentKey : '',
    }))]));
    // TSP arrows: from (start, source row) to (end, target row), e.g. a PUBLISH to the subscriber's write.
    this.arrows = (a.model || []).map(x => ({
      src: x.sourceId, dst: x.targetId, s: rel(x.start), e: rel(x.end), key: x.style ? x.style.parentKey : '',
    }));
    this.draw();
  }
  draw() {
    const { g, w, h } = fit(this.canvas, Math.max(ROW, this.entries.length * ROW));
    g.clearRect(0, 0, w, h);
    g.font = '10px system-ui'; g.textBaseline = 'middle';
    this.entries.forEach((e, i) => {
      const y = i * ROW;
      if (!e.hasData) { g.fillStyle = '#f3f3f3'; g.fillRect(0, y, w, ROW); return; }
      for (const st of this.states.get(e.id) || []) {
        const x0 = Math.max(0, xOf(st.s, w)), x1 = Math.min(w, xOf(st.e + 1, w));
        if (x1 < 0 || x0 > w) continue;
        const style = S.styles[st.key];
        const frac = style && style.values ? style.values.height : 1;
        const bh = (ROW - 2) * frac;
        g.fillStyle = colour(st.key);
        g.fillRect(x0, y + (ROW - bh) / 2, Math.max(1, x1 - x0), bh);
        if (st.label && x1 - x0 > 30) {
          g.save(); g.beginPath(); g.rect(x0, y, x1 - x0, ROW); g.clip();
          g.fillStyle = '#000'; g.fillText(st.label, x0 + 2, y + ROW / 2); g.restore();
        }
      }
    });
    this.drawArrows(g, w);
    drawCursor(g, w, h);
  }
  /** Arrows that overlap the visible range, between rows listed here; kept (in px) for hovering and the tests. */
  drawArrows(g, w) {
    const row = new Map(this.entries.map((e, i) => [e.id, i]));
    this.drawn = [];
    g.save();
    g.lineWidth = 1;
    for (const a of this.arrows) {
      if (a.e < S.t0 || a.s > S.t1) continue;
      const i = row.get(a.src), j = row.get(a.dst);
      if (i === undefined || j === undefined) continue;
      // The arrow's own style when the provider has one (publish → bus → subscriber hops differ), else one dark colour.
      const style = S.styles[a.key];
      g.strokeStyle = g.fillStyle = style && style.values && style.values['background-color'] || ARROW;
      const x0 = xOf(a.s, w), y0 = i * ROW + ROW / 2, x1 = xOf(a.e, w), y1 = j * ROW + ROW / 2;
      g.beginPath(); g.moveTo(x0, y0); g.lineTo(x1, y1); g.stroke();
      const len = Math.hypot(x1 - x0, y1 - y0);
      if (len > 0) { // the head: a small triangle at the target, along the line
        const ux = (x1 - x0) / len, uy = (y1 - y0) / len, hl = Math.min(7, len), hw = 3;
        g.beginPath(); g.moveTo(x1, y1);
        g.lineTo(x1 - ux * hl - uy * hw, y1 - uy * hl + ux * hw);
        g.lineTo(x1 - ux * hl + uy * hw, y1 - uy * hl - ux * hw);
        g.closePath(); g.fill();
      }
      this.drawn.push({ x0, y0, x1, y1, arrow: a });
    }
    g.restore();
    this.canvas.dataset.arrows = String(this.drawn.length);
  }
  /** The drawn arrow within 4 px of (x, y), or null. */
  arrowAt(x, y) {
    let best = null, bd = 16;
    for (const d of this.drawn) {
      const dx = d.x1 - d.x0, dy = d.y1 - d.y0, l2 = dx * dx + dy * dy;
      const k = l2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - d.x0) * dx + (y - d.y0) * dy) / l2));
      const dist = (d.x0 + k * dx - x) ** 2 + (d.y0 + k * dy - y) ** 2;
      if (dist < bd) { bd = dist; best = d; }
    }
    return best;
  }
  label(id) { const e = this.entries.find(x => x.id === id); return e ? e.labels[0] : String(id); }
  hover(x, y) {
    const d = this.arrowAt(x, y);
    if (d) {
      const a = d.arrow;
      return (a.key || 'link') + ' · ' + fmtDuration(a.e - a.s) + '\nfrom ' + this.label(a.src) + ' at +' + fmtDuration(a.s)
        + '\nto ' + this.label(a.dst) + ' at +' + fmtDuration(a.e);
    }
    const e = this.entries[Math.floor(y / ROW)];
    if (!e) return null;
    const t = tOf(x, this.canvas.clientWidth);
    const st = (this.states.get(e.id) || []).find(s => s.s <= t && t <= s.e + 1);
    return e.labels[0] + (st ? '\n' + (st.label || st.key) + '  (' + fmtDuration(st.e - st.s + 1) + ')' : '');
  }
  /** A click on an arrow puts the cursor at its source; elsewhere, where the click is. */
  click(x, y) {
    const d = this.arrowAt(x, y);
    if (!d) return false;
    setCursor(d.arrow.s);
    return true;
  }
}

// ---------------------------------------------------------------- latency scatter
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
class Scatter {
  constructor(section) {
    this.output = section.dataset.output;
    this.canvas = section.querySelector('canvas');
    this.legend = section.querySelector('.labels');
    this.series = []; this.ids = []; this.points = []; this.seq = 0;
    interact(this.canvas, (x, y) => this.hover(x, y), (x, y) => this.click(x, y));
  }
  async load() {
    const r = await call('POST', `/experiments/${S.exp}/outputs/XY/${this.output}/tree`, {});
    const entries = r.model.entries;
    this.ids = entries.filter(e => e.hasData && e.isDefault).map(e => e.id);
    const parents = new Map(entries.map(e => [e.id, e.labels[0]]));
    this.names = new Map(entries.filter(e => e.hasData).map(e => [e.id, (parents.get(e.parentId) || '') + ' ' + e.labels[0]]));
  }
  async fetch() {
    if (this.ids.length === 0) return this.draw();
    const seq = ++this.seq;
    const w = Math.max(1, this.canvas.clientWidth);
    const r = await call('POST', `/experiments/${S.exp}/outputs/XY/${this.output}/xy`, {
      requested_timerange: { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0 + 1, S.t1)), nbTimes: Math.min(65536, Math.ceil(w)) },
      requested_items: this.ids,
    });
    if (seq !== this.seq) return;
    this.series = r.model.series;
    this.legend.replaceChildren(...this.series.map((s, i) => {
      const d = document.createElement('div');
      d.innerHTML = `<span style="color:${PALETTE[i % PALETTE.length]}">●</span> `;
      d.append(this.names.get(s.seriesId) || s.seriesName);
      return d;
    }));
    this.draw();
  }
  draw() {
    const { g, w, h } = fit(this.canvas);
    g.clearRect(0, 0, w, h);
    this.points = [];
    let max = 1, min = Infinity;
    for (const s of this.series) for (const y of s.yValues) if (y > 0) { if (y > max) max = y; if (y < min) min = y; }
    // Log scale from the fastest to the slowest request shown: a tail 1000× the median stays on the same chart.
    const lo = Math.log10(Math.max(1, min === Infinity ? 1 : min / 2)), hi = Math.log10(max * 1.5);
    const ly = v => h - 6 - (Math.log10(Math.max(1, v)) - lo) / Math.max(1e-9, hi - lo) * (h - 16);
    this.series.forEach((s, i) => {
      g.fillStyle = PALETTE[i % PALETTE.length];
      s.xValues.forEach((xv, k) => {
        const y = s.yValues[k];
        if (!(y > 0)) return; // no request in that pixel
        const x = xOf(rel(xv), w), py = ly(y);
        g.fillRect(x - 2, py - 2, 4, 4);
        this.points.push({ x, y: py, t: rel(xv), latency: y, name: this.names.get(s.seriesId) || s.seriesName });
      });
    });
    g.fillStyle = '#333'; g.font = '10px system-ui';
    for (let d = Math.pow(10, Math.ceil(lo)); d <= max * 1.5; d *= 10) {
      for (const m of [1, 2, 5]) {
        const y = ly(d * m);
        if (y < 8 || y > h - 4) continue;
        g.fillRect(0, y, m === 1 ? 6 : 3, 1);
        if (m === 1 || hi - lo < 2) g.fillText(fmtDuration(d * m), 8, y + 3);
      }
    }
    drawCursor(g, w, h);
  }
  nearest(x, y) {
    let best = null, bd = 64;
    for (const p of this.points) { const d = (p.x - x) ** 2 + (p.y - y) ** 2; if (d < bd) { bd = d; best = p; } }
    return best;
  }
  hover(x, y) { const p = this.nearest(x, y); return p ? p.name + '\n' + fmtDuration(p.latency) + ' at +' + fmtDuration(p.t) : null; }
  click(x, y) { const p = this.nearest(x, y); if (p) { setCursor(p.t); return true; } return false; }
}

// ---------------------------------------------------------------- tables
function fillTable(table, headers, rows, numeric) {
  const head = '<tr>' + headers.map(h => `<th>${esc(h)}</th>`).join('') + '</tr>';
  table.innerHTML = head;
  for (const r of rows) {
    const tr = document.createElement('tr');
    r.cells.forEach((c, i) => {
      const td = document.createElement('td');
      td.textContent = c;
      if (numeric && numeric(i)) td.className = 'num';
      if (i === 0 && r.depth) td.style.paddingLeft = (6 + 14 * r.depth) + 'px';
      tr.append(td);
    });
    if (r.onclick) tr.onclick = r.onclick;
    if (r.title) tr.title = r.title;
    table.append(tr);
  }
  if (rows.length === 0) table.insertAdjacentHTML('beforeend', `<tr><td class="empty" colspan="${headers.length}">nothing here</td></tr>`);
}
const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function treeRows(entries) {
  const depth = new Map();
  return entries.map(e => {
    const d = e.parentId === -1 || !depth.has(e.parentId) ? 0 : depth.get(e.parentId) + 1;
    depth.set(e.id, d);
    return { cells: e.labels, depth: d };
  });
}

async function loadStatistics() {
  const r = await call('POST', `/experiments/${S.exp}/outputs/data/kvscope.statistics/tree`, {
    requested_timerange: { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0, S.t1)), nbTimes: 1 },
  });
  fillTable(document.getElementById('statistics'), r.model.headers.map(h => h.name), treeRows(r.model.entries), i => i > 0);
}

async function loadExplorer() {
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

// A table of loaded lines, filtered and sorted in the page: every word typed must appear in a line's text, and a
// click on a column header sorts by it (numbers as numbers, exact for 64-bit times), again to reverse.
const SHOWN_MAX = 500; // lines put in the DOM at once; the count says how many match
class LineTable {
  constructor(name, columns) {
    this.table = document.getElementById(name);
    this.filter = document.getElementById(name + '-filter');
    this.count = document.getElementById(name + '-count');
    this.columns = columns; // [{ name, numeric, show(raw) }]
    this.lines = []; this.total = 0; this.sort = null; // { col, dir }
    let timer = null;
    this.filter.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => this.render(), 80); });
  }
  /** lines: [{ raw: [cell…], title, onclick }], total: the table's size on the server. */
  set(lines, total) {
    for (const l of lines) {
      l.cells = l.raw.map((v, i) => this.columns[i].show ? this.columns[i].show(v) : v);
      l.text = (l.cells.join(' ') + ' ' + l.raw.join(' ')).toLowerCase();
      l.keys = l.raw.map((v, i) => this.columns[i].numeric ? sortKey(v) : String(v).toLowerCase());
    }
    this.lines = lines; this.total = total;
    this.render();
  }
  render() {
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(w => w);
    let rows = words.length ? this.lines.filter(l => words.every(w => l.text.includes(w))) : this.lines.slice();
    if (this.sort) {
      const { col, dir } = this.sort;
      rows.sort((a, b) => dir * compareKeys(a.keys[col], b.keys[col]));
    }
    fillTable(this.table, this.columns.map(c => c.name), rows.slice(0, SHOWN_MAX), i => this.columns[i].numeric);
    this.table.querySelectorAll('th').forEach((th, i) => {
      th.className = 'sortable';
      th.title = 'sort by ' + this.columns[i].name;
      if (this.sort && this.sort.col === i) th.dataset.sort = this.sort.dir > 0 ? 'asc' : 'desc';
      th.onclick = () => {
        this.sort = { col: i, dir: this.sort && this.sort.col === i ? -this.sort.dir : 1 };
        this.render();
      };
    });
    this.table.dataset.filter = this.filter.value; // what the lines shown were filtered by (the tests wait on it)
    const more = this.total > this.lines.length ? ` (the first ${this.lines.length} of ${this.total} loaded)` : '';
    this.count.textContent = (words.length ? `${rows.length} of ${this.lines.length} lines match` : `${rows.length} lines`)
      + (rows.length > SHOWN_MAX ? `, first ${SHOWN_MAX} shown` : '') + more;
  }
}
// Integers (64-bit times among them) compare exactly as BigInt, other numbers as numbers; empty cells sort last.
function sortKey(v) {
  const t = String(v).trim();
  if (t === '') return null;
  if (/^-?\d+$/.test(t)) return BigInt(t);
  const n = Number(t);
  return Number.isFinite(n) ? n : t.toLowerCase();
}
function compareKeys(a, b) {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ta = typeof a === 'string', tb = typeof b === 'string';
  if (ta !== tb) return ta ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

let findings, slowest;

async function loadFindings() {
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

async function loadSlowest() {
  const out = `/experiments/${S.exp}/outputs/table/kvscope.latency.slowest`;
  const cols = (await call('POST', out + '/columns', {})).model;
  const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: 10000 })).model;
  const ts = cols.findIndex(c => c.name === 'Timestamp ns');
  slowest = slowest || new LineTable('slowest', cols.map((c, i) => ({
    name: c.name, numeric: c.type !== 'STRING', show: i === ts ? v => '+' + fmtDuration(rel(v)) : null,
  })));
  slowest.set(r.lines.map(l => {
    const raw = l.cells.map(c => c.content);
    const t = rel(raw[ts]);
    return { raw, onclick: () => { setCursor(t); centreOn(t); } };
  }), r.size);
}

// ---------------------------------------------------------------- interaction
const tooltip = document.getElementById('tooltip');
let views = [];

function interact(canvas, hover, click) {
  let drag = null;
  canvas.addEventListener('wheel', ev => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    zoom(ev.deltaY < 0 ? 0.8 : 1.25, tOf(ev.clientX - r.left, r.width));
  }, { passive: false });
  canvas.addEventListener('mousedown', ev => { drag = { x: ev.clientX, t0: S.t0, t1: S.t1, moved: false }; });
  window.addEventListener('mousemove', ev => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 3) drag.moved = true;
    if (!drag.moved) return;
    const dt = dx / canvas.clientWidth * (drag.t1 - drag.t0);
    setRange(drag.t0 - dt, drag.t1 - dt);
  });
  window.addEventListener('mouseup', ev => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    if (moved || ev.target !== canvas) return;
    const r = canvas.getBoundingClientRect();
    if (!(click && click(ev.clientX - r.left, ev.clientY - r.top))) setCursor(tOf(ev.clientX - r.left, r.width));
  });
  canvas.addEventListener('mousemove', ev => {
    const r = canvas.getBoundingClientRect();
    const text = hover(ev.clientX - r.left, ev.clientY - r.top);
    tooltip.hidden = !text;
    if (text) { tooltip.textContent = text; tooltip.style.left = ev.clientX + 12 + 'px'; tooltip.style.top = ev.clientY + 12 + 'px'; }
  });
  canvas.addEventListener('mouseleave', () => { tooltip.hidden = true; });
}

function zoom(factor, around) {
  const a = around === undefined ? (S.t0 + S.t1) / 2 : around;
  setRange(a - (a - S.t0) * factor, a + (S.t1 - a) * factor);
}

function centreOn(t) {
  const half = (S.t1 - S.t0) / 2;
  setRange(t - half, t + half);
}

let refetch = null;
function setRange(t0, t1) {
  const min = 100; // ns: below that, there is nothing more to see
  if (t1 - t0 < min) { const m = (t0 + t1) / 2; t0 = m - min / 2; t1 = m + min / 2; }
  const span = Math.min(t1 - t0, S.span);
  if (t0 < 0) t0 = 0;
  if (t0 + span > S.span) t0 = S.span - span;
  S.t0 = t0; S.t1 = t0 + span;
  redraw();
  clearTimeout(refetch);
  refetch = setTimeout(fetchAll, 120);
}

function setCursor(t) {
  S.cursor = t;
  redraw();
  loadExplorer().catch(showError);
}

function redraw() {
  drawAxis();
  for (const v of views) v.draw();
}

function fetchAll() {
  for (const v of views) v.fetch().catch(showError);
  loadStatistics().catch(showError);
}

window.addEventListener('keydown', ev => {
  if (ev.target.tagName === 'INPUT') return;
  const span = S.t1 - S.t0;
  if (ev.key === '+' || ev.key === '=' || ev.key === 'w') zoom(0.8);
  else if (ev.key === '-' || ev.key === 's') zoom(1.25);
  else if (ev.key === 'ArrowLeft' || ev.key === 'a') setRange(S.t0 - span / 5, S.t1 - span / 5);
  else if (ev.key === 'ArrowRight' || ev.key === 'd') setRange(S.t0 + span / 5, S.t1 + span / 5);
  else if (ev.key === '0') setRange(0, S.span);
});
window.addEventListener('resize', () => { redraw(); clearTimeout(refetch); refetch = setTimeout(fetchAll, 120); });

function showError(e) {
  console.error(e);
  document.getElementById('experiment').textContent = String(e.message || e);
}

// ---------------------------------------------------------------- start
async function waitForAnalysis(id) {
  const box = document.getElementById('progress');
  while (true) {
    const e = await call('GET', '/experiments/' + id);
    if (e.indexingStatus !== 'RUNNING') { box.hidden = true; return e; }
    box.hidden = false;
    const p = Number(e.properties && e.properties.progress || 0);
    document.getElementById('progress-bar').style.width = (100 * p).toFixed(1) + '%';
    document.getElementById('progress-text').textContent = 'analysing ' + (100 * p).toFixed(0) + '% · ' + e.nbEvents + ' events';
    await new Promise(r => setTimeout(r, 500));
  }
}

async function main() {
  const wanted = new URLSearchParams(location.search).get('experiment');
  const exps = await call('GET', '/experiments');
  const chosen = exps.find(e => e.UUID === wanted) || exps[0];
  if (!chosen) { showError(new Error('no experiment open: start the server with kvscope serve TRACE')); return; }
  S.exp = chosen.UUID;
  document.getElementById('experiment').textContent = chosen.name;
  const e = await waitForAnalysis(S.exp);
  if (e.properties && e.properties.analysis === 'FAILED') { showError(new Error('analysis failed: ' + e.properties.error)); return; }
  S.origin = BigInt(e.start);
  S.span = Math.max(1, rel(e.end));
  S.t0 = 0; S.t1 = S.span;
  document.getElementById('experiment').textContent = chosen.name + ' · ' + e.nbEvents + ' events';
  const style = await call('POST', `/experiments/${S.exp}/outputs/kvscope.netflow/style`, {});
  S.styles = style.model.styles;
  document.getElementById('legend').innerHTML = Object.keys(S.styles)
    .map(k => `<span><i style="background:${colour(k)}"></i>${esc(k)}</span>`).join('')
    + '<span class="arrow-key"><i></i>➝ link between rows (PUBLISH → subscriber): hover for its two times</span>';
  views = [...document.querySelectorAll('section.view')].map(s => new TimeGraph(s));
  views.push(new Scatter(document.querySelector('section.scatter')));
  await Promise.all(views.map(v => v.load()));
  redraw();
  fetchAll();
  loadSlowest().catch(showError);
  loadFindings().catch(showError);
}

main().catch(showError);
