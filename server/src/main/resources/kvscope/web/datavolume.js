// The Data volume view (TSP XY output kvscope.datavolume, paper Figs. 7–8): per server, bytes/s in and out on client
// connections and on the cluster bus (per peer link on demand) and the payload clients PUBLISHed, one line chart per
// server on the shared time axis. Bus out over published payload, over the visible range, is the PUBLISH
// amplification of redis/redis#12196: shown beside each chart, as `kvscope report` names it.
import { drawCursor, fit } from './canvas.js';
import { fmtBytes, fmtDuration } from './format.js';
import { S, on, rel, tOf, xOf } from './state.js';
import { call } from './tsp.js';
import { chartRow, fetchXY, valueAt } from './xycharts.js';

const CHART = 90; // px per server
const COLOURS = { 'Clients in': '#2ca02c', 'Clients out': '#98df8a', 'Bus out': '#d62728', 'Bus in': '#ff9896',
  'Published payload': '#1f77b4' };
const LINKS = ['#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf', '#7f7f7f'];

export class DataVolume {
  constructor(section) {
    this.section = section;
    this.output = section.dataset.output;
    this.box = section.querySelector('.charts');
    this.note = section.querySelector('.note');
    this.links = section.querySelector('input.per-link');
    this.servers = []; this.seq = 0;
    this.links.addEventListener('change', () => this.fetch().catch(console.error));
    on('selection', () => this.highlight());
  }
  async load() {
    const r = await call('POST', `/experiments/${S.exp}/outputs/XY/${this.output}/tree`, {});
    const entries = r.model.entries;
    this.servers = entries.filter(e => e.parentId === -1).map(e => {
      const kids = entries.filter(k => k.parentId === e.id && k.hasData);
      return { name: e.labels[0], series: kids.map(k => ({ id: k.id, label: k.labels[0], link: !k.isDefault })), data: [] };
    });
    // A peer link is in the model once a byte crossed it (Bus/Links/<peer>): none at all, no cluster bus was traced.
    this.hasBus = this.servers.some(s => s.series.some(x => x.link));
    this.box.replaceChildren(...this.servers.map(s => {
      Object.assign(s, chartRow(s.name, 'server', true, x => this.hover(s, x)));
      s.canvas.style.height = CHART + 'px';
      return s.row;
    }));
    this.explain();
  }
  /** Why the view is empty, or holds no bus: said in words, not left as a blank box. */
  explain(totals) {
    let text = '';
    if (this.servers.length === 0) text = 'no Redis server in this trace: nothing to count';
    else if (!this.hasBus) text = 'no cluster bus in this trace: no node of a Redis Cluster sent or received cluster-bus bytes — only client bytes are drawn';
    else if (totals && totals.bus === 0 && totals.clients === 0) text = 'no bytes in the visible range';
    this.note.textContent = text;
    this.note.hidden = !text;
    this.section.dataset.empty = text;
  }
  async fetch() {
    if (this.servers.length === 0) return this.draw();
    const seq = ++this.seq;
    const w = Math.max(1, this.box.querySelector('canvas').clientWidth);
    const perLink = this.links.checked;
    const items = this.servers.flatMap(s => s.series.filter(x => perLink || !x.link).map(x => x.id));
    const r = await fetchXY(this.output, items, w);
    if (seq !== this.seq) return;
    const byId = new Map(r.model.series.map(x => [x.seriesId, x]));
    const totals = { bus: 0, clients: 0 };
    for (const s of this.servers) {
      s.data = [];
      for (const x of s.series) {
        const got = byId.get(x.id);
        if (!got) continue;
        const step = got.xValues.length > 1 ? Number(got.xValues[1] - got.xValues[0]) : S.t1 - S.t0;
        // A rate sample stands for its step's bytes: the sums are bytes over the visible range.
        const bytes = got.yValues.reduce((a, y) => a + y, 0) * step / 1e9;
        s.data.push({ ...x, t: got.xValues.map(rel), y: got.yValues, bytes });
        if (x.label.startsWith('Bus')) totals.bus += bytes;
        if (x.label.startsWith('Clients')) totals.clients += bytes;
      }
      this.describe(s);
    }
    this.explain(totals);
    this.draw();
  }
  /** The ratio and the legend beside a server's chart; the numbers are kept as data attributes for the tests. */
  describe(s) {
    const sum = label => (s.data.find(d => d.label === label) || { bytes: 0 }).bytes;
    const busOut = sum('Bus out'), published = sum('Published payload'), clientsIn = sum('Clients in');
    s.row.dataset.busOut = busOut.toFixed(0);
    s.row.dataset.published = published.toFixed(0);
    s.row.dataset.clientsIn = clientsIn.toFixed(0);
    const ratio = s.row.querySelector('.ratio');
    if (published > 0) {
      const k = busOut / published;
      s.row.dataset.ratio = k.toFixed(3);
      ratio.textContent = `bus out ${k.toFixed(1)}× the published payload`;
      ratio.title = `${fmtBytes(busOut)} sent on the cluster bus for ${fmtBytes(published)} PUBLISHed by clients `
        + `(${fmtBytes(clientsIn)} in from clients) in the visible range`;
      ratio.className = 'ratio' + (k >= 2 ? ' hot' : '');
    } else {
      delete s.row.dataset.ratio;
      ratio.textContent = busOut > 0 ? `bus out ${fmtBytes(busOut)}, nothing published` : '';
      ratio.className = 'ratio';
    }
    s.row.querySelector('.keys').replaceChildren(...s.data.filter(d => d.bytes > 0).map((d, i) => {
      const k = document.createElement('span');
      k.innerHTML = `<i style="background:${this.colour(d, i)}"></i>`;
      k.append(d.label + ' ' + fmtBytes(d.bytes));
      return k;
    }));
  }
  colour(d, i) { return COLOURS[d.label] || LINKS[i % LINKS.length]; }
  draw() {
    for (const s of this.servers) {
      const { g, w, h } = fit(s.canvas);
      g.clearRect(0, 0, w, h);
      let max = 1;
      for (const d of s.data) for (const y of d.y) if (y > max) max = y;
      s.max = max;
      const py = y => h - 3 - y / max * (h - 14);
      s.data.forEach((d, i) => {
        if (d.bytes <= 0) return;
        g.strokeStyle = this.colour(d, i);
        g.lineWidth = d.link ? 1 : 1.5;
        g.beginPath();
        d.t.forEach((t, k) => { const x = xOf(t, w); if (k === 0) g.moveTo(x, py(d.y[k])); else g.lineTo(x, py(d.y[k])); });
        g.stroke();
      });
      g.fillStyle = '#555'; g.font = '10px system-ui';
      if (s.data.some(d => d.bytes > 0)) g.fillText(fmtBytes(max) + '/s', 4, 10);
      else { g.fillStyle = '#999'; g.font = 'italic 12px system-ui'; g.fillText('no bytes in the visible range', w / 2 - 80, h / 2); }
      drawCursor(g, w, h);
    }
    this.highlight();
  }
  highlight() {
    const sel = S.selection;
    let n = 0;
    for (const s of this.servers) {
      const on = !!(sel && sel.server && sel.server === s.name);
      s.row.classList.toggle('selected', on);
      if (on) n++;
    }
    this.section.dataset.highlighted = String(n);
  }
  hover(s, x) {
    const t = tOf(x, s.canvas.clientWidth);
    const lines = s.data.filter(d => d.bytes > 0).map(d => d.label + ': ' + fmtBytes(valueAt(d, t)) + '/s');
    return s.name + ' at +' + fmtDuration(t) + (lines.length ? '\n' + lines.join('\n') : '\nno bytes');
  }
}
