#!/usr/bin/env node
// Receipts per second and latency of the collector on SQLite and PostgreSQL.
//
//   npm run bench:collector            ~10 s per store
//   npm run bench:collector -- --quick  ~2 s per store (CI: proves it runs)
//
// The collector runs as its own process (the compiled CLI, rate limit off) so autocannon
// and the server each get a core; every request carries a fresh receipt. PostgreSQL is
// the server at DATABASE_URL (default postgres://postgres:postgres@127.0.0.1:5432/postgres),
// in a throwaway database. Results: a table on stdout and JSON under .bench/.
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
  },
});
const duration = Number(values.duration ?? (values.quick ? 2 : 10));
const connections = Number(values.connections);
const stores = values.store ?? ['sqlite', 'postgres'];
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

function startCollector(db) {
  const child = spawn(
    process.execPath,
    [join(collectorDir, 'dist/cli.js'), '--port', '0', '--db', db, '--rate-limit', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      // Keyed chains (HMAC links), as the README recommends for production.
      env: { ...process.env, CONSENT_COLLECTOR_CHAIN_KEY: randomBytes(32).toString('hex') },
    },
  );
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
for (const kind of stores) {
  try {
    process.stdout.write(`benchmarking ${kind} for ${duration} s with ${connections} connections...\n`);
    results.push(await bench(kind));
  } catch (error) {
    failed = true;
    results.push({ store: kind, error: error instanceof Error ? error.message : String(error) });
  }
}

const rows = results.map((r) =>
  r.error
    ? { store: r.store, 'receipts/s': 'failed', 'p50 ms': '', 'p99 ms': '', stored: '', 'non-2xx': r.error }
    : {
        store: r.store,
        'receipts/s': r.receiptsPerSecond,
        'p50 ms': r.latencyMs.p50,
        'p99 ms': r.latencyMs.p99,
        stored: `${r.stored}/${r.created}`,
        'non-2xx': r.non2xx + r.errors,
      },
);
console.table(rows);

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  durationSeconds: duration,
  connections,
  results,
};
mkdirSync(join(root, '.bench'), { recursive: true });
writeFileSync(join(root, '.bench/collector.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log('written .bench/collector.json');
// Every 201 must be in the database, and nothing may fail under load.
if (failed || results.some((r) => r.error || r.stored < r.created || r.non2xx > 0 || r.errors > 0)) {
  process.exitCode = 1;
}
