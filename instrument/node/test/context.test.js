'use strict';
// The request context (lib/context.js): a call made after each kind of asynchronous boundary a handler crosses names
// the server span of the request that made it — with the context in V8's continuation-preserved embedder data (the
// default on Node < 22) and in an AsyncLocalStorage (KVSCOPE_NODE_CONTEXT=als), the same answers — including for
// requests in flight together (each call its own request's span, never another's), and parent 0 for work an
// emitter fired from outside the request (not that request's, in either way).

const test = require('node:test');
const assert = require('node:assert');
const h = require('./lib/harness');

test.after(h.cleanup);

const FOLLOWED = ['sync', 'after-await', 'next-tick', 'immediate', 'timeout', 'in-response'];
const ROUNDS = 4;

for (const mode of ['frame', 'als']) {
  test(`context (${mode}): every call names the request whose handler made it`, async () => {
    const session = await h.startSession('context-' + mode);
    const app = await h.startApp('context-app.js', mode === 'als' ? { KVSCOPE_NODE_CONTEXT: 'als' } : {});
    const port = app.ready.port;
    // All routes at once, ROUNDS times, each with a body: the handlers' calls interleave.
    const all = [];
    for (let n = 0; n < ROUNDS; n++) {
      for (const route of [...FOLLOWED, 'other-emitter']) {
        all.push(h.request(port, `/${route}/${n}`, { method: 'POST', body: { n, pad: 'x'.repeat(100) } }));
      }
    }
    for (const r of await Promise.all(all)) assert.strictEqual(r.status, 200, r.body);
    await h.sleep(200);
    const events = session.stop();

    const receives = h.of(events, app.pid, 'nodejs:http_server_receive');
    const spanOf = new Map(receives.map((e) => [e.fields.path, e.fields.span]));
    const calls = h.of(events, app.pid, 'nodejs:http_client_request');
    assert.strictEqual(calls.length, ROUNDS * (FOLLOWED.length + 1 + 2), 'one call per route, two for the two-step ones');
    for (const c of calls) {
      const [, , route, n] = c.fields.path.split('/');
      const expected = route === 'other-emitter' ? 0 : spanOf.get(`/${route}/${n}`);
      assert.ok(expected !== undefined, `the request ${route}/${n} was received`);
      assert.strictEqual(c.fields.parent, expected, `${c.fields.path} (${mode}): parent`);
      const response = h.of(events, app.pid, 'nodejs:http_client_response').find((r) => r.fields.span === c.fields.span);
      assert.strictEqual(response.fields.parent, expected, `${c.fields.path} (${mode}): the response's parent`);
    }
    // The context way is the one asked for: the context addon is mapped in frame mode only.
    const maps = require('fs').readFileSync(`/proc/${app.pid}/maps`, 'utf8');
    assert.strictEqual(maps.includes('nodejs_ctx.node'), mode === 'frame', `nodejs_ctx.node mapped (${mode})`);
  });
}
