// The Replication section of the page (issue #19), in Debian's Chromium: on a real trace of a master and a replica
// put to sleep for 0.5 s while the master is written to (replication-record.sh, recorded here), the replica's chart is
// drawn and its peak lag is the one `kvscope report` gives for the link (same trace). Screenshot in
// web-tests/out/replication.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const out = here + 'out/';
const trace = out + 'replication-trace';
mkdirSync(out, { recursive: true });

let browser, server;

before(async () => {
  rmSync(trace, { recursive: true, force: true });
  execFileSync(root + 'kvscope', ['record', '-o', trace, '--', here + 'replication-record.sh'],
    { stdio: ['ignore', 'ignore', 'inherit'] });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
});

function serve() {
  return new Promise((resolve, reject) => {
    server = spawn(root + 'kvscope', ['serve', trace, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    const timer = setTimeout(() => reject(new Error('kvscope serve did not listen in 180 s: ' + text)), 180_000);
    server.stdout.on('data', d => {
      text += d;
      const url = /kvscope serve:\s+(http:\S+)/.exec(text);
      if (url) { clearTimeout(timer); resolve(url[1]); }
    });
    server.on('exit', code => { clearTimeout(timer); reject(new Error('kvscope serve exited ' + code + ': ' + text)); });
  });
}

test('Replication: the slept replica\'s lag is drawn, its peak the report\'s worst lag for the link', async () => {
  const report = JSON.parse(execFileSync(root + 'kvscope', ['report', trace, '--format', 'json'], { maxBuffer: 1 << 28 }));
  const links = report.replication.links.filter(l => l.writes_applied > 0);
  assert.equal(links.length, 1, 'one master → replica link with writes: ' + JSON.stringify(report.replication.links));
  const link = links[0];
  assert.ok(link.max_lag_ns >= 400e6, `the replica slept 0.5 s: worst lag ${link.max_lag_ns} ns`);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(await serve());
  const row = `.replication .chart[data-replica="${link.replica}"]`;
  await page.waitForFunction(sel => { const r = document.querySelector(sel); return r && r.dataset.maxLagMs; }, row,
    { timeout: 180_000 });
  await page.locator('section.replication').scrollIntoViewIfNeeded();
  await page.screenshot({ path: out + 'replication.png', fullPage: true });
  const shown = Number(await page.$eval(row, r => r.dataset.maxLagMs));
  assert.ok(Math.abs(shown - link.max_lag_ns / 1e6) < 1e-3, `page ${shown} ms vs report ${link.max_lag_ns / 1e6} ms`);
  assert.ok(await page.$eval('section.replication .note', n => n.hidden), 'no "no replication" note');
  const inked = await page.$eval(row + ' canvas', c => {
    const g = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < g.length; i += 4) if (g[i] !== g[0] || g[i + 1] !== g[1] || g[i + 2] !== g[2]) n++;
    return n;
  });
  assert.ok(inked > 100, 'the lag is drawn');
  assert.deepEqual(errors, [], 'no script error on the page');
});
