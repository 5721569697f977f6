// What every canvas view shares: sizing for the screen's pixel ratio, the cursor line, the time axis, and the mouse
// (wheel: zoom, drag: pan, click: cursor, hover: a tooltip the view writes).
import { fmtDuration } from './format.js';
import { S, setCursor, setRange, tOf, xOf, zoom } from './state.js';

/** Sizes a canvas to its CSS box (optionally setting its height first); returns its context in CSS pixels. */
export function fit(canvas, height) {
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

export function drawCursor(g, w, h) {
  if (S.cursor === null) return;
  const x = xOf(S.cursor, w);
  if (x < 0 || x > w) return;
  g.strokeStyle = '#d50000';
  g.lineWidth = 1;
  g.beginPath(); g.moveTo(x + 0.5, 0); g.lineTo(x + 0.5, h); g.stroke();
}

export function drawAxis() {
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

/**
 * The mouse over a view's canvas. hover(x, y) returns the tooltip's text or null; click(x, y) returns true when it
 * handled the click itself (e.g. on an arrow), else the cursor goes where the click is.
 */
export function interact(canvas, hover, click) {
  const tooltip = document.getElementById('tooltip');
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
