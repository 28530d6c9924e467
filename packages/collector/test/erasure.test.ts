import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOnce,
  createPostgresDb,
  createSqliteDb,
  makeReceipt,
  post,
  startCli,
  stopCli,
  type TestDb,
} from './helpers.js';

const TOKEN = 'erasure-test-token';
const admin = { authorization: `Bearer ${TOKEN}` };
const DAY = 86_400_000;

/** Which of `needles` occur, byte for byte, in which of `files` (missing files hold nothing). */
function readable(files: string[], needles: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(needle)) found.push(`${needle} in ${file}`);
  }
  return found;
}

const sqliteFiles = (file: string) => [file, `${file}-wal`, `${file}-shm`];

/** A subject with three receipts whose page carries a marker found nowhere else. */
function victim() {
  const marker = `erase-me-${randomBytes(6).toString('hex')}`;
  const first = makeReceipt({ page: `https://paloma365.com/${marker}` });
  const receipts = [first, makeReceipt({ subjectId: first.subjectId, page: first.page })];
  receipts.push(makeReceipt({ subjectId: first.subjectId, page: first.page }));
  return {
    subjectId: first.subjectId,
    receipts,
    needles: [first.subjectId, marker, ...receipts.map((r) => r.receiptId)],
  };
}

/** Other visitors' receipts around the victim's, so its rows share pages with rows that stay. */
async function postAround(base: string, receipts: ReturnType<typeof makeReceipt>[]): Promise<void> {
  for (let i = 0; i < 40; i++) {
    expect((await post(base, makeReceipt())).status).toBe(201);
    if (i % 13 === 0 && receipts.length > 0) expect((await post(base, receipts.shift()!)).status).toBe(201);
  }
  for (const receipt of receipts) expect((await post(base, receipt)).status).toBe(201);
}

