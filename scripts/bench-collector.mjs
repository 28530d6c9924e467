#!/usr/bin/env node
// Receipts per second and latency of the collector on SQLite and PostgreSQL, next to a bare
// node:http server that answers 201 and stores nothing (the ceiling of this machine).
//
//   npm run bench:collector            3 runs of ~10 s per server
//   npm run bench:collector -- --quick  1 run of ~2 s per server (CI: proves it runs)
//
// Each server runs as its own process (the collector: the compiled CLI, rate limit off) so
// autocannon and the server each get a core; every request carries a fresh receipt. A run
// measures every server in turn under the same load; the table gives the median of the runs
// with min–max, and the ratios (to the bare server, PostgreSQL to SQLite) are taken within each
// run, so a machine busy with other work weighs on both sides of each. PostgreSQL is the server at DATABASE_URL
// (default postgres://postgres:postgres@127.0.0.1:5432/postgres), in a throwaway database.
// BENCH_CLI=<path of another build's dist/cli.js> measures that build instead (before/after).
// Results: a table on stdout and JSON under .bench/. It fails only when a 201 was not stored
// or a request failed, never on timings.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const root = fileURLToPath(new URL('..', import.meta.url));
const collectorDir = join(root, 'packages/collector');
const require = createRequire(join(collectorDir, 'package.json'));
const pg = require('pg');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '10' },
    store: { type: 'string', multiple: true },
    runs: { type: 'string' },
  },
});
const duration = Number(values.duration ?? (values.quick ? 2 : 10));
const connections = Number(values.connections);
const runs = Number(values.runs ?? (values.quick ? 1 : 3));
const stores = values.store ?? ['bare', 'sqlite', 'postgres'];
const adminUrl = process.env.DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

function receipt() {
  return JSON.stringify({
    version: 1,
    receiptId: randomUUID(),
    subjectId: randomUUID(),
    timestamp: new Date().toISOString(),
    policyVersion: '2024-01-01',
    method: 'custom',
    categories: { necessary: true, analytics: false, functional: true },
    language: 'kk',
    page: 'https://paloma365.com/pricing',
    sdkVersion: '1.0.0',
    previousReceiptId: null,
  });
}

/** The baseline: reads the body like the collector does and answers 201, storing nothing. */
const BARE_SERVER = `
const { createServer } = require('node:http');
const { randomUUID } = require('node:crypto');
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const receiptId = JSON.parse(body).receiptId ?? randomUUID();
    res.writeHead(201, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ receiptId, receivedAt: new Date().toISOString() }));
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

function startCollector(db) {
  const args =
    db === undefined
      ? ['-e', BARE_SERVER]
      : [process.env.BENCH_CLI ?? join(collectorDir, 'dist/cli.js'), '--port', '0', '--db', db, '--rate-limit', '0'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    // Keyed chains (HMAC links), as the README recommends for production.
    env: { ...process.env, CONSENT_COLLECTOR_CHAIN_KEY: randomBytes(32).toString('hex') },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
}

async function stopCollector(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A SQLite file in a temp dir, or a fresh database on the local PostgreSQL. */
async function prepare(kind) {
  if (kind === 'bare') return { db: undefined, count: async () => Number.NaN, drop: async () => {} };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-collector-'));
    const db = join(dir, 'receipts.sqlite');
    const count = () => {
      const Database = require('better-sqlite3');
      const handle = new Database(db, { readonly: true });
      const n = handle.prepare('SELECT count(*) AS n FROM receipts').get().n;
      handle.close();
      return n;
    };
    return { db, count, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (new URL(adminUrl).hostname !== '127.0.0.1') throw new Error('DATABASE_URL must point at 127.0.0.1');
  const name = `collector_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const count = async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const n = Number((await client.query('SELECT count(*) AS n FROM receipts')).rows[0].n);
    await client.end();
    return n;
  };
  return { db: url.toString(), count, drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function bench(kind) {
  const target = await prepare(kind);
  const { child, url } = await startCollector(target.db);
  try {
    const result = await autocannon({
      url,
      connections,
      duration,
      requests: [
        {
          method: 'POST',
          path: '/receipts',
          headers: { 'content-type': 'application/json' },
          // A fresh receipt per request: every one is a real insert, never a duplicate.
          setupRequest: (request) => ({ ...request, body: receipt() }),
        },
      ],
    });
    await stopCollector(child);
    const created = Number(result.statusCodeStats?.['201']?.count ?? 0);
    const stored = await target.count();
    return {
      store: kind,
      receiptsPerSecond: Math.round(created / result.duration),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      created,
      stored,
      non2xx: result.non2xx,
      errors: result.errors,
      durationSeconds: result.duration,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await target.drop();
  }
}

execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', collectorDir], {
  stdio: 'inherit',
});

