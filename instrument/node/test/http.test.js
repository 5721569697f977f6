'use strict';
// HTTP through the agent, recorded by a real LTTng session: a node:http service calling an Express application
// (5.x, then 4.x) with node:http and fetch. The events must carry the fields of EVENTS.md, the client's and the
// server's 4-tuples of one exchange must agree, and every call made in a handler must name its span as parent.

const test = require('node:test');
const assert = require('node:assert');
const h = require('./lib/harness');

test.after(h.cleanup);

for (const express of ['express', 'express4']) {
  test(`node:http and fetch calling ${express}: fields, 4-tuples, parents, routes`, async () => {
    const closed = await h.freePort();
    const session = await h.startSession('http');
    const back = await h.startApp('express-app.js', { EXPRESS: express, KVSCOPE_SERVICE: 'back' });
    const front = await h.startApp('front.js', { DOWN_PORT: back.ready.port, CLOSED_PORT: closed });
    const fp = front.ready.port, bp = back.ready.port;

    const answers = {};
    for (const route of ['/via-http', '/via-fetch', '/both', '/refused', '/refused-http']) {
      answers[route] = await h.request(fp, route);
      assert.strictEqual(answers[route].status, 200, `${route}: ${answers[route].body}`);
    }
    assert.deepStrictEqual(answers['/both'].json.result, [{ status: 200, bytes: 26 }, { status: 200, bytes: 10000 }]);
    assert.match(answers['/refused'].json.result, /ECONNREFUSED/);
    assert.match(answers['/refused-http'].json.result, /ECONNREFUSED/);
    // A client that gives up on a request the server never answers: the server's response is aborted.
    await assert.rejects(new Promise((resolve, reject) => {
      const req = require('http').get({ host: '127.0.0.1', port: bp, path: '/hang', agent: false }, resolve);
      req.on('error', reject);
      setTimeout(() => req.destroy(new Error('gave up')), 200);
    }), /gave up/);
    await h.sleep(300);
    const events = session.stop();

    // ---- the front: its own server spans, and the client calls its handlers made ----
    const fr = h.of(events, front.pid);
    const svc = new Set(fr.map((e) => e.fields.service));
    assert.deepStrictEqual([...svc], ['kvscope-node-agent-tests'], 'service = the nearest package.json\'s name');
    for (const e of fr) assert.strictEqual(e.fields.pid, front.pid, `${e.name}: pid field = the process`);
    const receives = fr.filter((e) => e.name === 'nodejs:http_server_receive');
    assert.deepStrictEqual(receives.map((e) => e.fields.path),
      ['/via-http', '/via-fetch', '/both', '/refused', '/refused-http']);
    for (const r of receives) {
      assert.strictEqual(r.fields.method, 'GET');
      assert.strictEqual(r.fields.dst_port, fp);
      assert.strictEqual(r.fields.dst_addr, '127.0.0.1');
      assert.ok(r.fields.src_port > 0 && r.fields.fd >= 0);
    }
    const spanOf = Object.fromEntries(receives.map((r) => [r.fields.path, r.fields.span]));
    const responses = fr.filter((e) => e.name === 'nodejs:http_server_response');
    assert.strictEqual(responses.length, 5);
    for (const r of responses) {
      assert.strictEqual(r.fields.status, 200);
      assert.strictEqual(r.fields.aborted, 0);
      assert.strictEqual(r.fields.route, '', 'a plain node:http server has no route pattern');
      const path = Object.keys(spanOf).find((p) => spanOf[p] === r.fields.span);
      assert.strictEqual(r.fields.bytes, Buffer.byteLength(answers[path].body), `${path}: body bytes`);
    }

    const creqs = fr.filter((e) => e.name === 'nodejs:http_client_request');
    const cresps = fr.filter((e) => e.name === 'nodejs:http_client_response');
    assert.strictEqual(creqs.length, 6);
    assert.strictEqual(cresps.length, 6);
    const parents = creqs.map((e) => e.fields.parent);
    assert.deepStrictEqual(parents, [spanOf['/via-http'], spanOf['/via-fetch'], spanOf['/both'], spanOf['/both'],
      spanOf['/refused'], spanOf['/refused-http']], 'each call names the server span whose handler made it');
    assert.deepStrictEqual(creqs.map((e) => [e.fields.method, e.fields.path]), [['GET', '/users/7'],
      ['GET', '/api/items/42'], ['GET', '/users/8'], ['GET', '/stream'], ['GET', '/nothing'], ['GET', '/nothing']]);
    for (const q of creqs) assert.strictEqual(q.fields.host.split(':')[0], '127.0.0.1');
    const byClientSpan = new Map(cresps.map((e) => [e.fields.span, e]));
    for (const q of creqs) {
      const r = byClientSpan.get(q.fields.span);
      assert.ok(r, `client span ${q.fields.span} has a response event`);
      assert.strictEqual(r.fields.parent, q.fields.parent);
      assert.ok(r.ts > q.ts);
    }

    // ---- the back: its server spans match the front's client calls by 4-tuple ----
    const bk = h.of(events, back.pid);
    assert.ok(bk.every((e) => e.fields.service === 'back'), 'KVSCOPE_SERVICE names the service');
    const breceives = bk.filter((e) => e.name === 'nodejs:http_server_receive');
    const bresponses = bk.filter((e) => e.name === 'nodejs:http_server_response');
    assert.strictEqual(breceives.length, 5, '4 calls from the front and the /hang request');
    const ok = cresps.filter((e) => !e.fields.error);
    assert.strictEqual(ok.length, 4);
    for (const c of ok) {
      assert.strictEqual(c.fields.status, 200);
      assert.strictEqual(c.fields.dst_port, bp);
      const s = breceives.find((r) => r.fields.src_port === c.fields.src_port && r.ts < c.ts &&
        !breceives.some((o) => o !== r && o.fields.src_port === c.fields.src_port && o.ts > r.ts && o.ts < c.ts));
      assert.ok(s, `the server event of the call from port ${c.fields.src_port}`);
      for (const k of ['src_addr', 'src_port', 'dst_addr', 'dst_port']) {
        assert.strictEqual(s.fields[k], c.fields[k], `${k} agrees between client and server`);
      }
      const sr = bresponses.find((r) => r.fields.span === s.fields.span);
      assert.strictEqual(sr.fields.status, 200);
      assert.strictEqual(sr.fields.bytes, c.fields.bytes, 'body bytes sent = body bytes received');
      // The call nests the server's span: issued before the server received it, ended after it answered.
      const q = creqs.find((e) => e.fields.span === c.fields.span);
      assert.ok(q.ts < s.ts, `${q.fields.path}: client request (${q.ts}) before server receive (${s.ts})`);
      assert.ok(sr.ts < c.ts, `${q.fields.path}: server response before client response`);
    }
    const routes = Object.fromEntries(bresponses.map((r) => [breceives.find((q) => q.fields.span === r.fields.span)
      .fields.path, [r.fields.route, r.fields.bytes, r.fields.aborted]]));
    assert.deepStrictEqual(routes, {
      '/users/7': ['/users/:id', 26, 0], '/api/items/42': ['/api/items/:item', 7, 0], '/users/8': ['/users/:id', 26, 0],
      '/stream': ['/stream', 10000, 0], '/hang': ['/hang', 0, 1],
    });

    // ---- failures: the refused calls end with an error, no status, and no 4-tuple ----
    const failed = cresps.filter((e) => e.fields.error);
    assert.strictEqual(failed.length, 2);
    for (const f of failed) {
      assert.match(f.fields.error, /ECONNREFUSED/);
      assert.strictEqual(f.fields.status, 0);
    }
    // No agent trouble in a normal run.
    assert.deepStrictEqual(events.filter((e) => e.name === 'nodejs:agent_error'), []);
  });
}
