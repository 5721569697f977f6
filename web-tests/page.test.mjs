// The kvscope page as a person uses it, in Debian's Chromium: every view draws something, zooming changes the
// visible range, clicking a latency point moves the cursor and fills the state explorer. Screenshots are kept in
// web-tests/out/ as artifacts. Needs KVSCOPE_TRACE: a trace recorded from the instrumented Redis (run.sh records one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

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

test('the page shows every view of a recorded trace, zooms, and moves the cursor to a clicked latency point', async () => {
  assert.ok(trace, 'set KVSCOPE_TRACE to a recorded trace (web-tests/run.sh records one)');
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.querySelectorAll('#statistics tr').length > 1, null, { timeout: 60_000 });
    await page.waitForTimeout(1500); // the views fetch their states after the statistics
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
    const sbox = await scatter.boundingBox();
    await page.mouse.click(sbox.x + point.x, sbox.y + point.y);
    await page.waitForFunction(() => /\d/.test(document.getElementById('cursor-time').textContent), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#explorer tr').length > 1, null, { timeout: 10_000 });
    await page.screenshot({ path: out + 'cursor.png', fullPage: true });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await browser.close();
    server.stop();
  }
});
