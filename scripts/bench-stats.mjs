#!/usr/bin/env node
// How long `GET /stats` takes at 10 million receipts, on SQLite and PostgreSQL.
//
//   npm run build && npm run bench:stats                 10 M receipts, both stores (minutes: filling is most of it)
//   npm run bench:stats -- --receipts 1000000 --store sqlite
//
// Fills a throwaway SQLite file and a throwaway PostgreSQL database (at DATABASE_URL, default
// postgres://postgres:postgres@127.0.0.1:5432/postgres) with synthetic receipts spread over 366
// days, in bulk (SQL, bypassing HTTP, indexes built after the fill), schema from the collector's
// own migrations. Then times the store's `stats` (what `/stats` runs) for a 30-day and a 366-day
// range with a time-zone offset: one warm-up run, then 5 timed runs, median and min–max. Prints
// the query plan, which must read the `receipts_stats` index. Not a CI test.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const collectorDir = join(root, 'packages/collector');
const require = createRequire(join(collectorDir, 'package.json'));
const pg = require('pg');
const Database = require('better-sqlite3');
const { openSqliteStore, openPostgresStore } = await import(join(collectorDir, 'dist/index.js'));
const { statsSql } = await import(join(collectorDir, 'dist/store.js'));

const { values } = parseArgs({
  options: {
    receipts: { type: 'string', default: '10000000' },
    store: { type: 'string', multiple: true },
    runs: { type: 'string', default: '5' },
  },
});
const N = Number(values.receipts);
const RUNS = Number(values.runs);
const stores = values.store ?? ['sqlite', 'postgres'];
const adminUrl = process.env.DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** Receipts arrive evenly over 366 days from 2025-01-01; the ranges below end on the last day. */
const START = Date.parse('2025-01-01T00:00:00.000Z') / 1000;
const SPAN = 366 * 86_400;
const DAY = 86_400_000;
const lastDay = Math.floor((START + SPAN) / 86_400) - 1;
const ranges = [
  { name: '30 days', fromDay: lastDay - 29, toDay: lastDay, tzOffsetMinutes: 300 },
  { name: '366 days', fromDay: lastDay - 365, toDay: lastDay, tzOffsetMinutes: 300 },
];

// The method of receipt i: 55 % accept_all, 25 % reject_all, 12 % custom, 3 % withdraw, 5 % gpc; three
// languages; the categories follow from the method (custom and withdraw vary). Written once as SQL
// CASE expressions over `i`, the same for both databases.
const METHOD = `CASE WHEN i % 100 < 55 THEN 'accept_all' WHEN i % 100 < 80 THEN 'reject_all'
  WHEN i % 100 < 92 THEN 'custom' WHEN i % 100 < 95 THEN 'withdraw' ELSE 'gpc' END`;
const LANGUAGE = `CASE WHEN i % 10 < 5 THEN 'ru' WHEN i % 10 < 8 THEN 'kk' ELSE 'en' END`;
const CATEGORIES = `CASE WHEN i % 100 < 55 THEN '{"analytics":true,"functional":true,"necessary":true}'
  WHEN i % 100 < 80 OR i % 100 >= 95 THEN '{"analytics":false,"functional":false,"necessary":true}'
  WHEN i % 7 < 3 THEN '{"analytics":true,"functional":false,"necessary":true}'
  ELSE '{"analytics":false,"functional":true,"necessary":true}' END`;

const median = (times) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
const ms = (t) => `${t.toFixed(0)} ms`;

async function time(store) {
  const results = [];
  for (const range of ranges) {
    await store.stats(range); // warm-up: caches, prepared statement
    const times = [];
    let rows;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      rows = await store.stats(range);
      times.push(performance.now() - started);
    }
    const counted = rows.filter((row) => row.kind === 'day').reduce((sum, row) => sum + Number(row.receipts), 0);
    results.push({ ...range, counted, median: median(times), min: Math.min(...times), max: Math.max(...times) });
  }
  return results;
}

function report(kind, results, fill, plan) {
  console.log(`\n${kind}: ${N.toLocaleString('en')} receipts (filled and indexed in ${(fill / 1000).toFixed(0)} s)`);
  for (const r of results) {
    console.log(
      `  ${r.name.padEnd(9)} ${r.counted.toLocaleString('en').padStart(11)} receipts counted: median ${ms(r.median)} (min ${ms(r.min)}, max ${ms(r.max)}; ${RUNS} runs)`,
    );
  }
  console.log(`  plan of the 366-day query:\n${plan.map((line) => `    ${line}`).join('\n')}`);
}

async function benchSqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
  const file = join(dir, 'receipts.sqlite');
  try {
    (await openSqliteStore(file)).close();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const started = performance.now();
    // Indexes are built after the fill: far faster than maintaining them row by row.
    const indexes = db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'receipts' AND sql IS NOT NULL")
      .all();
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${N - 1}),
      t AS (SELECT i, ${START} + i * (${SPAN}.0 / ${N}) AS at FROM s)
      INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash, link, notice_id,
                            arrival_day, arrival_minute, method, language, categories)
      SELECT 'r' || i, 's' || (i / 3), strftime('%Y-%m-%dT%H:%M:%fZ', at, 'unixepoch'), NULL, '{}', '', '', 1, NULL,
             CAST(at AS INTEGER) / 86400, CAST(at AS INTEGER) % 86400 / 60, ${METHOD}, ${LANGUAGE}, ${CATEGORIES}
      FROM t`);
    for (const index of indexes) db.exec(index.sql);
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const fill = performance.now() - started;
    const range = ranges[1];
    const plan = db
      .prepare(`EXPLAIN QUERY PLAN ${statsSql('sqlite')}`)
      .all({ lo: range.fromDay - 1, hi: range.toDay + 1, from: range.fromDay, to: range.toDay, offset: 300 })
      .map((row) => row.detail);
    db.close();
    const store = openSqliteStore(file);
    try {
      report('SQLite', await time(store), fill, plan);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres() {
  const name = `bench_stats_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await (await openPostgresStore(url.toString())).close();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const started = performance.now();
    const indexes = (
      await client.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'receipts'
         AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
      )
    ).rows;
    for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
    await client.query(`INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash, link,
                          notice_id, arrival_day, arrival_minute, method, language, categories)
      SELECT 'r' || i, 's' || (i / 3), to_char(to_timestamp(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             NULL, '{}', '', '', 1, NULL, floor(at / 86400), floor(at)::bigint % 86400 / 60,
             ${METHOD}, ${LANGUAGE}, ${CATEGORIES}
      FROM (SELECT i, ${START} + i * (${SPAN}.0 / ${N}) AS at FROM generate_series(0, ${N - 1}) AS i) AS t`);
    for (const index of indexes) await client.query(index.indexdef);
    // The visibility map lets the index-only scan skip the table.
    await client.query('VACUUM ANALYZE receipts');
    const fill = performance.now() - started;
    const range = ranges[1];
    const plan = (
      await client.query(`EXPLAIN ${statsSql('postgres')}`, [
        range.fromDay - 1,
        range.toDay + 1,
        range.fromDay,
        range.toDay,
        300,
      ])
    ).rows.map((row) => row['QUERY PLAN']);
    await client.end();
    const store = await openPostgresStore(url.toString());
    try {
      report('PostgreSQL', await time(store), fill, plan);
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

console.log(
  `stats bench: ${N.toLocaleString('en')} receipts over 366 days; ranges end ${new Date(lastDay * DAY).toISOString().slice(0, 10)}, tzOffsetMinutes 300`,
);
if (stores.includes('sqlite')) await benchSqlite();
if (stores.includes('postgres')) await benchPostgres();
