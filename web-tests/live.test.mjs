// The page on a live session (issue #16 §4), in Debian's Chromium: a real lttng-relayd on loopback ports of its own,
// `kvscope record --relay … --live` streaming to it, the instrumented Redis, `kvscope serve --live` following the
// session, and the page opened before any load runs. redis-benchmark runs then: the page shows those requests while
// the session runs (the statistics' count and the time range grow, "live — N s behind" and "partial" said), a
// zoomed range and the cursor stay where the user put them as the model grows, and once the session ends the page's
// counts per server and command equal those of a fresh `kvscope analyze` of the copy the server kept.
// Screenshots in web-tests/out/live-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { launchChromium } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;
const out = here + 'out/';
const dir = out + 'live/';
const bin = root + 'build/redis/bin/';
const started = [];
let browser;

function start(cmd, args) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  p.text = '';
  p.stdout.on('data', d => { p.text += d; });
  p.stderr.on('data', d => { p.text += d; });
  p.ended = new Promise(r => p.on('exit', code => r(code)));
  started.push(p);
  return p;
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const port = s.address().port; s.close(() => resolve(port)); });
  s.on('error', reject);
});

const listening = port => new Promise(resolve => {
  const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
  c.on('error', () => resolve(false));
});

let diagnose = async () => '';
/** The server's Java threads (what it waits for), for a timeout's message. */
function threads(pid) {
  try {
    return execFileSync('jcmd', [String(pid), 'Thread.print'], { timeout: 20_000 }).toString()
      .split('\n\n').filter(t => /kvscope|main"/.test(t)).join('\n\n').slice(0, 8000);
  } catch (e) { return 'jcmd: ' + e.message; }
}

async function until(what, fn, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out: ' + what + '\n' + await diagnose());
    await new Promise(r => setTimeout(r, 200));
  }
}

const benchmark = (port, n) => new Promise((resolve, reject) => {
  const p = start(bin + 'redis-benchmark', ['-p', String(port), '-n', String(n), '-c', '4', '-t', 'set,get,incr', '-q']);
  p.ended.then(code => code === 0 ? resolve() : reject(new Error('redis-benchmark exited ' + code + ': ' + p.text)));
});

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  if (browser) await browser.close();
  for (const p of started.reverse()) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  await Promise.all(started.map(p => Promise.race([p.ended, new Promise(r => setTimeout(r, 20_000))])));
});

/** The statistics table: { 'server command': count } and the servers' totals, as the page shows them. */
const statistics = page => page.$$eval('#statistics tr', rows => {
  const counts = {}, totals = {};
  let server = null;
  for (const tr of rows) {
    const td = [...tr.querySelectorAll('td')];
    if (td.length < 2 || td[0].className === 'empty') continue;
    if (!td[0].style.paddingLeft) { server = td[0].textContent; totals[server] = Number(td[1].textContent); }
    else counts[server + ' ' + td[0].textContent] = Number(td[1].textContent);
  }
  return { counts, totals, total: Object.values(totals).reduce((a, b) => a + b, 0) };
});

