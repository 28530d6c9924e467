import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import type { Receipt } from '../src/validate.js';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(packageDir, 'dist', 'cli.js');

/** A valid version 1 receipt with fresh ids. */
export function makeReceipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    version: 1,
    receiptId: randomUUID(),
    subjectId: randomUUID(),
    timestamp: '2026-11-24T19:00:00.000Z',
    policyVersion: '2024-01-01',
    method: 'accept_all',
    categories: { necessary: true, analytics: true, functional: false },
    language: 'ru',
    page: 'https://paloma365.com/pricing',
    sdkVersion: '1.0.0',
    previousReceiptId: null,
    ...overrides,
  };
}

/** One throwaway database: a SQLite file in a temp dir or a fresh PostgreSQL database. */
export interface TestDb {
  kind: 'sqlite' | 'postgres';
  /** What `--db` / `createCollector({ db })` takes. */
  db: string;
  /** Runs SQL straight against the database, behind the collector's back. */
  sql: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
  count: () => Promise<number>;
  drop: () => Promise<void>;
}

export function createSqliteDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'collector-test-'));
  const file = join(dir, 'receipts.sqlite');
  const sql = async (text: string, params: unknown[] = []) => {
    const db = new Database(file);
    try {
      const statement = db.prepare(text);
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  };
  return Promise.resolve({
    kind: 'sqlite',
    db: file,
    sql,
    count: async () => Number((await sql('SELECT count(*) AS n FROM receipts'))[0]!.n),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  });
}

export async function createPostgresDb(): Promise<TestDb> {
  const problem = inject('pgError');
  if (problem) throw new Error(`PostgreSQL tests cannot run: ${problem}`);
  const adminUrl = inject('databaseUrl');
  const name = `collector_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const sql = async (text: string, params: unknown[] = []) => (await client.query(text, params)).rows;
  return {
    kind: 'postgres',
    db: url.toString(),
    sql,
    count: async () => Number((await sql('SELECT count(*) AS n FROM receipts'))[0]!.n),
    drop: async () => {
      await client.end();
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

/** Both stores run the same suites. */
export const stores = [
  { kind: 'sqlite', create: createSqliteDb },
  { kind: 'postgres', create: createPostgresDb },
] as const;

let built = false;
/** The CLI tests run the compiled JavaScript, as a user would; tsc takes under a second. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [join(packageDir, '../../node_modules/typescript/bin/tsc'), '-p', packageDir], {
    stdio: 'inherit',
  });
  built = true;
}

/** Posts a receipt (or any body) as JSON. */
export function post(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Starts the compiled CLI on a free port (after `buildOnce`) and resolves once it listens. */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliPath, '--port', '0', '--rate-limit', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
}

/** Stops a CLI started by `startCli` the way an operator would (SIGTERM) and waits for it. */
export function stopCli(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
