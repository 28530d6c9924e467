import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningCollector } from '../src/server.js';
import {
  buildOnce,
  type CliProcess,
  createPostgresDb,
  createSqliteDb,
  type DbRelay,
  makeReceipt,
  relayDb,
  startCli,
  stores,
  type TestDb,
} from './helpers.js';

const TOKEN = 'test-admin-token';
const admin = { authorization: `Bearer ${TOKEN}` };
/** What the issue promises: an answer within 5 s whatever the database does. */
const BOUND_MS = 5_000;

/** Sends a request that gives up after 8 s, and says how long the answer took. */
async function timed(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; ms: number; retryAfter: string | null; body: string }> {
  const started = Date.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(8_000) });
  const body = await response.text();
  return { status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after'), body };
}

const postReceipt = (base: string) =>
  timed(`${base}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(makeReceipt()),
  });

beforeAll(() => buildOnce());

describe('PostgreSQL that freezes or stops (the CLI, through a relay)', () => {
  let db: TestDb;
  let relay: DbRelay;
  let cli: CliProcess;
  beforeAll(async () => {
    db = await createPostgresDb();
    relay = await relayDb(db.db);
    cli = await startCli(['--db', relay.url, '--rate-limit', '0', '--admin-token', TOKEN]);
  });
  afterEach(() => {
    relay.thaw();
    relay.start();
  });
  afterAll(async () => {
    await cli?.stop();
    await relay?.close();
    await db?.drop();
  });

  it('answers 503 with Retry-After within 5 s while the database is frozen, and recovers', async () => {
    expect((await postReceipt(cli.url)).status).toBe(201);
    relay.freeze();
    const [posted, health, subject] = await Promise.all([
      postReceipt(cli.url),
      timed(`${cli.url}/healthz`),
      timed(`${cli.url}/subjects/${makeReceipt().subjectId}/receipts`, { headers: admin }),
    ]);
    for (const answer of [posted, health, subject]) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    expect(JSON.parse(health.body)).toEqual({
      ok: false,
      store: 'postgres',
      error: 'storage did not answer within 2000 ms',
    });
    relay.thaw();
    // The connections that timed out were dropped; fresh ones serve the next requests.
    expect((await postReceipt(cli.url)).status).toBe(201);
    expect((await timed(`${cli.url}/healthz`)).status).toBe(200);
  }, 30_000);

  it('answers 503 from /healthz and the receipts route while the database is stopped', async () => {
    relay.stop();
    const [posted, health] = await Promise.all([postReceipt(cli.url), timed(`${cli.url}/healthz`)]);
    for (const answer of [posted, health]) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    expect(JSON.parse(health.body)).toEqual({ ok: false, store: 'postgres', error: 'storage unavailable' });
    relay.start();
    expect((await postReceipt(cli.url)).status).toBe(201);
  }, 30_000);

  it.each(['stop', 'freeze'] as const)(
    'ends an export whose database is lost mid-way (%s) as an error',
    async (how) => {
      // Seeded behind the collector's back: what is under test is the export, not 1200 posts.
      await db.sql(
        `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash)
       SELECT gen_random_uuid()::text, gen_random_uuid()::text, '2026-01-01T00:00:00.000Z', NULL,
              json_build_object('version', 1, 'n', i, 'pad', repeat('x', 300))::text, repeat('0', 64), md5(i::text)
       FROM generate_series(1, 1200) AS i`,
      );
      const before = relay.received();
      const whole = await (await fetch(`${cli.url}/receipts/export`, { headers: admin })).text();
      const perExport = relay.received() - before;
      expect(whole.trim().split('\n').length).toBeGreaterThanOrEqual(1200);
      // Half-way through the rows, after the first page has gone out with a 200.
      relay.failAfter(Math.floor(perExport / 2), how);
      const started = Date.now();
      const response = await fetch(`${cli.url}/receipts/export`, {
        headers: admin,
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow(/terminated/);
      expect(Date.now() - started).toBeLessThan(8_000);
    },
    40_000,
  );
});

describe('PostgreSQL with the receipts table locked by another connection', () => {
  let db: TestDb;
  let running: RunningCollector;
  let locker: pg.Client;
  beforeAll(async () => {
    db = await createPostgresDb();
    running = await listen({ db: db.db, port: 0, rateLimit: false });
    locker = new pg.Client({ connectionString: db.db });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await running?.close();
    await db?.drop();
  });

  it('answers every request 503 within 5 s, more requests than the pool has connections', async () => {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE receipts IN ACCESS EXCLUSIVE MODE');
    try {
      const answers = await Promise.all([
        ...Array.from({ length: 14 }, () => postReceipt(running.url)),
        timed(`${running.url}/healthz`),
      ]);
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
        expect(answer.ms).toBeLessThan(BOUND_MS);
      }
    } finally {
      await locker.query('ROLLBACK');
    }
    expect((await postReceipt(running.url)).status).toBe(201);
  }, 30_000);
});

describe('SQLite with the write lock held by another process (the CLI)', () => {
  let db: TestDb;
  let cli: CliProcess;
  beforeAll(async () => {
    db = await createSqliteDb();
    cli = await startCli(['--db', db.db, '--rate-limit', '0', '--allow-origin', 'https://paloma365.com']);
  });
  afterAll(async () => {
    await cli?.stop();
    await db?.drop();
  });

  it('answers 503 within 5 s and keeps serving everything else meanwhile', async () => {
    const other = new Database(db.db);
    other.exec('BEGIN IMMEDIATE');
    try {
      const posts = Array.from({ length: 3 }, () => postReceipt(cli.url));
      await new Promise((resolve) => setTimeout(resolve, 200));
      // A preflight needs no storage: it must not wait behind the blocked writes.
      const preflight = await timed(`${cli.url}/receipts`, {
        method: 'OPTIONS',
        headers: { origin: 'https://paloma365.com', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.ms).toBeLessThan(1_000);
      const health = await timed(`${cli.url}/healthz`);
      expect(health).toMatchObject({ status: 503, retryAfter: '5' });
      expect(health.ms).toBeLessThan(3_000);
      for (const answer of await Promise.all(posts)) {
        expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
        expect(answer.ms).toBeLessThan(BOUND_MS);
      }
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await postReceipt(cli.url)).status).toBe(201);
    expect((await timed(`${cli.url}/healthz`)).status).toBe(200);
  }, 30_000);
});

// A full disk (or a read-only database) still answers reads: only a write can tell.
describe.each(stores)('/healthz on $kind when writes fail', ({ kind, create }) => {
  let db: TestDb;
  let running: RunningCollector;
  beforeAll(async () => {
    db = await create();
    running = await listen({ db: db.db, port: 0, rateLimit: false });
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  const failWrites =
    kind === 'sqlite'
      ? "CREATE TRIGGER disk_full BEFORE INSERT ON receipts BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
      : 'ALTER TABLE receipts ADD CONSTRAINT disk_full CHECK (false) NOT VALID';
  const healWrites = kind === 'sqlite' ? 'DROP TRIGGER disk_full' : 'ALTER TABLE receipts DROP CONSTRAINT disk_full';

  it('fails while the last write failed, and is healthy again once a write succeeds', async () => {
    expect((await timed(`${running.url}/healthz`)).status).toBe(200);
    await db.sql(failWrites);
    expect((await postReceipt(running.url)).status).toBe(503);
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ok: false,
      store: kind,
      error: expect.stringMatching(/last write failed/),
    });
    await db.sql(healWrites);
    expect((await postReceipt(running.url)).status).toBe(201);
    expect((await timed(`${running.url}/healthz`)).status).toBe(200);
  });
});
