// The kvscope page as a person uses it, in Debian's Chromium: every view draws something, zooming changes the
// visible range, clicking a latency point moves the cursor and fills the state explorer. Screenshots are kept in
// web-tests/out/ as artifacts. Needs KVSCOPE_TRACE: a trace recorded from the instrumented Redis (run.sh records one).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const trace = process.env.KVSCOPE_TRACE;
const out = new URL('out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

/** Starts `kvscope serve` on a free port and resolves with its URL once the model is ready. */
function serve() {
  return new Promise((resolve, reject) => {
    const p = spawn(root + 'kvscope', ['serve', trace, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error('kvscope serve not ready in 120 s: ' + text)), 120_000);
    p.stdout.on('data', d => {
      text += d;
      const url = /page:\s+(http:\S+)/.exec(text);
      if (url) { clearTimeout(timer); resolve({ url: url[1], stop: () => p.kill('SIGTERM') }); }
    });
    p.on('exit', code => { clearTimeout(timer); reject(new Error('kvscope serve exited ' + code + ': ' + text)); });
  });
}

/** Pixels of a canvas that differ from its background (its top-left pixel): "the view drew something". */
async function inked(page, selector) {
  return page.$eval(selector, c => {
    const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < g.length; i += 4) if (g[i] !== g[0] || g[i + 1] !== g[1] || g[i + 2] !== g[2]) n++;
    return n;
  });
}

let server, browser;

before(async () => {
  assert.ok(trace, 'set KVSCOPE_TRACE to a recorded trace (web-tests/run.sh records one)');
  server = await serve();
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

/** A new page on the server, once its views have drawn; script errors are collected in `errors`. */
async function open() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('#statistics tr').length > 1, null, { timeout: 60_000 });
  await page.waitForTimeout(1500); // the views fetch their states after the statistics
  return { page, errors };
}

