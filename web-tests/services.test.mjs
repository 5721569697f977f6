// The services part of the kvscope page in Debian's Chromium, on a trace of the microservice application recorded by
// `kvscope demo --scenario microservices` (run.sh records it): the Services view draws its rows and its arrows, "where
// the time went" shows each route's slowest requests as bars whose parts add up, and a click on a request moves the
// views to it. Needs KVSCOPE_SERVICES_TRACE. Screenshots go to web-tests/out/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const trace = process.env.KVSCOPE_SERVICES_TRACE;
const out = new URL('out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

let server, browser;

before(async () => {
  assert.ok(trace, 'set KVSCOPE_SERVICES_TRACE to a trace of the microservice demo (web-tests/run.sh records one)');
  server = await new Promise((resolve, reject) => {
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
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

const SERVICES = '[data-output="kvscope.services"] canvas';

/** A new page on the server once "where the time went" lists requests; script errors are collected in `errors`. */
async function open() {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('#services-routes .request').length > 0, null, { timeout: 60_000 });
  return { page, errors };
}

test('the Services view draws a row per service and request lane, with arrows to callees and into Redis', async () => {
  const { page, errors } = await open();
  try {
    await page.waitForTimeout(1500); // the time graphs fetch their states after the tables
    const labels = await page.$$eval('[data-output="kvscope.services"] .labels > *', l => l.map(x => x.textContent));
    for (const s of ['gateway', 'user', 'order', 'redisgw', 'mysqlgw', 'notifier']) assert.ok(labels.includes(s), `a row for ${s}: ${labels}`);
    assert.ok(labels.some(l => l.startsWith('fd ')), 'the Redis connections of the Netflow view are rows here too');
    const ink = await page.$eval(SERVICES, c => {
      const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < g.length; i += 4) if (g[i] !== g[0] || g[i + 1] !== g[1] || g[i + 2] !== g[2]) n++;
      return n;
    });
    assert.ok(ink > 2000, `states drawn (${ink} pixels)`);
    await page.waitForFunction(sel => Number(document.querySelector(sel).dataset.arrows) > 0, SERVICES, { timeout: 10_000 });
    await page.screenshot({ path: out + 'services.png', fullPage: true });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});

test('where the time went: each route\'s slowest requests, parts that add up, a click shows the request', async () => {
  const { page, errors } = await open();
  try {
    const routes = await page.$$eval('#services-routes .route b', b => b.map(x => x.textContent));
    for (const r of ['GET /ranking', 'GET /orders/:id', 'POST /login']) assert.ok(routes.includes(r), `route ${r} listed: ${routes}`);
    // The ranking route's slowest are mostly Redis executing its EVAL (the injected problem): the bar says so.
    const why = await page.$$eval('#services-routes .route', rs => rs.map(r => r.textContent));
    assert.ok(why.some(t => t.includes('GET /ranking') && /Redis executing \(eval\) \d/.test(t)), why.join('\n'));
    // Each request's bar: pieces whose titles' shares add up to 100 %.
    const shares = await page.$$eval('#services-routes .request', rs => rs.slice(0, 20).map(r =>
      [...r.querySelectorAll('.split i')].reduce((s, i) => s + Number(/\(([\d.]+) %\)/.exec(i.title)[1]), 0)));
    for (const s of shares) assert.ok(s > 97 && s < 100.5, `parts of a request add up (${s} %; pieces under half a pixel are not drawn)`);
    // Any request: filtered by words, a click moves the views to it.
    await page.fill('#services-filter', 'ranking');
    await page.waitForFunction(() => Number(document.getElementById('services-requests').dataset.shown) > 0);
    const rows = await page.$$eval('#services-requests tr', trs => trs.slice(1).map(tr => tr.textContent));
    assert.ok(rows.every(r => r.includes('/ranking')), 'the filter keeps the ranking requests');
    const before = await page.textContent('#range');
    await page.click('#services-requests tr:nth-child(2)');
    await page.waitForFunction(b => document.getElementById('range').textContent !== b, before, { timeout: 10_000 });
    assert.match(await page.textContent('#cursor-time'), /\d/, 'the cursor moved to the request');
    await page.screenshot({ path: out + 'services-time.png', fullPage: true });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await page.close();
  }
});
