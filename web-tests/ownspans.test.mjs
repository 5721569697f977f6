// The user's own OpenTelemetry spans on the page (issue #18 §2), in Debian's Chromium: a real ioredis load traced by
// the OpenTelemetry SDK and recorded (ownspans-load.sh), linked by `kvscope analyze --spans`; the "Your spans" table
// must show the TSP output kvscope.ownspans as served — linked, ambiguous with its confidence — and clicking a span
// must take the views to it. Screenshot in web-tests/out/ownspans.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const out = here + 'out/';
const trace = out + 'ownspans-trace';
const spans = out + 'ownspans.jsonl';
let browser, server, analyzed;

before(async () => {
  mkdirSync(out, { recursive: true });
  rmSync(trace, { recursive: true, force: true });
  execFileSync(root + 'kvscope', ['record', '-o', trace, '--', here + 'ownspans-load.sh', spans], { stdio: ['ignore', 'ignore', 'inherit'] });
  analyzed = execFileSync(root + 'kvscope', ['analyze', trace, '--spans', spans], { encoding: 'utf8' });
  server = await new Promise((resolve, reject) => {
    const p = spawn(root + 'kvscope', ['serve', trace, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', d => {
      text += d;
      const url = /kvscope serve:\s+(http:\S+)/.exec(text);
      if (url) resolve({ url: url[1], stop: () => p.kill('SIGTERM') });
    });
    p.on('exit', code => reject(new Error('kvscope serve exited ' + code + ': ' + text)));
  });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.stop();
});

test('your spans are listed beside their Redis requests, as kvscope.ownspans serves them', async () => {
  const m = /(\d[\d,]*) Redis client spans: (\d[\d,]*) linked, (\d[\d,]*) ambiguous, (\d[\d,]*) not linked/.exec(analyzed);
  assert.ok(m, analyzed);
  const [total, linked, ambiguous, unlinked] = m.slice(1).map(x => Number(x.replace(/,/g, '')));
  assert.ok(linked > 0, 'some spans linked: ' + analyzed);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(server.url);
  await page.waitForFunction(() => !document.getElementById('ownspans').hidden, null, { timeout: 120_000 });
  const count = await page.$eval('#ownspans-count', e => e.textContent);
  assert.equal(count, `${total} spans: ${linked} linked, ${ambiguous} ambiguous, ${unlinked} not linked`);
  const rows = await page.$$eval('#ownspans-table tr', trs => trs.slice(1).map(tr => ({
    cls: tr.className, cells: [...tr.cells].map(td => td.textContent) })));
  assert.equal(rows.length, Math.min(300, total)); // ownspans.js puts the first 300 in the DOM
  assert.equal(rows.filter(r => r.cls === 'ownspan-linked').length, linked);
  for (const r of rows.filter(r => r.cls === 'ownspan-ambiguous')) assert.match(r.cells[3], /^ambiguous, \d+ % \(1 of \d+\)$/);
  for (const r of rows.filter(r => r.cls === 'ownspan-linked')) {
    assert.match(r.cells[4], / · fd \d+$/);
    assert.match(r.cells[8], /client span: .* in the network and client library/);
  }
  const before = await page.evaluate(() => location.hash);
  await page.$eval('#ownspans', e => e.scrollIntoView());
  await page.screenshot({ path: out + 'ownspans.png' });
  await page.click('#ownspans-table tr.ownspan-linked');
  await page.waitForFunction(h => location.hash !== h, before, { timeout: 10_000 });
  assert.deepEqual(errors, []);
});
