'use strict';
// MySQL gateway (the original's "mysqlgw"): the other services reach the database (MariaDB) through it, over
// HTTP + JSON, with mysql2's connection pool.
//
// Injected problem (off by default): SLOW_SQL_MS=N makes POST /orders/get — and only it — run `SELECT SLEEP(N/1000)`
// on its connection before the order's SELECT: a slow query of N ms in MariaDB. MariaDB's slow query log (every
// statement of 1 ms or more, in the data directory start.sh made) records each with its Query_time.
const mysql = require('mysql2/promise');
const { serve, status, env, stopOn } = require('../lib/json-http');

const [host, port] = env('DB').split(':');
const pool = mysql.createPool({
  host, port: Number(port), user: env('DB_USER', 'shop'), password: env('DB_PASSWORD', 'shop'),
  database: env('DB_NAME', 'shop'), connectionLimit: 16,
});
const slowMs = Number(env('SLOW_SQL_MS', '0'));
const injected = { slowSqlMs: slowMs, slowQueries: 0 };

const server = serve('mysqlgw', Number(env('PORT', '0')), {
  'GET /health': async () => { await pool.query('SELECT 1'); return { ok: true }; },
  'GET /admin/stats': async () => injected,
  'POST /users/get': async ({ body }) => {
    const [rows] = await pool.query('SELECT id, name, email, created FROM users WHERE id = ?', [int(body.id)]);
    if (!rows.length) throw status(404, `no user ${body.id}`);
    return rows[0];
  },
  'POST /users/find': async ({ body }) => {
    const [rows] = await pool.execute('SELECT id, name, password_hash AS passwordHash FROM users WHERE name = ?',
      [String(body.name)]);
    if (!rows.length) throw status(404, `no user named ${body.name}`);
    return rows[0];
  },
  'POST /users/add': async ({ body }) => {
    const [r] = await pool.query('INSERT INTO users (name, email, password_hash) VALUES (?, ?, ?)',
      [String(body.name), String(body.email || ''), String(body.passwordHash)]);
    return { id: r.insertId };
  },
  'POST /orders/add': async ({ body }) => {
    const [r] = await pool.query('INSERT INTO orders (user_id, item, qty) VALUES (?, ?, ?)',
      [int(body.userId), String(body.item), int(body.qty)]);
    return { id: r.insertId };
  },
  'POST /orders/get': async ({ body }) => {
    const conn = await pool.getConnection();
    try {
      if (slowMs > 0) {
        injected.slowQueries++;
        await conn.query('SELECT SLEEP(?)', [slowMs / 1000]);
      }
      const [rows] = await conn.query('SELECT id, user_id AS userId, item, qty, created FROM orders WHERE id = ?',
        [int(body.id)]);
      if (!rows.length) throw status(404, `no order ${body.id}`);
      return rows[0];
    } finally {
      conn.release();
    }
  },
});

function int(v) {
  const n = Number(v);
  if (!Number.isInteger(n)) throw status(400, `not an integer: ${v}`);
  return n;
}

stopOn(server, () => pool.end());