test('live: the page shows requests made after it opened, keeps the zoom, and ends with analyze\'s counts', { timeout: 600_000 }, async () => {
  const [control, data, live, redisPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const relay = start('lttng-relayd', ['--output=' + dir + 'relay', '--control-port=tcp://127.0.0.1:' + control,
    '--data-port=tcp://127.0.0.1:' + data, '--live-port=tcp://127.0.0.1:' + live]);
  await until('lttng-relayd listening: ' + relay.text, () => listening(live), 20_000);
  const redis = start(bin + 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await until('redis-server listening: ' + redis.text, () => listening(redisPort), 20_000);
  // Recording until told to stop (SIGTERM: record stops and destroys its session, which ends the live one).
  const record = start(root + 'kvscope', ['record', '--relay', `127.0.0.1:${control}:${data}`, '--live', '250ms', '--duration', '600s']);
  // The server: once the session is on the relay (until then serve --live says there is none, and exits).
  let serve, url;
  await until('kvscope serve --live following the session', async () => {
    if (record.exitCode !== null) throw new Error('kvscope record exited: ' + record.text);
    serve = start(root + 'kvscope', ['serve', '--live', 'net://127.0.0.1:' + live, '-o', dir + 'copy', '--port', '0']);
    const seen = await Promise.race([
      until('serve prints its address', () => /kvscope serve:\s+(http:\S+)/.exec(serve.text), 120_000),
      serve.ended.then(() => null)]);
    if (seen) url = seen[1];
    return seen;
  }, 180_000);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  const logged = [];
  page.on('console', m => { if (m.type() === 'error') logged.push(m.text()); });
  await page.goto(url); // before any load
  diagnose = async () => JSON.stringify(await page.evaluate(() => ({ live: document.body.dataset.live,
    header: document.getElementById('experiment').textContent, progress: document.getElementById('progress-text').textContent,
    S: { t0: window.kvscope.S.t0, t1: window.kvscope.S.t1, span: window.kvscope.S.span },
    statistics: [...document.querySelectorAll('#statistics tr')].map(r => r.textContent).join(' | ') })))
    + '\nerrors: ' + errors.concat(logged).join('\n') + '\nserve: ' + serve.text.slice(-2000)
    + '\nrecord: ' + record.text.slice(-2000) + '\nserve\'s threads: ' + threads(serve.pid);
  const S = () => page.evaluate(() => ({ t0: window.kvscope.S.t0, t1: window.kvscope.S.t1, span: window.kvscope.S.span,
    cursor: window.kvscope.S.cursor }));

  // The page follows the session from its first events (Redis's idle event loop) — before any request: its first
  // views have no segments yet (no statistics, no slowest request), the later ones must fill in.
  await until('the page follows the session', () => page.evaluate(() => document.body.dataset.live === 'following'), 120_000);
  await benchmark(redisPort, 20000);
  const first = await until('the statistics list the first load\'s requests', async () => {
    const s = await statistics(page);
    return s.total > 0 && s;
  }, 120_000);
  const text = await page.$eval('#progress-text', e => e.textContent);
  assert.match(text, /^live — [0-9.]+ s behind · [0-9,]+ events · views partial, up to \+/, 'the live indicator');
  assert.equal(await page.evaluate(() => document.body.dataset.live), 'following', 'the session still runs');
  const span1 = (await S()).span;
  await page.screenshot({ path: out + 'live-1.png', fullPage: true });

  // More requests: the page, following the whole range, shows them — more requests, a longer range.
  await benchmark(redisPort, 20000);
  // Each load is 3 × 20,000 requests: past 120,000 the page counts the second load's too.
  const second = await until('the statistics count the second load too', async () => {
    const s = await statistics(page);
    return s.total >= 2 * 60000 && (await S()).span > span1 && s;
  }, 120_000);
  let now = await S();
  assert.equal(now.t0, 0, 'the whole range is shown');
  assert.equal(now.t1, now.span, 'following the end');
  assert.ok(second.total > first.total, `the count grew: ${first.total} → ${second.total}`);

  // The user zooms and puts the cursor: more requests come, the range grows, the zoom and cursor stay.
  const zoomed = await page.evaluate(() => {
    const S = window.kvscope.S;
    window.kvscope.setRange(S.span / 4, S.span / 2);
    window.kvscope.setCursor(S.span / 3);
    return { t0: S.t0, t1: S.t1, cursor: S.cursor, span: S.span };
  });
  await benchmark(redisPort, 5000);
  await until('the range grows again', async () => (await S()).span > zoomed.span, 120_000);
  await page.waitForTimeout(2500); // one more redraw
  now = await S();
  assert.deepEqual({ t0: now.t0, t1: now.t1, cursor: now.cursor }, { t0: zoomed.t0, t1: zoomed.t1, cursor: zoomed.cursor },
    'the zoom and the cursor stay while the model grows');
  assert.equal(await page.evaluate(() => document.body.dataset.live), 'following', 'the session still runs');
  await page.evaluate(() => window.kvscope.setRange(0, window.kvscope.S.span));

  // The session ends: the page draws the stored model, whose counts are a fresh analysis's of the copy.
  record.kill('SIGTERM');
  await record.ended;
  await until('the page says the session ended', () => page.evaluate(() => document.body.dataset.live === 'ended'), 180_000);
  assert.equal(await page.$eval('#progress', e => e.hidden), true, 'no live indicator once the session ended');
  await page.evaluate(() => window.kvscope.setRange(0, window.kvscope.S.span));
  await page.waitForTimeout(2000); // the statistics of the whole range, fetched once the range rests
  const shown = await statistics(page);
  await page.screenshot({ path: out + 'live-2.png', fullPage: true });
  const report = JSON.parse(execFileSync(root + 'kvscope', ['report', dir + 'copy', '--cache', dir + 'after', '--format', 'json'],
    { maxBuffer: 1 << 28 }));
  const expected = {};
  for (const s of report.servers) for (const c of s.commands) expected[s.name + ' ' + c.name] = c.count;
  assert.deepEqual(shown.counts, expected, 'the page\'s counts at the end are those of kvscope analyze of the copy');
  assert.ok(shown.total >= 2 * 60000 + 15000, `the three loads counted: ${shown.total}`);
  assert.deepEqual(errors, [], 'no script error on the page');
  assert.equal(await page.evaluate(() => document.body.dataset.liveErrors), undefined,
    'no poll or redraw failed while live: ' + logged.join('\n'));
});