test('the page shows every view of a recorded trace, zooms, and moves the cursor to a clicked latency point', async () => {
  const { page, errors } = await open();
  try {
    await page.screenshot({ path: out + 'page.png', fullPage: true });

    for (const view of ['kvscope.netflow', 'kvscope.threads', 'kvscope.eventloop', 'kvscope.latency.scatter']) {
      const rows = await page.$$eval(`[data-output="${view}"] .labels > *`, l => l.length);
      const ink = await inked(page, `[data-output="${view}"] canvas`);
      assert.ok(rows > 0, `${view}: rows listed`);
      assert.ok(ink > 200, `${view}: states or points drawn (${ink} pixels)`);
    }
    const stats = await page.$$eval('#statistics tr', r => r.map(x => x.textContent).join('\n'));
    assert.match(stats, /set/, 'statistics list the benchmark commands');

    // Zoom: the wheel over a view narrows the visible range.
    const before = await page.textContent('#range');
    const box = await page.locator('[data-output="kvscope.netflow"] canvas').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + 20);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
    await page.waitForTimeout(800);
    const after = await page.textContent('#range');
    assert.notEqual(after, before, 'zooming changed the visible range');
    await page.screenshot({ path: out + 'zoomed.png', fullPage: true });
    await page.keyboard.press('0'); // back to the whole trace
    await page.waitForTimeout(1000);

    // Click on a point of the latency scatter: the cursor goes there and the state explorer fills in. A point is a
    // saturated pixel (axes, grid and text are grey); the scatter redraws asynchronously after the zoom reset.
    const scatter = page.locator('[data-output="kvscope.latency.scatter"] canvas');
    const findPoint = c => {
      const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const r = window.devicePixelRatio || 1;
      for (let y = 5; y < c.height - 20; y++) {
        for (let x = 60; x < c.width; x++) {
          const i = 4 * (y * c.width + x);
          const hi = Math.max(g[i], g[i + 1], g[i + 2]), lo = Math.min(g[i], g[i + 1], g[i + 2]);
          if (g[i + 3] > 200 && hi - lo > 40) return { x: x / r, y: y / r };
        }
      }
      return null;
    };
    const handle = await scatter.elementHandle();
    await page.waitForFunction(findPoint, handle, { timeout: 10_000 }).catch(() => {});
    const point = await scatter.evaluate(findPoint);
    assert.ok(point, 'a coloured latency point to click');
    // With many rows the three time graphs (each up to 340 px) push the scatter below a 1100 px viewport.
    await scatter.scrollIntoViewIfNeeded();
    const sbox = await scatter.boundingBox();
    await page.mouse.click(sbox.x + point.x, sbox.y + point.y);
    await page.waitForFunction(() => /\d/.test(document.getElementById('cursor-time').textContent), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#explorer tr').length > 1, null, { timeout: 10_000 });
    await page.screenshot({ path: out + 'cursor.png', fullPage: true });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});

const NETFLOW = '[data-output="kvscope.netflow"] canvas';
const drawnArrows = page => page.$eval(NETFLOW, c => Number(c.dataset.arrows || 0));

test('Netflow draws the arrows the endpoint returns, only in the visible range, with both ends\' times on hover', async t => {
  const { page, errors } = await open();
  try {
    assert.ok(await page.isVisible('#legend .arrow-key'), 'the legend names the arrows');
    // The recorded trace's own arrows (PUBLISH → subscriber): if the endpoint has some, some must be drawn.
    const real = await page.evaluate(async () => { const { S, abs, call } = kvscope; return (await call('POST',
      `/experiments/${S.exp}/outputs/timeGraph/kvscope.netflow/arrows`,
      { requested_timerange: { start: abs(0), end: abs(S.span), nbTimes: 1000 } })).model.length; });
    if (real > 0) {
      await page.waitForFunction(sel => Number(document.querySelector(sel).dataset.arrows) > 0, NETFLOW, { timeout: 10_000 })
        .catch(() => {});
      assert.ok(await drawnArrows(page) > 0, `the endpoint returned ${real} arrows over the whole trace but none is drawn`);
      await page.screenshot({ path: out + 'arrows.png', fullPage: true });
    } else {
      t.diagnostic('the recorded trace has no arrows: the Netflow provider returned none, so only the answered ones below were checked');
    }

    // Arrows answered in the server's place, between real rows at known times: drawn, filtered by the visible
    // range, and explained on hover.
    const fake = await page.evaluate(() => {
      const { S, abs, fmtDuration, rel, views } = kvscope;
      const rows = views.find(v => v.output === 'kvscope.netflow').entries.filter(e => e.hasData);
      const at = f => abs(S.span * f).toString();
      const a = (src, dst, s, e) => ({ sourceId: rows[src].id, targetId: rows[Math.min(dst, rows.length - 1)].id, s: at(s), e: at(e) });
      return { list: [a(0, 3, 0.30, 0.60), a(1, 0, 0.70, 0.72), a(2, 1, 0.05, 0.06)],
        first: { s: '+' + fmtDuration(rel(at(0.30))), e: '+' + fmtDuration(rel(at(0.60))) } };
    });
    const body = '{"model":[' + fake.list.map(a => `{"sourceId":${a.sourceId},"targetId":${a.targetId},"start":${a.s},`
      + `"end":${a.e},"style":{"parentKey":"TEST_LINK","values":{}}}`).join(',') + '],"status":"COMPLETED","statusMessage":"Completed"}';
    await page.route('**/outputs/timeGraph/kvscope.netflow/arrows', r => r.fulfill({ status: 200, contentType: 'application/json', body }));
    await page.evaluate(() => kvscope.setRange(0, kvscope.S.span));
    await page.waitForFunction(sel => document.querySelector(sel).dataset.arrows === '3', NETFLOW, { timeout: 10_000 });
    // A style the page does not know: drawn in the default arrow colour (#4a148c), whose pixels are counted.
    const ink = await page.$eval(NETFLOW, c => {
      const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < g.length; i += 4) if (Math.abs(g[i] - 0x4a) + Math.abs(g[i + 1] - 0x14) + Math.abs(g[i + 2] - 0x8c) < 40) n++;
      return n;
    });
    assert.ok(ink > 20, `arrows are drawn in their colour (${ink} pixels)`);
    await page.screenshot({ path: out + 'arrows-answered.png', fullPage: true });

    // The hover over the middle of the first arrow names both ends and their times.
    const mid = await page.evaluate(() => {
      const d = kvscope.views.find(v => v.output === 'kvscope.netflow').drawn.find(x => x.y0 < x.y1); // the first: the only one drawn downwards
      return { x: (d.x0 + d.x1) / 2, y: (d.y0 + d.y1) / 2 };
    });
    const canvas = page.locator(NETFLOW);
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + mid.x, box.y + mid.y);
    const tip = await page.textContent('#tooltip');
    assert.ok(await page.isVisible('#tooltip'), 'a tooltip over the arrow');
    assert.ok(tip.includes('from ') && tip.includes(fake.first.s) && tip.includes(fake.first.e),
      `the tooltip gives both ends' times ${fake.first.s} and ${fake.first.e}: ${tip}`);

    // Zoomed to [25 %, 80 %] of the trace, the arrow at 5 % is not drawn.
    await page.evaluate(() => kvscope.setRange(kvscope.S.span * 0.25, kvscope.S.span * 0.80));
    await page.waitForFunction(sel => document.querySelector(sel).dataset.arrows === '2', NETFLOW, { timeout: 10_000 });
    await page.unroute('**/outputs/timeGraph/kvscope.netflow/arrows');
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});

