// What the line-chart views over TSP XY outputs share (datavolume.js, replication.js): one chart row per tree root,
// the xy request for the visible range at one sample per pixel, and the value a step series holds at a time.
import { interact } from './canvas.js';
import { S, abs } from './state.js';
import { call } from './tsp.js';

/** A chart row: the name in bold, an optional ratio line, the legend keys, the canvas; hover(x) gives its tooltip. */
export function chartRow(name, dataKey, withRatio, hover) {
  const row = document.createElement('div');
  row.className = 'chart';
  row.dataset[dataKey] = name;
  row.innerHTML = `<div class="labels"><b></b>${withRatio ? '<div class="ratio"></div>' : ''}<div class="keys"></div></div>`
    + '<canvas></canvas>';
  row.querySelector('b').textContent = name;
  const canvas = row.querySelector('canvas');
  interact(canvas, x => hover(x), null);
  return { row, canvas };
}

/** The XY series of these items over the visible range, one sample per pixel of a chart this wide (at most 65536). */
export function fetchXY(output, items, width) {
  return call('POST', `/experiments/${S.exp}/outputs/XY/${output}/xy`, {
    requested_timerange: { start: abs(Math.max(0, S.t0)), end: abs(Math.max(S.t0 + 1, S.t1)),
      nbTimes: Math.min(65536, Math.ceil(width)) },
    requested_items: items,
  });
}

/** The value a step series {t, y} holds at time t (its last sample at or before t; the first before any). */
export function valueAt(d, t) {
  let k = 0;
  while (k + 1 < d.t.length && d.t[k + 1] <= t) k++;
  return d.y[k] || 0;
}
