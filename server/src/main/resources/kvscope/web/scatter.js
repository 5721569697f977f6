// The latency scatter (TSP XY output): per pixel and per command, the slowest request, on a log scale.
import { drawCursor, fit, interact } from './canvas.js';
import { fmtDuration } from './format.js';
import { S, abs, rel, setCursor, xOf } from './state.js';
import { call } from './tsp.js';

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
export class Scatter {
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
    // Nothing to plot says why, instead of an empty box.
    const empty = this.ids.length === 0 ? 'no Redis request in this trace' : this.points.length === 0 ? 'no request in the visible range' : '';
    if (empty) { g.fillStyle = '#999'; g.font = 'italic 12px system-ui'; g.fillText(empty, w / 2 - 80, h / 2); }
    this.canvas.dataset.empty = empty;
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
