import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect as connectTcp, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import type { ReceiptV1 } from '../src/validate.js';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const cliPath = join(packageDir, 'dist', 'cli.js');

/** A valid version 1 receipt with fresh ids. */
export function makeReceipt(overrides: Partial<ReceiptV1> = {}): ReceiptV1 {
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
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

export interface CliProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts the compiled CLI on a free port (build it first with buildOnce) and resolves once it
 * listens. The rate limit is off unless `args` sets `--rate-limit` (the last one wins), since
 * tests post many receipts from one address.
 */
export function startCli(args: string[], env: Record<string, string> = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [cliPath, '--port', '0', '--rate-limit', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  const stop = () => stopCli(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output, stop });
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
}

/** Stops a CLI started by `startCli` the way an operator would (SIGTERM) and waits for it. */
export function stopCli(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A TCP relay in front of PostgreSQL: the test decides when the database freezes or goes away. */
export interface DbRelay {
  /** `db` with the relay's port: give it to the collector. */
  url: string;
  /** Stops forwarding in both directions and leaves new connections hanging, like a frozen server. */
  freeze: () => void;
  thaw: () => void;
  /** Drops every connection and refuses new ones, like a stopped server. */
  stop: () => void;
  start: () => void;
  /** Bytes relayed from the database so far. */
  received: () => number;
  /** Freezes or stops once `bytes` have been relayed from the database. */
  failAfter: (bytes: number, how: 'freeze' | 'stop') => void;
  close: () => Promise<void>;
}

export async function relayDb(db: string): Promise<DbRelay> {
  const target = new URL(db);
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  let stopped = false;
  let received = 0;
  let limit: { bytes: number; how: 'freeze' | 'stop' } | undefined;
  const freeze = () => {
    frozen = true;
    for (const pair of pairs) for (const socket of pair) socket.pause();
  };
  const stop = () => {
    stopped = true;
    for (const pair of pairs) for (const socket of pair) socket.destroy();
    pairs.clear();
  };
  const server = createNetServer((client) => {
    if (stopped) return client.destroy();
    const upstream = connectTcp(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    if (frozen) for (const socket of pair) socket.pause();
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      received += chunk.length;
      client.write(chunk);
      if (limit && received >= limit.bytes) {
        const { how } = limit;
        limit = undefined;
        if (how === 'freeze') freeze();
        else stop();
      }
    });
    for (const socket of pair) {
      socket.on('error', () => {});
      socket.on('close', () => {
        for (const other of pair) other.destroy();
        pairs.delete(pair);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(db);
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    freeze,
    thaw: () => {
      frozen = false;
      for (const pair of pairs) for (const socket of pair) socket.resume();
    },
    stop,
    start: () => {
      stopped = false;
    },
    received: () => received,
    failAfter: (bytes, how) => {
      limit = { bytes: received + bytes, how };
    },
    close: () =>
      new Promise<void>((resolve) => {
        stop();
        server.close(() => resolve());
      }),
  };
}
