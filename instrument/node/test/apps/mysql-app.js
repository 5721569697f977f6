'use strict';
// A node:http service using MariaDB through mysql2 (a pool with text queries, prepared statements and
// multi-statements). Knows nothing about tracing. Prints {"port"} when ready.
const http = require('http');
const mysql = require('mysql2/promise');

const config = { host: '127.0.0.1', port: Number(process.env.DB_PORT), user: 'shop', password: 'shop', database: 'shop' };

const routes = {
  '/select': async (db, q) => (await db.query('SELECT seq FROM seq_1_to_' + Number(q.get('n'))))[0].length,
  '/insert': async (db) => (await db.query('INSERT INTO t (v) VALUES (?)', ['x']))[0].affectedRows,
  '/bad': async (db) => { try { await db.query('SELEKT nonsense'); return 'no error?'; } catch (e) { return e.code; } },
  '/execute': async (db) => (await db.execute('SELECT ? + ? AS s', [2, 3]))[0][0].s,
  '/multi': async (_, q, multi) => (await multi.query('SELECT 1 AS a; SELECT seq FROM seq_1_to_3; DO 1'))[0].length,
  '/sleep': async (db, q) => { await db.query('SELECT SLEEP(?)', [Number(q.get('ms')) / 1000]); return 'slept'; },
  '/comment': async (db) => (await db.query('/* who */ -- what\n  (select 7 as x)'))[0][0].x,
  // A pool's first query: the pool opens its connection for it and sends it from the login's reply handler.
  '/fresh': async (db, q, multi, lazy) => (await lazy.query('SELECT 8 AS x'))[0][0].x,
};

async function main() {
  const db = mysql.createPool({ ...config, connectionLimit: 1 });
  const multi = await mysql.createConnection({ ...config, multipleStatements: true });
  const lazy = mysql.createPool({ ...config, connectionLimit: 1 }); // no connection until /fresh
  await db.query('CREATE TABLE IF NOT EXISTS t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))');
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = routes[url.pathname];
    if (!route) { res.statusCode = 404; return res.end(); }
    try {
      res.end(JSON.stringify({ result: await route(db, url.searchParams, multi, lazy) }));
    } catch (e) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: String(e) }));
    }
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
  process.on('SIGTERM', async () => { server.close(); await db.end(); await multi.end(); process.exit(0); });
}
main().catch((e) => { console.error(e); process.exit(1); });
setTimeout(() => process.exit(0), 600000).unref();
