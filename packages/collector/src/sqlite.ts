import Database from 'better-sqlite3';
import { canonicalJson, chainHash, createChainChecker, GENESIS_HASH } from './chain.js';
import type { InsertResult, NewReceipt, ReceiptRow, ReceiptStore } from './store.js';
import { migrations, PAGE_SIZE, rowToChainLink, rowToStored } from './store.js';

const MIGRATIONS = migrations('INTEGER PRIMARY KEY AUTOINCREMENT');

export interface SqliteStoreOptions {
  /**
   * Commit the inserts that arrive in the same event-loop turn in one transaction.
   * Each caller still gets its answer only after that commit is on disk, so this
   * trades nothing in durability for one fsync per batch instead of one per receipt.
   * @default true
   */
  groupCommit?: boolean;
  /**
   * How long a write waits for a lock another process holds before it fails. The wait is
   * retries on a timer, never SQLite's own busy wait, which would stop the event loop (and
   * every other request, `/healthz` included) for as long.
   * @default 3000
   */
  busyTimeoutMs?: number;
}

/** Between two attempts at a locked database. */
const BUSY_RETRY_MS = 25;

const isBusy = (error: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test((error as { code?: string }).code ?? '');

interface Pending {
  input: NewReceipt;
  body: string;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/** Opens (creating if needed) a SQLite file: WAL journal, `synchronous=FULL`, migrations applied. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): ReceiptStore {
  const groupCommit = options.groupCommit ?? true;
  const busyTimeoutMs = options.busyTimeoutMs ?? 3_000;
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so a committed receipt survives a power cut.
  db.pragma('synchronous = FULL');
  // Opening may wait (synchronously: nothing is served yet) for another process's migration.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // From now on a locked database answers SQLITE_BUSY at once and whenUnlocked retries.
  db.pragma('busy_timeout = 0');

  /** Runs `work` (synchronous SQL), retrying on a timer while another connection holds the lock. */
  async function whenUnlocked<T>(work: () => T, timeoutMs = busyTimeoutMs): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return work();
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    }
  }

  const byId = db.prepare<[string], ReceiptRow>('SELECT * FROM receipts WHERE receipt_id = ?');
  const head = db.prepare<[string, string], { hash: string }>(
    `SELECT coalesce(
       (SELECT hash FROM receipts WHERE subject_id = ? ORDER BY seq DESC LIMIT 1),
       (SELECT hash FROM chain_anchors WHERE subject_id = ?)) AS hash`,
  );
  const insertRow = db.prepare(
    `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash)
     VALUES (@receipt_id, @subject_id, @received_at, @client_ip, @body, @prev_hash, @hash)`,
  );
  const subjectRows = db.prepare<[string], ReceiptRow>('SELECT * FROM receipts WHERE subject_id = ? ORDER BY seq');
  const exportPage = db.prepare<[string, string, string, number, number], ReceiptRow>(
    `SELECT * FROM receipts WHERE received_at >= ? AND (received_at > ? OR (received_at = ? AND seq > ?))
     ORDER BY received_at, seq LIMIT ?`,
  );
  const verifyPage = db.prepare<[string, string, number, number], ReceiptRow & { anchor: string | null }>(
    `SELECT r.*, a.hash AS anchor FROM receipts r LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id
     WHERE r.subject_id > ? OR (r.subject_id = ? AND r.seq > ?)
     ORDER BY r.subject_id, r.seq LIMIT ?`,
  );
  const deleteReceipts = db.prepare('DELETE FROM receipts WHERE subject_id = ?');
  const deleteAnchor = db.prepare('DELETE FROM chain_anchors WHERE subject_id = ?');
  // A purge removes, per subject, everything up to its newest receipt older than the cut-off,
  // so what remains of a chain is always a suffix; the last removed hash becomes its anchor.
  const saveAnchors = db.prepare(
    `INSERT INTO chain_anchors (subject_id, hash)
     SELECT r.subject_id, r.hash FROM receipts r
     WHERE r.seq IN (SELECT max(seq) FROM receipts WHERE received_at < ? GROUP BY subject_id)
     ON CONFLICT (subject_id) DO UPDATE SET hash = excluded.hash`,
  );
  const purgeRows = db.prepare(
    `DELETE FROM receipts WHERE seq IN (
       SELECT r.seq FROM receipts r
       JOIN (SELECT subject_id, max(seq) AS cut FROM receipts WHERE received_at < ? GROUP BY subject_id) c
         ON c.subject_id = r.subject_id AND r.seq <= c.cut)`,
  );

  /** Runs inside a transaction: the chain head read and the insert cannot interleave. */
  function insertOne(input: NewReceipt, body: string): InsertResult {
    const existing = byId.get(input.receipt.receiptId);
    if (existing) {
      return existing.body === body ? { status: 'duplicate', stored: rowToStored(existing) } : { status: 'conflict' };
    }
    const subjectId = input.receipt.subjectId;
    const prevHash = head.get(subjectId, subjectId)?.hash ?? GENESIS_HASH;
    const row = {
      receipt_id: input.receipt.receiptId,
      subject_id: subjectId,
      received_at: input.receivedAt,
      client_ip: input.clientIp,
      body,
      prev_hash: prevHash,
      hash: chainHash(prevHash, { body, receivedAt: input.receivedAt, clientIp: input.clientIp }),
    };
    insertRow.run(row);
    return { status: 'created', stored: rowToStored({ ...row, seq: 0 }) };
  }

  // IMMEDIATE takes the write lock up front, so another process on the same file
  // cannot slip a receipt between our chain-head read and our insert.
  const insertBatch = db.transaction((batch: Pending[]) => batch.map((item) => insertOne(item.input, item.body)));
  const probe = db.prepare('SELECT 1 FROM receipts LIMIT 1');

  let queue: Pending[] = [];
  /** The first attempt runs synchronously, so `close()` commits what is pending before it closes. */
  function flush(): void {
    const batch = queue;
    queue = [];
    whenUnlocked(() => insertBatch.immediate(batch)).then(
      (results) => {
        for (const [i, item] of batch.entries()) item.resolve(results[i]!);
      },
      (error: unknown) => {
        for (const item of batch) item.reject(error);
      },
    );
  }

  async function* pages<R>(read: (last: R | undefined) => R[]): AsyncGenerator<R> {
    let last: R | undefined;
    for (;;) {
      const page = await whenUnlocked(() => read(last));
      for (const row of page) yield row;
      if (page.length < PAGE_SIZE) return;
      last = page[page.length - 1];
    }
  }

  return {
    kind: 'sqlite',
    insert(input) {
      const body = canonicalJson(input.receipt);
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ input, body, resolve, reject });
        if (!groupCommit) flush();
        else if (queue.length === 1) setImmediate(flush);
      });
    },
    async bySubject(subjectId) {
      return (await whenUnlocked(() => subjectRows.all(subjectId))).map(rowToStored);
    },
    async *exportSince(since) {
      const from = since ?? '';
      const rows = pages<ReceiptRow>((last) =>
        exportPage.all(from, last?.received_at ?? '', last?.received_at ?? '', last ? Number(last.seq) : 0, PAGE_SIZE),
      );
      for await (const row of rows) yield rowToStored(row);
    },
    deleteSubject(subjectId) {
      const erase = db.transaction(() => {
        deleteAnchor.run(subjectId);
        return deleteReceipts.run(subjectId).changes;
      });
      return whenUnlocked(() => erase.immediate());
    },
    purgeBefore(before) {
      const purge = db.transaction(() => {
        saveAnchors.run(before);
        return purgeRows.run(before).changes;
      });
      return whenUnlocked(() => purge.immediate());
    },
    ping() {
      return whenUnlocked(() => {
        probe.get();
        // Taking the write lock and letting go at once: a lock held elsewhere shows here.
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
      });
    },
    async verify() {
      const checker = createChainChecker();
      const rows = pages<ReceiptRow & { anchor: string | null }>((last) =>
        verifyPage.all(last?.subject_id ?? '', last?.subject_id ?? '', last ? Number(last.seq) : 0, PAGE_SIZE),
      );
      for await (const row of rows) {
        checker.add(rowToChainLink(row));
      }
      return checker.report();
    },
    async close() {
      if (queue.length > 0) flush();
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const current = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  // Read the applied version under the write lock, so two processes opening one file
  // at the same moment do not both run a migration.
  db.transaction(() => {
    const applied = current.get()?.v ?? 0;
    MIGRATIONS.forEach((sql, index) => {
      if (index + 1 <= applied) return;
      db.exec(sql);
      record.run(index + 1, new Date().toISOString());
    });
  }).immediate();
}
