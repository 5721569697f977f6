// The page as issue #17 asks for it, in Debian's Chromium: the Data volume view shows the PUBLISH amplification the
// report names (same run, same trace), every view draws something or says why not, each finding takes you to its view,
// range and rows (and back), a copied link opens the same picture, and the analysis shows its progress. Needs
// KVSCOPE_TRACE (the redis demo: a server and a cluster with PUBLISH) and KVSCOPE_SERVICES_TRACE; records its own
// trace of one server without a cluster (views-standalone.sh). Screenshots in web-tests/out/views-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const trace = process.env.KVSCOPE_TRACE;
const servicesTrace = process.env.KVSCOPE_SERVICES_TRACE;
const out = here + 'out/';
const standalone = out + 'standalone-trace';
mkdirSync(out, { recursive: true });

/**
 * `kvscope serve TRACES` on a free port; resolves with its URL as soon as it listens (the analysis may still run:
 * the page shows its progress), and with the lines it printed so far.
 */
function serveViews(traces, extra = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(root + 'kvscope', ['serve', ...traces, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error('kvscope serve did not listen in 180 s: ' + text)), 180_000);
    p.stdout.on('data', d => {
      text += d;
      const url = /kvscope serve:\s+(http:\S+)/.exec(text);
      if (url) { clearTimeout(timer); resolve({ url: url[1], stop: () => p.kill('SIGTERM') }); }
    });
    p.on('exit', code => { clearTimeout(timer); reject(new Error('kvscope serve exited ' + code + ': ' + text)); });
  });
}

/** Pixels of a canvas that differ from its top-left pixel: "the view drew something". */
const inked = (page, selector) => page.$eval(selector, c => {
  const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < g.length; i += 4) if (g[i] !== g[0] || g[i + 1] !== g[1] || g[i + 2] !== g[2]) n++;
  return n;
});

let browser;
const servers = [];

before(async () => {
  assert.ok(trace && servicesTrace, 'set KVSCOPE_TRACE and KVSCOPE_SERVICES_TRACE (web-tests/run.sh records them)');
  rmSync(standalone, { recursive: true, force: true });
  execFileSync(root + 'kvscope', ['record', '-o', standalone, '--', here + 'views-standalone.sh'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.stop();
});

async function served(traces, extra) {
  const s = await serveViews(traces, extra);
  servers.push(s);
  return s;
}

/** A page on url once its views have drawn; script errors land in `errors`. */
async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelectorAll('#statistics tr').length > 1, null, { timeout: 120_000 });
  await page.waitForFunction(() => document.querySelector('.volume .chart[data-bus-out]'), null, { timeout: 30_000 });
  await page.waitForTimeout(1000); // the time graphs fetch their states too
  return { page, errors };
}

/** The model state the page shows: the visible range and cursor (ns from the trace start) and the hash. */
const shown = page => page.evaluate(() => ({ t0: kvscope.S.t0, t1: kvscope.S.t1, cursor: kvscope.S.cursor,
  span: kvscope.S.span, hash: location.hash }));
const hashOf = url => Object.fromEntries(new URLSearchParams(new URL(url).hash.slice(1)));

