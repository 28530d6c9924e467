import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Notice } from '@paloma365/consent-core';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from '../src/chain.js';
import { splitNotice } from '../src/notice.js';
import { openPostgresStore } from '../src/postgres.js';
import { type Collector, createCollector } from '../src/server.js';
import type { InsertResult, NewReceipt, ReceiptStore } from '../src/store.js';
import type { ReceiptV2 } from '../src/validate.js';
import { createPostgresDb, makeReceipt, post, type TestDb } from './helpers.js';

const CHAIN_KEY = randomBytes(32).toString('hex');
const vectors = JSON.parse(readFileSync(new URL('../../core/test-vectors/notice.json', import.meta.url), 'utf8')) as {
  cases: { notice: object; sha256: string }[];
};
/** The test vector's realistic notice, with its id. */
const NOTICE = { id: vectors.cases[1]!.sha256, ...vectors.cases[1]!.notice } as Notice;
const makeV2 = (overrides: Partial<ReceiptV2> = {}): ReceiptV2 => ({
  ...makeReceipt(),
  version: 2,
  expiresAt: '2027-05-25T19:00:00.000Z',
  notice: NOTICE,
  ...overrides,
});

interface Instance {
  collector: Collector;
  server: Server;
  base: string;
}

/** One collector instance: `createCollector` on the shared database, its own HTTP server on 127.0.0.1. */
async function startInstance(db: string | ReceiptStore, storeTimeoutMs?: number): Promise<Instance> {
  const collector = await createCollector({ db, chainKey: CHAIN_KEY, rateLimit: false, storeTimeoutMs });
  const server = createServer(collector.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { collector, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stopInstance(instance: Instance | undefined): Promise<void> {
  if (!instance) return;
  await new Promise((resolve) => instance.server.close(resolve));
  await instance.collector.close();
}

/** Runs `tasks` with at most `limit` at once, like many browsers posting at the same moment. */
async function concurrently<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Receipts per transaction: every row a transaction wrote carries its id in `xmin`. */
async function transactionSizes(db: TestDb): Promise<number[]> {
  const rows = await db.sql('SELECT count(*) AS n FROM receipts GROUP BY xmin::text ORDER BY 1');
  return rows.map((row) => Number(row.n));
}

describe('PostgreSQL group commit with two collector instances on one database', () => {
  let db: TestDb;
  let a: Instance;
  let b: Instance;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      db = await createPostgresDb();
      a = await startInstance(db.db);
      b = await startInstance(db.db);
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await stopInstance(a);
    await stopInstance(b);
    await db?.drop();
  });

  it('stores every receipt once, each chain linked in order, when both receive the same subjects at once', async () => {
    const subjects = Array.from({ length: 8 }, () => randomUUID());
    // 40 receipts per subject, every other one a version 2 receipt with the notice.
    const receipts = subjects.flatMap((subjectId) =>
      Array.from({ length: 40 }, (_, i) => (i % 2 ? makeV2({ subjectId }) : makeReceipt({ subjectId }))),
    );
    // Interleaved: shuffled, each to one instance or the other; every tenth sent to both at once.
    const order = receipts.map((receipt) => ({ receipt, sort: Math.random() })).sort((x, y) => x.sort - y.sort);
    const tasks = order.flatMap(({ receipt }, i) => {
      const to = (instance: Instance) => async () => ({ receipt, status: (await post(instance.base, receipt)).status });
      if (i % 10 === 0) return [() => Promise.all([to(a)(), to(b)()]).then((both) => both)];
      return [() => to(i % 2 ? a : b)().then((one) => [one])];
    });
    const answers = (await concurrently(tasks, 32)).flat();

    expect(answers.filter((answer) => answer.status !== 201 && answer.status !== 200)).toEqual([]);
    const created = new Map<string, number>();
    for (const { receipt, status } of answers) {
      if (status === 201) created.set(receipt.receiptId, (created.get(receipt.receiptId) ?? 0) + 1);
    }
    // Each receipt got exactly one 201, the copy sent to the other instance a 200 (duplicate).
    expect(created.size).toBe(receipts.length);
    expect([...created.values()].every((count) => count === 1)).toBe(true);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(receipts.length / 10);
    expect(await db.count()).toBe(receipts.length);
    expect(await db.sql('SELECT count(*)::int AS n FROM notices')).toEqual([{ n: 1 }]);
    const perSubject = await db.sql('SELECT subject_id, count(*)::int AS n FROM receipts GROUP BY subject_id');
    expect(perSubject.map((row) => row.n)).toEqual(subjects.map(() => 40));

    // Each chain in seq order: genesis first, then every prev_hash is the hash before it.
    for (const subjectId of subjects) {
      const chain = await db.sql('SELECT prev_hash, hash FROM receipts WHERE subject_id = $1 ORDER BY seq', [
        subjectId,
      ]);
      expect(chain[0]!.prev_hash).toBe('0'.repeat(64));
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.prev_hash).toBe(chain[i - 1]!.hash);
    }
    const report = await a.collector.store.verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.keyed).toBe(receipts.length);
    // Grouped: far fewer transactions than receipts.
    const sizes = await transactionSizes(db);
    expect(sizes.length).toBeLessThan(receipts.length * 0.75);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
  });
});