describe('erasure on SQLite leaves nothing readable in the files (real CLI)', () => {
  let db: TestDb;
  let child: ChildProcess | undefined;
  beforeAll(() => buildOnce());
  afterEach(async () => {
    if (child) await stopCli(child);
    child = undefined;
    await db?.drop();
  });

  async function start(): Promise<string> {
    db = await createSqliteDb();
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    return cli.url;
  }

  it('DELETE /subjects/:id leaves neither the ids nor the content in the db, -wal or -shm file', async () => {
    const base = await start();
    const { subjectId, receipts, needles } = victim();
    await postAround(base, receipts);
    // The search must be able to find them before the erasure, or its silence after proves nothing.
    expect(readable(sqliteFiles(db.db), needles).length).toBeGreaterThan(0);
    const response = await fetch(`${base}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    expect(readable(sqliteFiles(db.db), needles)).toEqual([]);
    expect(await db.count()).toBe(40);
  });

  it("waits for another process's reader to leave its snapshot, then scrubs", async () => {
    const base = await start();
    const { subjectId, receipts, needles } = victim();
    await postAround(base, receipts);
    // A reader holding a snapshot (a backup, an analyst's sqlite3 shell) keeps the WAL from being reset.
    const reader = new Database(db.db);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM receipts').get();
    let released = 0;
    setTimeout(() => {
      reader.exec('COMMIT');
      reader.close();
      released = Date.now();
    }, 600);
    const response = await fetch(`${base}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    expect(released).toBeGreaterThan(0);
    expect(readable(sqliteFiles(db.db), needles)).toEqual([]);
  });

  it('waits for a write lock another process holds, then erases and scrubs', async () => {
    const base = await start();
    const { subjectId, receipts, needles } = victim();
    await postAround(base, receipts);
    // The lock is waited for on a timer (up to 3 s), not refused at once nor in SQLite's busy wait.
    const other = new Database(db.db);
    other.exec('BEGIN IMMEDIATE');
    let released = 0;
    setTimeout(() => {
      other.exec('ROLLBACK');
      other.close();
      released = Date.now();
    }, 500);
    const response = await fetch(`${base}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    expect(released).toBeGreaterThan(0);
    expect(readable(sqliteFiles(db.db), needles)).toEqual([]);
  });

  it('a retention purge leaves nothing readable of the purged receipts', async () => {
    db = await createSqliteDb();
    const { subjectId, receipts, needles } = victim();
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    await postAround(cli.url, receipts);
    await stopCli(child);
    // Back-date the victim's receipts (the hash no longer matches; this test is about bytes).
    const file = new Database(db.db);
    file.pragma('secure_delete = ON');
    file
      .prepare('UPDATE receipts SET received_at = ? WHERE subject_id = ?')
      .run(new Date(Date.now() - 400 * DAY).toISOString(), subjectId);
    file.close();
    const again = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = again.child;
    const response = await fetch(`${again.url}/purge?olderThanDays=365`, { method: 'POST', headers: admin });
    expect(await response.json()).toEqual({ purged: 3, before: expect.any(String) });
    // Its chain was purged whole, so not even an anchor keeps the subject id.
    expect(readable(sqliteFiles(db.db), needles)).toEqual([]);
  });

  it('vacuums once a file whose rows were deleted before secure_delete was on', async () => {
    db = await createSqliteDb();
    const { subjectId, receipts, needles } = victim();
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    await postAround(cli.url, receipts);
    await stopCli(child);
    child = undefined;
    // What an earlier version did: a plain DELETE, its rows left in free space.
    const legacy = new Database(db.db);
    legacy.pragma('secure_delete = OFF');
    legacy.prepare('DELETE FROM receipts WHERE subject_id = ?').run(subjectId);
    legacy.pragma('user_version = 0');
    legacy.pragma('wal_checkpoint(TRUNCATE)');
    legacy.close();
    expect(readable(sqliteFiles(db.db), needles).length).toBeGreaterThan(0);
    const again = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = again.child;
    expect(readable(sqliteFiles(db.db), needles)).toEqual([]);
    expect(await db.count()).toBe(40);
  });
});

describe('erasure on PostgreSQL: nothing left in the table and index files (real CLI)', () => {
  let db: TestDb;
  let child: ChildProcess | undefined;
  let setupError: unknown;
  beforeAll(async () => {
    buildOnce();
    try {
      db = await createPostgresDb();
    } catch (error) {
      setupError = error;
    }
  });
  afterAll(async () => {
    if (child) await stopCli(child);
    await db?.drop();
  });

  /** Every file of the test database (tables, indexes, TOAST, free-space maps) after a CHECKPOINT. */
  async function databaseFiles(): Promise<string[]> {
    await db.sql('CHECKPOINT');
    const [{ dir }] = (await db.sql(
      `SELECT current_setting('data_directory') || '/base/' || oid AS dir FROM pg_database WHERE datname = current_database()`,
    )) as [{ dir: string }];
    return readdirSync(dir).map((name) => join(dir, name));
  }

  it('DELETE /subjects/:id vacuums, so no copy of the subject stays in the database files', async () => {
    if (setupError) throw setupError;
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    const { subjectId, receipts, needles } = victim();
    await postAround(cli.url, receipts);
    expect(readable(await databaseFiles(), needles).length).toBeGreaterThan(0);
    const response = await fetch(`${cli.url}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    expect(readable(await databaseFiles(), needles)).toEqual([]);
    expect(await db.count()).toBe(40);
  });

  it('on a table of many pages the freed space keeps the bytes until VACUUM (FULL), as the README says', async () => {
    if (setupError) throw setupError;
    // Seeded behind the collector's back (3000 rows, a few hundred pages); the victim's rows,
    // posted last, end up at the edge of their pages' free space, which VACUUM does not overwrite.
    await db.sql(
      `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash)
       SELECT gen_random_uuid()::text, gen_random_uuid()::text, '2026-01-01T00:00:00.000Z', NULL,
              json_build_object('version', 1, 'n', i, 'pad', repeat('x', 300))::text, repeat('0', 64), md5(i::text)
       FROM generate_series(1, 3000) AS i`,
    );
    if (child) await stopCli(child);
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    const { subjectId, receipts, needles } = victim();
    for (const receipt of receipts) expect((await post(cli.url, receipt)).status).toBe(201);
    expect(readable(await databaseFiles(), needles).length).toBeGreaterThan(0);
    const response = await fetch(`${cli.url}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toEqual({ deleted: 3 });
    // The rows are gone (nothing reads them back), their bytes are not: what the README warns of.
    expect(await db.sql('SELECT 1 FROM receipts WHERE subject_id = $1', [subjectId])).toEqual([]);
    expect(readable(await databaseFiles(), needles).length).toBeGreaterThan(0);
    // The operator's remedy the README gives: both tables and their indexes rewritten into new files.
    await db.sql('VACUUM (FULL) receipts, chain_anchors');
    expect(readable(await databaseFiles(), needles)).toEqual([]);
  });

  /** The files of the database's indexes, whose pages VACUUM may free without overwriting them. */
  async function indexFiles(): Promise<Set<string>> {
    const rows = (await db.sql(
      `SELECT current_setting('data_directory') || '/' || pg_relation_filepath(oid) AS file FROM pg_class WHERE relkind = 'i'`,
    )) as { file: string }[];
    return new Set(rows.map((row) => row.file));
  }

  it('a retention purge vacuums the tables; REINDEX, as the README says, clears the indexes', async () => {
    if (setupError) throw setupError;
    if (child) await stopCli(child);
    const cli = await startCli(['--db', db.db, '--admin-token', TOKEN]);
    child = cli.child;
    const base = cli.url;
    const { receipts, needles } = victim();
    await postAround(base, receipts);
    expect(readable(await databaseFiles(), needles).length).toBeGreaterThan(0);
    const stored = await db.count();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await fetch(`${base}/purge?olderThanDays=0`, { method: 'POST', headers: admin });
    expect(await response.json()).toEqual({ purged: stored, before: expect.any(String) });
    const indexes = await indexFiles();
    const files = await databaseFiles();
    expect(
      readable(
        files.filter((file) => !indexes.has(file.replace(/_(fsm|vm|init)$/, ''))),
        needles,
      ),
    ).toEqual([]);
    // An index page whose entries are all deleted is unlinked from the tree, not overwritten.
    await db.sql('REINDEX TABLE receipts');
    expect(readable(await databaseFiles(), needles)).toEqual([]);
  });
});
