// A live session (kvscope serve --live): the page follows the model while it is built. Every POLL_MS it asks for the
// experiment; when its range grew, the views list their rows again and fetch anew (what the model has written so
// far: the server marks those answers partial). The user's zoom stays: a view of the whole range follows its end, a
// zoomed one stays where it is; the cursor and the selection stay. When the session ends, one last redraw from the
// stored model.
import { fmtDuration } from './format.js';
import { S, rel } from './state.js';
import { call } from './tsp.js';

export const POLL_MS = 2000;

/** True when the experiment is a live session whose model has begun (it has a range to draw). */
export const isLive = e => e.indexingStatus === 'RUNNING' && !!(e.properties && e.properties.live) && BigInt(e.start) > 0n;

/**
 * Follows experiment `e` until its analysis ends: `refresh(done)` redraws the views (awaited, so polls never pile
 * up), `show(e)` the header. Returns the experiment as it ended.
 */
export async function follow(e, refresh, show) {
  show(e);
  let drawn = e.end; // the end the views were last drawn to
  while (e.indexingStatus === 'RUNNING') {
    await new Promise(r => setTimeout(r, POLL_MS));
    let next;
    try {
      next = await call('GET', '/experiments/' + S.exp);
    } catch (err) { failed(err); continue; }
    const done = next.indexingStatus !== 'RUNNING';
    if (done || BigInt(next.end) !== BigInt(drawn)) {
      extend(next);
      try {
        await refresh(done);
        drawn = next.end;
      } catch (err) {
        // A redraw that failed (the server busy, say): done again at the next poll — the page must not stop
        // following for one failed request; the last one, of the stored model, is tried until it succeeds.
        failed(err);
        if (done) continue;
      }
    }
    show(next);
    e = next;
  }
  return e;
}

/** Said in the console and counted (the web test checks none failed). */
function failed(err) {
  console.error('live:', err);
  document.body.dataset.liveErrors = String(Number(document.body.dataset.liveErrors || 0) + 1);
}

/** The experiment's range grew (or, at the end, is the stored model's): the page's range follows it. */
function extend(e) {
  const origin = BigInt(e.start);
  if (origin !== S.origin) {
    // The stored model's start is its first event as the live one's; should it differ, times stay where they were.
    const d = Number(origin - S.origin);
    S.t0 -= d; S.t1 -= d;
    if (S.cursor !== null) S.cursor -= d;
    S.origin = origin;
  }
  const whole = S.t0 <= 0 && S.t1 >= S.span;
  S.span = Math.max(1, rel(e.end));
  if (whole) { S.t0 = 0; S.t1 = S.span; }
  S.t1 = Math.min(S.t1, S.span);
  S.t0 = Math.max(0, Math.min(S.t0, S.t1 - 1));
}

/** The progress box while live: how far behind, and that the views are partial. */
export function showLive(e) {
  const box = document.getElementById('progress');
  const running = e.indexingStatus === 'RUNNING';
  box.hidden = !running;
  box.dataset.live = running ? '1' : '';
  document.body.dataset.live = running ? 'following' : 'ended';
  if (!running) return;
  document.getElementById('progress-text').textContent = (e.properties.live || 'live')
    + ' · views partial, up to +' + fmtDuration(S.span);
}