describe('PostgreSQL batches in one store', () => {
  let db: TestDb;
  let store: ReceiptStore;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      db = await createPostgresDb();
      store = await openPostgresStore(db.db, { chainKey: CHAIN_KEY, maxBatch: 5 });
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const input = (receipt: ReturnType<typeof makeReceipt>): NewReceipt => ({
    receipt,
    receivedAt: new Date().toISOString(),
    clientIp: null,
  });

  it('commits at most maxBatch receipts per transaction, and answers a retry and a clash inside one batch', async () => {
    const subjectId = randomUUID();
    const first = makeReceipt({ subjectId });
    const clash = { ...first, method: 'reject_all' as const };
    const others = Array.from({ length: 20 }, (_, i) => makeReceipt({ subjectId: i % 3 ? subjectId : randomUUID() }));
    // The batch's values are escaped into its SQL: quotes, backslashes and any Unicode come back as sent.
    const awkward = "https://paloma365.com/a'b\\'); DROP TABLE receipts; --\\\\n?q=$1&x=$$ \u{1F36A} қазақша";
    others[4] = makeReceipt({ subjectId, page: awkward });
    // All in one turn: the first batch holds `first`, its retry and the clash.
    const results = await Promise.all([first, first, clash, ...others].map((receipt) => store.insert(input(receipt))));
    const statuses = results.map((result: InsertResult) => result.status);
    expect(statuses.slice(0, 3)).toEqual(['created', 'duplicate', 'conflict']);
    expect(statuses.slice(3).every((status) => status === 'created')).toBe(true);
    expect(await db.count()).toBe(21);
    const sizes = await transactionSizes(db);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    // Across batches too: posted again later, every receipt is a duplicate.
    const again = await Promise.all([first, ...others].map((receipt) => store.insert(input(receipt))));
    expect(again.every((result) => result.status === 'duplicate')).toBe(true);
    expect((await store.verify()).problems).toEqual([]);
    const stored = (await store.bySubject(subjectId)).find((receipt) => receipt.receiptId === others[4]!.receiptId);
    expect(stored?.page).toBe(awkward);
  });

  it('answers a clash with a receipt another subject stored during the batch, and keeps the chain whole', async () => {
    // Another instance, mid-transaction, holds receipt R under subject X (a valid link of X's chain).
    const theirs = makeReceipt();
    const receivedAt = new Date().toISOString();
    const body = splitNotice(theirs).body;
    const other = new pg.Client({ connectionString: db.db });
    await other.connect();
    await other.query('BEGIN');
    await other.query(
      `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash, link)
       VALUES ($1, $2, $3, NULL, $4, $5, $6, 2)`,
      [
        theirs.receiptId,
        theirs.subjectId,
        receivedAt,
        body,
        GENESIS_HASH,
        chainHash(GENESIS_HASH, { body, receivedAt, clientIp: null }, CHAIN_KEY),
      ],
    );
    // Ours: R under subject Y with another body, then a second receipt of Y in the same batch.
    const subjectId = randomUUID();
    const clash = { ...theirs, subjectId };
    const next = makeReceipt({ subjectId });
    const results = Promise.all([clash, next].map((receipt) => store.insert(input(receipt))));
    // The batch's insert waits on R's uncommitted row; then the other transaction commits.
    for (let waiting = 0; waiting === 0; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const rows = await db.sql(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      waiting = rows.length;
    }
    await other.query('COMMIT');
    await other.end();
    expect((await results).map((result) => result.status)).toEqual(['conflict', 'created']);
    const chain = await db.sql('SELECT receipt_id, prev_hash FROM receipts WHERE subject_id = $1', [subjectId]);
    expect(chain).toEqual([{ receipt_id: next.receiptId, prev_hash: GENESIS_HASH }]);
    expect((await store.verify()).problems).toEqual([]);
  });

  it('commits what is waiting when closed', async () => {
    const receipts = Array.from({ length: 12 }, () => makeReceipt());
    const pending = receipts.map((receipt) => store.insert(input(receipt)));
    const before = await db.count();
    await store.close();
    const results = await Promise.all(pending);
    expect(results.every((result) => result.status === 'created')).toBe(true);
    expect(await db.count()).toBe(before + 12);
    store = await openPostgresStore(db.db, { chainKey: CHAIN_KEY, maxBatch: 5 });
  });
});

describe('PostgreSQL connection lost in the middle of a batch', () => {
  let db: TestDb;
  let instance: Instance;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      db = await createPostgresDb();
      // Limits far above the test's wait: a 503 can only come from the lost connection.
      const store = await openPostgresStore(db.db, { chainKey: CHAIN_KEY, statementTimeoutMs: 60_000 });
      instance = await startInstance(store, 60_000);
      // Behind the collector's back: while `hold` has a row, an insert into receipts sleeps
      // after writing its rows, inside the batch's transaction, before the COMMIT.
      await db.sql('CREATE TABLE hold (x int)');
      await db.sql(`CREATE FUNCTION hold_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF EXISTS (SELECT 1 FROM hold) THEN PERFORM pg_sleep(30); END IF; RETURN NULL; END $$`);
      await db.sql(
        'CREATE TRIGGER hold_insert AFTER INSERT ON receipts FOR EACH STATEMENT EXECUTE FUNCTION hold_insert()',
      );
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await stopInstance(instance);
    await db?.drop();
  });

  it('answers 503 for the batch, stores none of it, and stores it all on the retry', async () => {
    const subjects = [randomUUID(), randomUUID(), randomUUID()];
    const receipts = Array.from({ length: 12 }, (_, i) =>
      i % 2 ? makeV2({ subjectId: subjects[i % 3]! }) : makeReceipt({ subjectId: subjects[i % 3]! }),
    );
    await db.sql('INSERT INTO hold VALUES (1)');
    const started = Date.now();
    let answered = 0;
    const posts = receipts.map((receipt) =>
      post(instance.base, receipt).then(async (response) => {
        answered++;
        return {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: await response.text(),
        };
      }),
    );
    // Every batch that reaches its insert sleeps there; its backend is terminated, as a crashed
    // server or a failover would end it, until every request has its answer.
    let terminated = 0;
    while (answered < receipts.length) {
      const killed = await db.sql(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event = 'PgSleep'`,
      );
      terminated += killed.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answers = await Promise.all(posts);
    expect(terminated).toBeGreaterThan(0);
    expect(answers.map((answer) => answer.status)).toEqual(receipts.map(() => 503));
    expect(answers.every((answer) => answer.retryAfter === '5')).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Rolled back whole: no receipt, no notice, and the chains verify.
    expect(await db.count()).toBe(0);
    expect(await db.sql('SELECT count(*)::int AS n FROM notices')).toEqual([{ n: 0 }]);
    expect((await instance.collector.store.verify()).problems).toEqual([]);

    // The clients retry once the database is back.
    await db.sql('DELETE FROM hold');
    const retried = await Promise.all(receipts.map((receipt) => post(instance.base, receipt)));
    expect(retried.map((response) => response.status)).toEqual(receipts.map(() => 201));
    expect(await db.count()).toBe(receipts.length);
    const report = await instance.collector.store.verify();
    expect(report.problems).toEqual([]);
    expect(report.receipts).toBe(receipts.length);
  });
});
