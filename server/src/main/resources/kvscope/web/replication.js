// The Replication view (TSP XY output kvscope.replication, issue #19): per replica, its lag behind its master over
// time — write fed on the master → applied by the replica (full profile) — and the offset lag its master saw at each
// REPLCONF ACK (both profiles). One chart per replica on the shared time axis; each line has its own scale, its
// largest value in view beside it.
import { drawCursor, fit } from './canvas.js';
import { fmtBytes, fmtDuration } from './format.js';
import { S, rel, tOf, xOf } from './state.js';
import { call } from './tsp.js';
import { chartRow, fetchXY, valueAt } from './xycharts.js';

const COLOURS = ['#2ca02c', '#9467bd'];

export class Replication {
  constructor(section) {
    this.section = section;
    this.output = section.dataset.output;
    this.box = section.querySelector('.charts');
    this.note = section.querySelector('.note');
    this.replicas = []; this.seq = 0;
  }
  async load() {
    const r = await call('POST', `/experiments/${S.exp}/outputs/XY/${this.output}/tree`, {});
    const entries = r.model.entries;
    this.replicas = entries.filter(e => e.parentId === -1).map(e => ({
      name: e.labels[0], series: entries.filter(k => k.parentId === e.id && k.hasData).map(k => ({ id: k.id, label: k.labels[0] })),
      data: [],
    }));
    this.box.replaceChildren(...this.replicas.map(s => {
      Object.assign(s, chartRow(s.name, 'replica', false, x => this.hover(s, x)));
      return s.row;
    }));
    const text = this.replicas.length ? '' : 'no replication in this trace: no replica applied a master\'s stream or acknowledged it';
    this.note.textContent = text;
    this.note.hidden = !text;
    this.section.dataset.empty = text;
  }
  async fetch() {
    if (this.replicas.length === 0) return;
    const seq = ++this.seq;
    const w = Math.max(1, this.box.querySelector('canvas').clientWidth);
    const r = await fetchXY(this.output, this.replicas.flatMap(s => s.series.map(x => x.id)), w);
    if (seq !== this.seq) return;
    const byId = new Map(r.model.series.map(x => [x.seriesId, x]));
    for (const s of this.replicas) {
      s.data = s.series.map(x => byId.get(x.id)).filter(Boolean).map(got => ({
        label: got.yValuesDescription.unit === 'ms' ? 'lag' : 'offset lag at ACKs', ms: got.yValuesDescription.unit === 'ms',
        t: got.xValues.map(rel), y: got.yValues, max: got.yValues.reduce((a, y) => Math.max(a, y), 0),
      }));
      s.row.dataset.maxLagMs = String((s.data.find(d => d.ms) || { max: 0 }).max);
      s.row.querySelector('.keys').replaceChildren(...s.data.map((d, i) => {
        const k = document.createElement('span');
        k.innerHTML = `<i style="background:${COLOURS[i % 2]}"></i>`;
        k.append(d.label + ' max ' + this.fmt(d, d.max));
        return k;
      }));
    }
    this.draw();
  }
  fmt(d, y) { return d.ms ? fmtDuration(y * 1e6) : fmtBytes(y); }
  draw() {
    for (const s of this.replicas) {
      const { g, w, h } = fit(s.canvas);
      g.clearRect(0, 0, w, h);
      s.data.forEach((d, i) => {
        const max = Math.max(d.max, 1e-9);
        g.strokeStyle = COLOURS[i % 2];
        g.lineWidth = 1.5;
        g.beginPath();
        d.t.forEach((t, k) => { const x = xOf(t, w), y = h - 3 - d.y[k] / max * (h - 14); if (k === 0) g.moveTo(x, y); else g.lineTo(x, y); });
        g.stroke();
      });
      drawCursor(g, w, h);
    }
  }
  hover(s, x) {
    const t = tOf(x, s.canvas.clientWidth);
    const lines = s.data.map(d => d.label + ': ' + this.fmt(d, valueAt(d, t)));
    return s.name + ' at +' + fmtDuration(t) + (lines.length ? '\n' + lines.join('\n') : '');
  }
}