test('Data volume: bus out over published payload on the page is the amplification kvscope report gives', async () => {
  const report = JSON.parse(execFileSync(root + 'kvscope', ['report', trace, '--format', 'json'], { maxBuffer: 1 << 28 }));
  const publishing = report.servers.filter(s => s.bus.published_payload_bytes > 0);
  assert.ok(publishing.length > 0, 'the demo trace has a server clients PUBLISHed on');
  const { url } = await served([trace]);
  const { page, errors } = await open(url);
  try {
    await page.locator('section.volume').scrollIntoViewIfNeeded();
    await page.screenshot({ path: out + 'views-datavolume.png', fullPage: true });
    for (const s of publishing) {
      const bus = s.bus.out_by_type.filter(t => t.name === 'publish' || t.name === 'publishshard').reduce((a, t) => a + t.bytes, 0);
      const factor = bus / s.bus.published_payload_bytes;
      const row = `.volume .chart[data-server="${s.name}"]`;
      const data = await page.$eval(row, r => ({ ...r.dataset, text: r.querySelector('.ratio').textContent }));
      const ratio = Number(data.ratio);
      assert.ok(Math.abs(ratio - factor) / factor < 0.05, `${s.name}: page ${ratio.toFixed(2)}× vs report ${factor.toFixed(2)}×`);
      assert.match(data.text, new RegExp(ratio.toFixed(1).replace('.', '\\.') + '×'), 'the ratio is written beside the chart');
      assert.ok(Number(data.busOut) > 2 * Number(data.clientsIn), `bus out ${data.busOut} B far above client in ${data.clientsIn} B`);
      assert.equal(Math.round(Number(data.published)), s.bus.published_payload_bytes, 'published payload, page vs report');
      assert.ok(await inked(page, row + ' canvas') > 200, `${s.name}: lines drawn`);
    }
    assert.equal(await page.isVisible('.volume .note'), false, 'a trace with a cluster bus needs no explanation');
    // Per link on demand: more lines, the node totals unchanged.
    await page.check('.volume input.per-link');
    await page.waitForFunction(() => [...document.querySelectorAll('.volume .keys span')].some(s => /^Link /.test(s.textContent)),
      null, { timeout: 10_000 });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});

test('every view is drawn, or says why it is empty; a trace without a cluster says so in the Data volume view', async () => {
  const full = await served([trace, servicesTrace]);
  const { page, errors } = await open(full.url);
  try {
    await page.waitForFunction(() => !document.getElementById('services-time').hidden, null, { timeout: 30_000 });
    await page.waitForTimeout(1000);
    await page.screenshot({ path: out + 'views-all.png', fullPage: true });
    for (const view of ['kvscope.services', 'kvscope.netflow', 'kvscope.threads', 'kvscope.eventloop', 'kvscope.latency.scatter']) {
      const ink = await inked(page, `[data-output="${view}"] canvas`);
      assert.ok(ink > 200, `${view}: drawn (${ink} pixels)`);
    }
    assert.ok(await page.$$eval('.volume .chart canvas', cs => cs.length) >= 4, 'a data-volume chart per server');
    for (const table of ['statistics', 'findings', 'slowest', 'services-requests']) {
      assert.ok(await page.$$eval(`#${table} tr`, r => r.length) > 1, `${table}: rows`);
    }
    assert.ok(await page.$$eval('#services-routes .route', r => r.length) > 0, 'where the time went: routes');
  } finally {
    await page.close();
  }
  const alone = await served([standalone]);
  const s = await open(alone.url);
  try {
    const note = s.page.locator('.volume .note');
    assert.ok(await note.isVisible(), 'the Data volume view explains itself');
    assert.match(await note.textContent(), /no cluster bus in this trace/);
    assert.ok(await inked(s.page, '.volume .chart canvas') > 100, 'the client bytes are still drawn');
    // No Node.js service was traced: the Services view says so instead of an empty box.
    assert.match(await s.page.textContent('#services-view .labels'), /no Node\.js service in this trace/);
    await s.page.locator('section.volume').scrollIntoViewIfNeeded();
    await s.page.screenshot({ path: out + 'views-no-cluster.png' });
    assert.deepEqual([...errors, ...s.errors], [], 'no script error on the pages');
  } finally {
    await s.page.close();
  }
});

// The findings' View column → the section the page must scroll to.
const SECTIONS = { 'Netflow': 'kvscope.netflow', 'Threads': 'kvscope.threads', 'Event loop': 'kvscope.eventloop',
  'Data volume': 'kvscope.datavolume', 'Events latency': 'kvscope.latency.scatter', 'Statistics': 'kvscope.statistics',
  'Services': 'kvscope.services', 'Replication': 'kvscope.replication' };

test('each finding takes every view to its range, scrolls to its view, highlights its rows; back returns; a link reopens it', async () => {
  const { url } = await served([trace]);
  const { page, errors } = await open(url);
  try {
    const findings = await page.evaluate(async () => {
      const { S, call } = kvscope;
      const out = `/experiments/${S.exp}/outputs/table/kvscope.findings`;
      const cols = (await call('POST', out + '/columns', {})).model.map(c => c.name);
      const r = (await call('POST', out + '/lines', { requested_table_index: 0, requested_table_count: 1000 })).model;
      return r.lines.map(l => Object.fromEntries(cols.map((c, i) => [c, String(l.cells[i].content)])));
    });
    assert.ok(findings.length > 0, 'the demo trace has findings (the bus amplification at least)');
    const origin = await page.evaluate(() => kvscope.S.origin.toString());
    const rel = t => Number(BigInt(t) - BigInt(origin));
    let previous = null;
    for (let i = 0; i < findings.length; i++) {
      const f = findings[i];
      const before = page.url();
      await page.click(`#findings tr:nth-child(${i + 2})`);
      await page.waitForFunction(b => location.href !== b, before, { timeout: 5_000 });
      await page.waitForTimeout(400);
      const h = hashOf(page.url()), s = await shown(page);
      const start = rel(f['Timestamp ns']), end = start + Number(f['Duration ns']);
      const what = `finding ${i} (${f.Finding})`;
      assert.equal(h.view, SECTIONS[f.View], `${what}: the URL names its view`);
      assert.equal(Number(h.from), Math.round(s.t0), `${what}: the URL holds the range shown`);
      assert.equal(Number(h.to), Math.round(s.t1), `${what}: the URL holds the range shown`);
      assert.ok(s.t0 <= start && s.t1 >= Math.min(end, s.span) - 1, `${what}: [${s.t0}, ${s.t1}] shows [${start}, ${end}]`);
      assert.ok(s.t1 - s.t0 <= Math.max(4 * (end - start), 4e6), `${what}: zoomed to it (${s.t1 - s.t0} ns)`);
      assert.equal(Number(h.cursor), start, `${what}: the cursor at its start`);
      assert.equal(h.server, f.Server, `${what}: its server selected`);
      const box = await page.locator(`[data-output="${SECTIONS[f.View]}"]`).boundingBox();
      assert.ok(box && box.y >= 0 && box.y < 550, `${what}: scrolled to the ${f.View} view (top at ${box && box.y})`);
      // Its rows: the connection in Netflow, the threads in Threads, else the server's rows of the view it names.
      if (f.fd !== '') {
        const marked = await page.$$eval('[data-output="kvscope.netflow"] .labels .selected', l => l.map(x => x.textContent));
        assert.ok(marked.length > 0 && marked.every(t => t.startsWith(`fd ${f.fd} `) || t === `fd ${f.fd}`), `${what}: fd ${f.fd} marked: ${marked}`);
      }
      if (f.Threads) {
        const marked = await page.$$eval('[data-output="kvscope.threads"] .labels .selected', l => l.map(x => x.textContent));
        for (const tid of f.Threads.split(',')) assert.ok(marked.some(t => t.startsWith('tid ' + tid)), `${what}: tid ${tid} marked: ${marked}`);
      }
      if (SECTIONS[f.View] !== 'kvscope.latency.scatter' && SECTIONS[f.View] !== 'kvscope.statistics') {
        const n = await page.$eval(`[data-output="${SECTIONS[f.View]}"]`, s => Number(s.dataset.highlighted || 0));
        assert.ok(n > 0, `${what}: rows highlighted in ${f.View}`);
      }
      await page.screenshot({ path: out + `views-finding-${i}.png` });
      if (previous) {
        // Back returns to the previous finding's picture; forward comes here again.
        const here = page.url();
        await page.goBack();
        await page.waitForTimeout(400);
        assert.equal(page.url(), previous.url, `${what}: back returns to the previous finding`);
        const b = await shown(page);
        assert.deepEqual([Math.round(b.t0), Math.round(b.t1), b.cursor], [previous.t0, previous.t1, previous.cursor], 'back restores the range and cursor');
        await page.goForward();
        await page.waitForTimeout(400);
        assert.equal(page.url(), here);
      }
      const now = await shown(page);
      previous = { url: page.url(), t0: Math.round(now.t0), t1: Math.round(now.t1), cursor: now.cursor };
    }

    // A link pasted into a new page: the same range, cursor and rows; a reload keeps them too.
    const link = page.url();
    const mark = p => p.$$eval('[data-highlighted]', s => s.map(x => x.dataset.output + '=' + x.dataset.highlighted).sort());
    const want = await mark(page);
    const other = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    try {
      other.on('pageerror', e => errors.push(String(e)));
      await other.goto(link);
      await other.waitForFunction(() => document.querySelector('.volume .chart[data-bus-out]'), null, { timeout: 60_000 });
      await other.waitForTimeout(800);
      const a = await shown(other);
      assert.deepEqual([Math.round(a.t0), Math.round(a.t1), a.cursor], [previous.t0, previous.t1, previous.cursor], 'the link opens the same range and cursor');
      assert.deepEqual(await mark(other), want, 'and highlights the same rows');
      await other.screenshot({ path: out + 'views-link.png' });
      await other.reload();
      await other.waitForFunction(() => document.querySelector('.volume .chart[data-bus-out]'), null, { timeout: 60_000 });
      const r = await shown(other);
      assert.deepEqual([Math.round(r.t0), Math.round(r.t1), r.cursor], [previous.t0, previous.t1, previous.cursor], 'a reload keeps them');
    } finally {
      await other.close();
    }
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});

test('while a trace is analysed the page shows the server\'s progress, then the views', async () => {
  // Copies never analysed (no .kvscope), two traces in one experiment: a few seconds of analysis here.
  const fresh = out + 'views-fresh/';
  rmSync(fresh, { recursive: true, force: true });
  const copies = [trace, servicesTrace].map((t, i) => {
    const dst = fresh + i;
    cpSync(t, dst, { recursive: true, filter: src => !src.includes('/.kvscope') });
    return dst;
  });
  const { url } = await served(copies);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    const polls = [];
    page.on('response', async r => {
      if (!/\/tsp\/api\/experiments\/[0-9a-f-]+$/.test(r.url())) return;
      try { polls.push(JSON.parse(await r.text())); } catch { /* a body the page failed to read too */ }
    });
    // What the progress box showed, recorded in the page as it changes: a fast analysis leaves no time to look.
    await page.addInitScript(() => {
      window.progressSeen = [];
      new MutationObserver(() => {
        const box = document.getElementById('progress');
        if (box && !box.hidden) window.progressSeen.push(document.getElementById('progress-text').textContent);
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.goto(url);
    await page.waitForFunction(() => window.progressSeen.length > 0 || document.querySelectorAll('#statistics tr').length > 1,
      null, { timeout: 120_000 });
    if (await page.isVisible('#progress')) await page.screenshot({ path: out + 'views-progress.png' });
    await page.waitForFunction(() => document.querySelectorAll('#statistics tr').length > 1, null, { timeout: 180_000 });
    const seen = await page.evaluate(() => window.progressSeen);
    const running = polls.filter(p => p.indexingStatus === 'RUNNING');
    console.log(`# ${running.length} polls while the analysis ran; shown: ${[...new Set(seen)].slice(-4).join(' | ')}`);
    assert.ok(running.length > 0, `the page polled while the analysis ran (${polls.length} polls, none RUNNING)`);
    assert.ok(seen.some(t => /^analysing \d+% · [\d,]+ events/.test(t)), `progress shown: ${seen.slice(0, 5)}`);
    // What the server said while it ran is what the page showed: its percentage and event count, as they grew.
    const said = running.filter(p => Number(p.nbEvents) > 0);
    assert.ok(said.length > 0 || running.length < 3, `the server reported events read while running: ${JSON.stringify(running.slice(-2))}`);
    for (const p of said) {
      const pct = (100 * Number(p.properties.progress)).toFixed(0), n = Number(p.nbEvents).toLocaleString('en');
      assert.ok(seen.some(t => t.startsWith(`analysing ${pct}% · ${n} events`)), `shown: ${pct}% · ${n} events, among ${seen.slice(-5)}`);
    }
    assert.ok(seen.some(t => / events\/s$| storing the model…$/.test(t)) || running.length < 2, `a rate or the stage once polled twice: ${seen.slice(0, 5)}`);
    assert.equal(await page.isVisible('#progress'), false, 'the progress goes away once the model is ready');
  } finally {
    await page.close();
    rmSync(fresh, { recursive: true, force: true });
  }
});
