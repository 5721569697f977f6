// The page's state in the URL's hash, so a link pasted to a colleague (with the same trace served) opens the same
// picture and a reload keeps it: the experiment, the visible range and the cursor (ns from the trace's start), the
// view last gone to and the rows selected. Panning and zooming replace the history entry (the back button would
// otherwise step through every wheel turn); going to a finding pushes one, so back returns to where you were.
import { S, on, select, setCursor, setRange } from './state.js';

/** What the hash says, or {} for none: { exp, t0, t1, cursor, view, selection }. */
export function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const num = k => (p.has(k) && /^-?\d+(\.\d+)?$/.test(p.get(k)) ? Number(p.get(k)) : undefined);
  const list = k => (p.get(k) || '').split(',').filter(x => /^-?\d+$/.test(x)).map(Number);
  const out = { exp: p.get('exp') || undefined, t0: num('from'), t1: num('to'), cursor: num('cursor'),
    view: p.get('view') || undefined };
  if (p.has('server')) out.selection = { server: p.get('server'), fds: list('fd'), tids: list('tid') };
  return out;
}

function hashOf() {
  const p = new URLSearchParams();
  p.set('exp', S.exp);
  p.set('from', String(Math.round(S.t0)));
  p.set('to', String(Math.round(S.t1)));
  if (S.cursor !== null) p.set('cursor', String(Math.round(S.cursor)));
  if (S.view) p.set('view', S.view);
  const sel = S.selection;
  if (sel) {
    p.set('server', sel.server);
    if (sel.fds && sel.fds.length) p.set('fd', sel.fds.join(','));
    if (sel.tids && sel.tids.length) p.set('tid', sel.tids.join(','));
  }
  return '#' + p.toString();
}

/** Scrolls to the section drawing `view` (an output id), if the page has it. */
export function showView(view) {
  const section = view && document.querySelector(`[data-output="${CSS.escape(view)}"]`);
  if (section) section.scrollIntoView({ block: 'start' });
}

let restoring = false, timer = null;
function save() {
  clearTimeout(timer);
  timer = null;
  if (!restoring && S.exp) history.replaceState(null, '', hashOf());
}

/** Applies a state read from the hash: range, cursor, selection, view; missing parts stay as they are. */
export function apply(state) {
  restoring = true;
  try {
    if (state.t0 !== undefined && state.t1 !== undefined && state.t1 > state.t0) setRange(state.t0, state.t1);
    if (state.cursor !== undefined) setCursor(state.cursor);
    select(state.selection || null, state.view);
  } finally {
    restoring = false;
  }
  if (state.view) showView(state.view);
}

/** Goes somewhere as a new history entry (a finding's place): the current state is saved first, for the back button. */
export function navigate(fn) {
  if (timer !== null) save();
  restoring = true;
  try { fn(); } finally { restoring = false; }
  history.pushState(null, '', hashOf());
  if (S.view) showView(S.view);
}

/** Called once the experiment is open: restores the hash's state, then keeps the hash up to date. */
export function startSharing() {
  apply(readHash());
  history.replaceState(null, '', hashOf());
  const later = () => { if (!restoring) { clearTimeout(timer); timer = setTimeout(save, 250); } };
  on('range', later);
  on('cursor', later);
  on('selection', later);
  window.addEventListener('popstate', () => apply(readHash()));
}