const results = [];
let failed = false;
for (let run = 1; run <= runs; run++) {
  for (const kind of stores) {
    try {
      process.stdout.write(`run ${run}/${runs}: ${kind} for ${duration} s with ${connections} connections...\n`);
      results.push({ run, ...(await bench(kind)) });
    } catch (error) {
      failed = true;
      results.push({ run, store: kind, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** Median of the runs, with min–max when there are several. */
const spread = (values) => {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
};
/**
 * A run's rate of `kind` over its rate of `base`: both measured minutes apart at most, so a
 * machine busy with other work weighs on both, and the ratio says more than either rate.
 */
const ratios = (kind, base) =>
  Array.from({ length: runs }, (_, i) => {
    const [mine, theirs] = [kind, base].map((k) => results.find((r) => r.run === i + 1 && r.store === k && !r.error));
    return mine && theirs && theirs.receiptsPerSecond > 0
      ? mine.receiptsPerSecond / theirs.receiptsPerSecond
      : undefined;
  }).filter((value) => value !== undefined);
const summary = Object.fromEntries(
  stores.map((kind) => {
    const ok = results.filter((r) => r.store === kind && !r.error);
    return [
      kind,
      {
        runs: ok.length,
        rate: spread(ok.map((r) => r.receiptsPerSecond)),
        p99: spread(ok.map((r) => r.latencyMs.p99)),
        ...(kind !== 'bare' && stores.includes('bare') ? { toBare: spread(ratios(kind, 'bare')) } : {}),
      },
    ];
  }),
);
const pgToSqlite = summary.postgres && summary.sqlite ? spread(ratios('postgres', 'sqlite')) : undefined;
const show = ({ median: m, min, max }, digits = 0) =>
  Number.isNaN(m)
    ? 'failed'
    : runs > 1
      ? `${m.toFixed(digits)} (${min.toFixed(digits)}–${max.toFixed(digits)})`
      : m.toFixed(digits);
const rows = stores.map((kind) => {
  const { rate, p99, toBare } = summary[kind];
  const mine = results.filter((r) => r.store === kind);
  return {
    server: kind,
    'receipts/s': show(rate),
    'p99 ms': show(p99),
    '× bare': toBare ? show(toBare, 2) : '',
    'stored/201': kind === 'bare' ? '' : mine.map((r) => (r.error ? 'failed' : `${r.stored}/${r.created}`)).join(' '),
    'non-2xx': mine.map((r) => (r.error ? r.error : r.non2xx + r.errors)).join(' '),
  };
});
console.table(rows);
if (pgToSqlite) console.log(`PostgreSQL / SQLite rate: ${show(pgToSqlite, 2)} (per run; median of ${runs})`);

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  durationSeconds: duration,
  connections,
  runs,
  summary,
  pgToSqlite,
  results,
};
mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench/collector.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('written .bench/collector.json');
// Every 201 must be in the database, and nothing may fail under load.
const lost = (r) => r.store !== 'bare' && r.stored < r.created;
if (failed || results.some((r) => r.error || lost(r) || r.non2xx > 0 || r.errors > 0)) {
  process.exitCode = 1;
}
