// kvscope's page: the views of one experiment, drawn on canvas from the Trace Server Protocol endpoints under
// /tsp/api — the same calls the VS Code / Theia trace viewers make. ES modules served as they are: no build step, no
// library. This module starts the page and wires the parts together; each part is a module of its own:
//   tsp.js (the protocol client), state.js (range, cursor), canvas.js (axis, cursor line, mouse), timegraph.js,
//   scatter.js, datavolume.js, panels.js (statistics, state explorer), tables.js, findings.js, slowest.js, services.js,
//   share.js (the state in the URL's hash).
import { drawAxis } from './canvas.js';
import { DataVolume } from './datavolume.js';
import { Replication } from './replication.js';
import { goToFinding, loadFindings } from './findings.js';
import { esc, fmtDuration } from './format.js';
import { loadExplorer, loadStatistics } from './panels.js';
import { Scatter } from './scatter.js';
import { startServices } from './services.js';
import { readHash, startSharing } from './share.js';
import { loadSlowest } from './slowest.js';
import { S, abs, colour, on, rel, setCursor, setRange, zoom } from './state.js';
import { TimeGraph } from './timegraph.js';
import { showClocks } from './clocks.js';
import { loadOwnSpans } from './ownspans.js';
import { call } from './tsp.js';
import { follow, isLive, showLive } from './live.js';

let views = [];

function redraw() {
  drawAxis();
  for (const v of views) v.draw();
}

function fetchAll() {
  for (const v of views) v.fetch().catch(showError);
  loadStatistics().catch(showError);
}

// A range change redraws at once (the states already fetched, moved) and fetches anew once the mouse rests.
let refetch = null;
on('range', () => {
  redraw();
  clearTimeout(refetch);
  refetch = setTimeout(fetchAll, 120);
});
on('cursor', () => {
  redraw();
  loadExplorer().catch(showError);
});

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

// The page's parts, for the browser's console and the web tests (modules have no globals).
window.kvscope = { S, abs, call, fmtDuration, goToFinding, rel, setCursor, setRange, get views() { return views; } };

// ---------------------------------------------------------------- start
// While the model is built: the server's progress, polled every 250 ms (the page stays responsive meanwhile), with
// the rate of events read since the previous poll.
async function waitForAnalysis(id) {
  const box = document.getElementById('progress');
  let last = null;
  while (true) {
    const e = await call('GET', '/experiments/' + id);
    if (e.indexingStatus !== 'RUNNING') { box.hidden = true; return e; }
    // A live session whose model has begun: the views draw what it holds so far, and follow it (live.js).
    if (isLive(e)) return e;
    box.hidden = false;
    const p = Number(e.properties && e.properties.progress || 0), now = performance.now(), n = Number(e.nbEvents);
    const rate = last && now > last.at ? (n - last.n) / ((now - last.at) / 1000) : null;
    last = { at: now, n };
    document.getElementById('progress-bar').style.width = (100 * p).toFixed(1) + '%';
    // Reading the events is the part that has a percentage; before it the traces are opened, after it the model is
    // written out (its State History Tree, segments, links): said in words, not as "0 events/s".
    // A live session (serve --live): how far behind the model is, until the session ends and the views load.
    const live = e.properties && e.properties.live;
    box.dataset.live = live ? '1' : '';
    document.getElementById('progress-text').textContent = live ? live : n === 0 ? 'analysing: opening the traces…'
      : 'analysing ' + (100 * p).toFixed(0) + '% · ' + n.toLocaleString('en') + ' events'
        + (p >= 1 ? ' read · storing the model…' : rate !== null ? ' · ' + Math.round(rate).toLocaleString('en') + ' events/s' : '');
    box.dataset.seen = String(p); // the tests look for it: a fast analysis may never show it
    await new Promise(r => setTimeout(r, 250));
  }
}

async function main() {
  const wanted = readHash().exp || new URLSearchParams(location.search).get('experiment');
  const exps = await call('GET', '/experiments');
  const chosen = exps.find(e => e.UUID === wanted) || exps[0];
  if (!chosen) { showError(new Error('no experiment open: start the server with kvscope serve TRACE')); return; }
  S.exp = chosen.UUID;
  document.getElementById('experiment').textContent = chosen.name;
  let e = await waitForAnalysis(S.exp);
  if (e.properties && e.properties.analysis === 'FAILED') { showError(new Error('analysis failed: ' + e.properties.error)); return; }
  S.origin = BigInt(e.start);
  S.span = Math.max(1, rel(e.end));
  S.t0 = 0; S.t1 = S.span;
  const header = x => { document.getElementById('experiment').textContent = chosen.name + ' · ' + x.nbEvents + ' events'; };
  header(e);
  showClocks(e);
  const style = await call('POST', `/experiments/${S.exp}/outputs/kvscope.netflow/style`, {});
  S.styles = style.model.styles;
  document.getElementById('legend').innerHTML = Object.keys(S.styles)
    .map(k => `<span title="${esc((S.styles[k].values || {}).label || '')}"><i style="background:${colour(k)}"></i>${esc(k)}</span>`).join('')
    + '<span class="arrow-key"><i></i>➝ link between rows (PUBLISH → subscriber): hover for its two times</span>';
  views = [...document.querySelectorAll('section.view')].map(s => new TimeGraph(s));
  views.push(new Scatter(document.querySelector('section.scatter')));
  views.push(new DataVolume(document.querySelector('section.volume')));
  views.push(new Replication(document.querySelector('section.replication')));
  await Promise.all(views.map(v => v.load()));
  startSharing(); // the range, cursor and selection a link or a reload asked for
  redraw();
  fetchAll();
  loadSlowest().catch(showError);
  if (!isLive(e)) {
    loadFindings().catch(showError);
    startServices().catch(e => console.error('services:', e));
  }
  loadOwnSpans(S.exp).catch(e => console.error('your spans:', e));
  if (!isLive(e)) return;
  // Live: redraw as the model grows; findings and services once it is stored (they need the whole model).
  e = await follow(e, async done => {
    await Promise.all(views.map(v => v.load()));
    redraw();
    await Promise.all([...views.map(v => v.fetch()), loadStatistics(), loadSlowest()]);
    if (!done) return;
    await loadFindings();
    startServices().catch(e => console.error('services:', e));
  }, x => { header(x); showLive(x); });
  if (e.properties && e.properties.analysis === 'FAILED') showError(new Error('analysis failed: ' + e.properties.error));
}

document.getElementById('share').addEventListener('click', ev => {
  ev.preventDefault();
  const a = ev.target;
  (navigator.clipboard ? navigator.clipboard.writeText(location.href) : Promise.reject(new Error('no clipboard')))
    .then(() => { a.textContent = 'link copied'; }, () => { a.textContent = 'copy the address bar'; })
    .finally(() => setTimeout(() => { a.textContent = 'link'; }, 2000));
});

main().catch(showError);