/** The text of each data row of a table (header excluded), cell by cell. */
const tableRows = (page, id) => page.$$eval(`#${id} tr`, trs => trs.slice(1).map(tr => [...tr.children].map(td => td.textContent)));
const headers = (page, id) => page.$$eval(`#${id} th`, ths => ths.map(th => th.textContent.replace(/[▲▼]/g, '').trim()));
const big = s => BigInt(s.trim());

/** Clicks a column header of a table and checks the rows come back in that order (compare(a, b) ≤ 0). */
async function sortsBy(page, id, column, compare, direction) {
  const col = (await headers(page, id)).indexOf(column);
  assert.ok(col >= 0, `${id} has a ${column} column`);
  await page.click(`#${id} th:nth-child(${col + 1})`);
  assert.equal(await page.getAttribute(`#${id} th:nth-child(${col + 1})`, 'data-sort'), direction);
  const rows = await tableRows(page, id);
  for (let i = 1; i < rows.length; i++) {
    const c = compare(rows[i - 1][col], rows[i][col]);
    assert.ok(direction === 'asc' ? c <= 0 : c >= 0, `${id} sorted ${direction} by ${column}: ${rows[i - 1][col]} then ${rows[i][col]}`);
  }
  return rows;
}

/** Types a filter and checks every row shown holds each word, and the count says how many match. */
async function filtersBy(page, id, text) {
  await page.fill(`#${id}-filter`, text);
  await page.waitForFunction(([n, f]) => document.getElementById(n).dataset.filter === f, [id, text], { timeout: 5_000 });
  const rows = await tableRows(page, id);
  const count = await page.textContent(`#${id}-count`);
  return { rows, count, matching: Number(/^(\d+) of/.exec(count)[1]) };
}

test('the slowest-requests and findings tables filter by words and sort by any column', async t => {
  const { page, errors } = await open();
  try {
    await page.waitForFunction(() => document.querySelectorAll('#slowest tr').length > 2, null, { timeout: 10_000 });
    const cmp = (a, b) => (big(a) < big(b) ? -1 : big(a) > big(b) ? 1 : 0);
    await sortsBy(page, 'slowest', 'Latency ns', cmp, 'asc');
    const byLatency = await sortsBy(page, 'slowest', 'Latency ns', cmp, 'desc');
    await sortsBy(page, 'slowest', 'Command', (a, b) => a.localeCompare(b), 'asc');

    // A command and server of a real line: every line shown holds both words (as parts of its text).
    const cols = await headers(page, 'slowest');
    const line = byLatency[byLatency.length - 1];
    const command = line[cols.indexOf('Command')], srv = line[cols.indexOf('Server')];
    const all = Number(/(\d+) lines/.exec(await page.textContent('#slowest-count'))[1]);
    const f = await filtersBy(page, 'slowest', `${command} ${srv}`);
    assert.ok(f.rows.length > 0 && f.matching <= all, `lines match "${command} ${srv}": ${f.count}`);
    for (const r of f.rows) assert.ok(r.join(' ').includes(command) && r.join(' ').includes(srv), `shown: ${r}`);
    // Sorting applies to the filtered lines too.
    await sortsBy(page, 'slowest', 'Latency ns', cmp, 'asc');
    await page.locator('#slowest').scrollIntoViewIfNeeded();
    await page.screenshot({ path: out + 'tables.png' }); // the viewport: filtered and sorted, as a person sees it
    const none = await filtersBy(page, 'slowest', 'no-such-line-in-this-table');
    assert.equal(none.matching, 0);
    assert.match(await page.textContent('#slowest'), /nothing here/);
    await page.fill('#slowest-filter', '');

    const findings = await tableRows(page, 'findings');
    if (findings.length === 0 || /nothing here/.test(findings[0].join(''))) {
      t.diagnostic('the recorded trace has no findings: only the slowest-requests table was filtered and sorted');
    } else {
      const fcols = await headers(page, 'findings');
      const word = findings[0][fcols.indexOf('Finding')].split(/\s+/)[0];
      const g = await filtersBy(page, 'findings', word);
      assert.ok(g.rows.length > 0, `findings match "${word}": ${g.count}`);
      for (const r of g.rows) assert.ok(r.join(' ').toLowerCase().includes(word.toLowerCase()), `shown: ${r}`);
      assert.equal((await filtersBy(page, 'findings', 'no-such-finding-here')).matching, 0);
      await page.fill('#findings-filter', '');
      await sortsBy(page, 'findings', 'Severity', (a, b) => a.toLowerCase().localeCompare(b.toLowerCase()), 'asc');
      await sortsBy(page, 'findings', 'Severity', (a, b) => a.toLowerCase().localeCompare(b.toLowerCase()), 'desc');
    }
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});
