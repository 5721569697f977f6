// The page's shared time state: the experiment, the visible range and the cursor, in ns relative to the experiment's
// start (Numbers, exact up to 104 days). Views do not call each other: they listen here for range and cursor changes.

export const S = {
  exp: null, origin: 0n, span: 1,       // experiment, its start (BigInt), its length (ns)
  t0: 0, t1: 1,                         // visible range, ns relative to origin
  cursor: null,                         // ns relative to origin, or null
  selection: null,                      // { server, fds: [fd…], tids: [tid…] }: rows to highlight, or null
  view: null,                           // the output id of the view last navigated to (a finding's), or null
  styles: {},
};
export const abs = rel => S.origin + BigInt(Math.round(rel));
export const rel = t => Number(BigInt(t) - S.origin);
export const xOf = (t, w) => (t - S.t0) / (S.t1 - S.t0) * w;
export const tOf = (x, w) => S.t0 + x / w * (S.t1 - S.t0);

/** The fill colour of a state or arrow style the server named, grey when unknown. */
export function colour(key) {
  const s = S.styles[key];
  return s && s.values ? s.values['background-color'] : '#888';
}

const listeners = { range: [], cursor: [], selection: [] };
/** fn() after every change of `what`: 'range' (the visible range), 'cursor' or 'selection'. */
export function on(what, fn) { listeners[what].push(fn); }
const emit = what => { for (const fn of listeners[what]) fn(); };

export function setRange(t0, t1) {
  const min = 100; // ns: below that, there is nothing more to see
  if (t1 - t0 < min) { const m = (t0 + t1) / 2; t0 = m - min / 2; t1 = m + min / 2; }
  const span = Math.min(t1 - t0, S.span);
  if (t0 < 0) t0 = 0;
  if (t0 + span > S.span) t0 = S.span - span;
  S.t0 = t0; S.t1 = t0 + span;
  emit('range');
}

export function setCursor(t) {
  S.cursor = t;
  emit('cursor');
}

export function zoom(factor, around) {
  const a = around === undefined ? (S.t0 + S.t1) / 2 : around;
  setRange(a - (a - S.t0) * factor, a + (S.t1 - a) * factor);
}

export function centreOn(t) {
  const half = (S.t1 - S.t0) / 2;
  setRange(t - half, t + half);
}

export function select(selection, view) {
  S.selection = selection;
  S.view = view || null;
  emit('selection');
}
