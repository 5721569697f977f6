// A time graph (TSP timeGraph output): a row per entry, its states as coloured bars, arrows between rows (e.g. a
// PUBLISH to the subscriber's write). Fetches what the visible range needs, one sample per pixel.
import { drawCursor, fit, interact } from './canvas.js';
import { esc, fmtDuration } from './format.js';
import { S, abs, colour, on, rel, setCursor, tOf, xOf } from './state.js';
import { call } from './tsp.js';

const ROW = 16;
const ARROW = '#4a148c'; // links between rows: darker than every state colour, so a thin line still shows

export class TimeGraph {
  constructor(section) {
    this.section = section;
    this.output = section.dataset.output;
    this.canvas = section.querySelector('canvas');
    this.labels = section.querySelector('.labels');
    this.entries = []; this.rows = []; this.states = new Map(); this.seq = 0;
    this.arrows = []; this.drawn = []; this.marked = new Set();
    on('selection', () => this.highlight());
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
    // An empty view says why (the section's data-empty), instead of an empty box.
    const why = esc(this.section.dataset.empty || 'nothing in this trace');
    if (this.entries.length === 0) this.labels.innerHTML = `<div class="empty" title="${why}">${why}</div>`;
    this.section.classList.toggle('is-empty', this.entries.length === 0);
    // Listed again (a live session's new rows): the rows a finding marked stay marked.
    [...this.labels.children].forEach((d, i) => d.classList.toggle('selected', !!this.entries[i] && this.marked.has(this.entries[i].id)));
  }
  /**
   * The rows a finding concerns (S.selection: its server, connections, threads) marked in the labels and drawn on a
   * yellow band; the first scrolled into the view's box.
   */
  highlight() {
    const sel = S.selection;
    this.marked = new Set();
    if (sel) {
      const server = this.entries.find(e => e.parentId === -1 && e.labels[0] === sel.server);
      for (const e of this.entries) {
        if (!server || e.parentId !== server.id) continue;
        const fd = /^fd (-?\d+)\b/.exec(e.labels[0]), tid = /^tid (\d+)\b/.exec(e.labels[0]);
        if ((fd && (sel.fds || []).includes(Number(fd[1]))) || (tid && (sel.tids || []).includes(Number(tid[1])))) this.marked.add(e.id);
      }
      // Nothing finer to show (an event-loop stall, the bus): the server's own rows.
      if (server && this.marked.size === 0) for (const e of this.entries) if (e.id === server.id || e.parentId === server.id) this.marked.add(e.id);
    }
    [...this.labels.children].forEach((d, i) => d.classList.toggle('selected', !!this.entries[i] && this.marked.has(this.entries[i].id)));
    this.section.dataset.highlighted = String(this.marked.size);
    const first = this.entries.findIndex(e => this.marked.has(e.id));
    if (first >= 0) {
      const box = this.canvas.parentElement;
      box.scrollTop = Math.max(0, first * ROW - box.clientHeight / 3);
    }
    this.draw();
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
    if (this.entries.length === 0) { g.fillStyle = '#999'; g.font = 'italic 11px system-ui'; g.fillText(this.section.dataset.empty || '', 6, ROW / 2); }
    this.entries.forEach((e, i) => {
      const y = i * ROW;
      if (this.marked.has(e.id)) { g.fillStyle = '#fff59d'; g.fillRect(0, y, w, ROW); }
      if (!e.hasData) { if (!this.marked.has(e.id)) { g.fillStyle = '#f3f3f3'; g.fillRect(0, y, w, ROW); } return; }
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
