import Database from 'better-sqlite3';
import { anchorMac, chainHash, checkChainKey, GENESIS_HASH, subjectDigest } from './chain.js';
import {
  KEY_NEEDED,
  keyMatches,
  type LogDetail,
  type LogKind,
  type LogRow,
  logEntryToRow,
  nextLogEntry,
  rowToLogEntry,
  verifyEvidence,
  verifySubjectEvidence,
  WRONG_KEY,
} from './evidence.js';
import { type StoredNotice, splitNotice } from './notice.js';
import type {
  AnchoredRow,
  InsertResult,
  NewReceipt,
  NoticeRow,
  NoticeSummaryRow,
  ReceiptRow,
  ReceiptStore,
  StatsRow,
  StoredReceipt,
  StoreOptions,
} from './store.js';
import {
  COUNT_PURGE,
  dayOf,
  migrations,
  NOTICE_COLUMNS,
  NOTICE_JOIN,
  NOTICE_SUMMARY_COLUMNS,
  noticeReader,
  PAGE_SIZE,
  rollUpSql,
  rowToChainLink,
  rowToNoticeDetail,
  rowToNoticeSummary,
  rowToStored,
  SCRUB_WAIT_MS,
  STATS_FORGET_SUBJECT,
  STATS_FORGET_UNTIL,
  statsColumns,
  statsSql,
  utcDayStart,
} from './store.js';

const MIGRATIONS = migrations('sqlite');

export interface SqliteStoreOptions extends StoreOptions {
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
  notice: StoredNotice | undefined;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/** Opens (creating if needed) a SQLite file: WAL journal, `synchronous=FULL`, migrations applied. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): ReceiptStore {
  const groupCommit = options.groupCommit ?? true;
  const busyTimeoutMs = options.busyTimeoutMs ?? 3_000;
  const key = options.chainKey;
  if (key !== undefined) checkChainKey(key);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so a committed receipt survives a power cut.
  db.pragma('synchronous = FULL');
  // Opening may wait (synchronously: nothing is served yet) for another process's migration.
  db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
  // Deleted rows are overwritten with zeros instead of left in free space, so an erasure or
  // a purge leaves nothing readable in the database file (the WAL is emptied by `scrub`).
  db.pragma('secure_delete = ON');
  migrate(db);
  vacuumOnce(db);

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

  const byId = db.prepare<[string], ReceiptRow>(
    `SELECT r.*, n.body AS notice_body FROM receipts r ${NOTICE_JOIN} WHERE r.receipt_id = ?`,
  );
  const allNotices = db.prepare<[], StoredNotice>('SELECT id, body FROM notices ORDER BY id');
  const insertNotice = db.prepare(
    'INSERT INTO notices (id, body, first_seen) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
  );
  const head = db.prepare<[string, string], { hash: string }>(
    `SELECT coalesce(
       (SELECT hash FROM receipts WHERE subject_id = ? ORDER BY seq DESC LIMIT 1),
       (SELECT hash FROM chain_anchors WHERE subject_id = ?)) AS hash`,
  );
  const insertRow = db.prepare(
    `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash, link, notice_id,
                           arrival_day, arrival_minute, method, language, categories)
     VALUES (@receipt_id, @subject_id, @received_at, @client_ip, @body, @prev_hash, @hash, @link, @notice_id,
             @arrival_day, @arrival_minute, @method, @language, @categories)`,
  );
  const noticeKnown = db.prepare<[string], { id: string }>('SELECT id FROM notices WHERE id = ?');
  const noticesSince = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notices WHERE first_seen >= ?');
  const noticePage = db.prepare<[string, number], NoticeSummaryRow>(
    `SELECT ${NOTICE_SUMMARY_COLUMNS('sqlite')} FROM notices n WHERE n.first_seen < ?
     ORDER BY n.first_seen DESC, n.id DESC LIMIT ?`,
  );
  const noticeTies = db.prepare<[string, string], NoticeSummaryRow>(
    `SELECT ${NOTICE_SUMMARY_COLUMNS('sqlite')} FROM notices n WHERE n.first_seen = ? AND n.id < ? ORDER BY n.id DESC`,
  );
  const noticeOlder = db.prepare<[string], { one: number }>(
    'SELECT 1 AS one FROM notices WHERE first_seen < ? LIMIT 1',
  );
  const noticeById = db.prepare<[string], NoticeRow>(`SELECT ${NOTICE_COLUMNS} FROM notices n WHERE n.id = ?`);
  const subjectChainRows = db.prepare<[string], AnchoredRow>(
    `SELECT r.*, a.hash AS anchor, a.mac AS anchor_mac FROM receipts r LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id
     WHERE r.subject_id = ? ORDER BY r.seq`,
  );
  const subjectNotices = db.prepare<[string], StoredNotice>(
    'SELECT id, body FROM notices WHERE id IN (SELECT notice_id FROM receipts WHERE subject_id = ?) ORDER BY id',
  );
  const countPurge = db.prepare<[string], { n: number }>(COUNT_PURGE('?'));
  const statsQuery = db.prepare<[Record<string, number>], StatsRow>(statsSql('sqlite'));
  const rolledDays = db
    .prepare<[number, number], number>('SELECT day FROM stats_rolled WHERE day >= ? AND day <= ?')
    .pluck();
  const markRolled = db.prepare('INSERT INTO stats_rolled (day) VALUES (?) ON CONFLICT (day) DO NOTHING');
  const rollUp = db.prepare(rollUpSql('?'));
  const rollUpDay = db.transaction((day: number) => {
    if (markRolled.run(day).changes === 1) rollUp.run(day);
  });
  const forgetSubject = STATS_FORGET_SUBJECT('?').map((sql) => db.prepare(sql));
  const forgetUntil = STATS_FORGET_UNTIL('?').map((sql) => db.prepare(sql));
  // Without the notice: noticeReader adds each once (see there).
  const subjectRows = db.prepare<[string], ReceiptRow>(
    'SELECT r.* FROM receipts r WHERE r.subject_id = ? ORDER BY r.seq',
  );
  const noticeBody = db.prepare<[string], { body: string }>('SELECT body FROM notices WHERE id = ?');
  const readNotice = (id: string) => noticeBody.get(id)?.body;
  const exportPage = db.prepare<[string, string, string, number, number], ReceiptRow>(
    `SELECT r.* FROM receipts r
     WHERE r.received_at >= ? AND (r.received_at > ? OR (r.received_at = ? AND r.seq > ?))
     ORDER BY r.received_at, r.seq LIMIT ?`,
  );
  const verifyPage = db.prepare<[string, string, number, number], AnchoredRow>(
    `SELECT r.*, a.hash AS anchor, a.mac AS anchor_mac FROM receipts r LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id
     WHERE r.subject_id > ? OR (r.subject_id = ? AND r.seq > ?)
     ORDER BY r.subject_id, r.seq LIMIT ?`,
  );
  const deleteReceipts = db.prepare('DELETE FROM receipts WHERE subject_id = ?');
  const deleteAnchor = db.prepare('DELETE FROM chain_anchors WHERE subject_id = ?');
  // A purge removes, per subject, everything up to its newest receipt older than the cut-off,
  // so what remains of a chain is always a suffix; the last removed hash becomes its anchor.
  // A chain purged whole keeps no anchor: nothing is left to link, and the subject id would stay.
  const cutHeads = db.prepare<[string], { subject_id: string; hash: string; later: number }>(
    `SELECT r.subject_id, r.hash,
            EXISTS (SELECT 1 FROM receipts l WHERE l.subject_id = r.subject_id AND l.seq > r.seq) AS later
     FROM receipts r
     WHERE r.seq IN (SELECT max(seq) FROM receipts WHERE received_at < ? GROUP BY subject_id)`,
  );
  const saveAnchor = db.prepare(
    `INSERT INTO chain_anchors (subject_id, hash, mac) VALUES (?, ?, ?)
     ON CONFLICT (subject_id) DO UPDATE SET hash = excluded.hash, mac = excluded.mac`,
  );
  const unsignedAnchors = db.prepare<[], { subject_id: string; hash: string }>(
    'SELECT subject_id, hash FROM chain_anchors WHERE mac IS NULL',
  );
  const signAnchor = db.prepare('UPDATE chain_anchors SET mac = ? WHERE subject_id = ?');
  const lastLog = db.prepare<[], LogRow>('SELECT * FROM evidence_log ORDER BY seq DESC LIMIT 1');
  const firstKeyed = db.prepare<[], LogRow>("SELECT * FROM evidence_log WHERE kind = 'keyed' ORDER BY seq LIMIT 1");
  const allLog = db.prepare<[], LogRow>('SELECT * FROM evidence_log ORDER BY seq');
  const insertLog = db.prepare(
    `INSERT INTO evidence_log (seq, at, kind, detail, link, prev_mac, mac)
     VALUES (@seq, @at, @kind, @detail, @link, @prev_mac, @mac)`,
  );
  const maxSeq = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM receipts');

  /** Inside a write transaction, so two entries never follow the same one. */
  function appendLog(kind: LogKind, detail: LogDetail): void {
    const last = lastLog.get();
    insertLog.run(logEntryToRow(nextLogEntry(last && rowToLogEntry(last), kind, detail, key)));
  }

  // The key is checked (and, the first time, set up) before anything is written with it.
  const setUpKey = db.transaction(() => {
    const keyed = firstKeyed.get();
    if (keyed) {
      if (key && !keyMatches(rowToLogEntry(keyed), key)) throw new Error(WRONG_KEY);
      if (!key && !options.verifyOnly) throw new Error(KEY_NEEDED);
      return;
    }
    if (!key || options.verifyOnly) return;
    // The anchors of earlier purges are taken as they are now, and signed, like the chains so far.
    for (const anchor of unsignedAnchors.all())
      signAnchor.run(anchorMac(key, anchor.subject_id, anchor.hash), anchor.subject_id);
    appendLog('keyed', { afterSeq: maxSeq.get()?.seq ?? 0 });
  });
  try {
    setUpKey.immediate();
  } catch (error) {
    db.close();
    throw error;
  }
  // From now on a locked database answers SQLITE_BUSY at once and whenUnlocked retries.
  db.pragma('busy_timeout = 0');
  const purgeRows = db.prepare(
    `DELETE FROM receipts WHERE seq IN (
       SELECT r.seq FROM receipts r
       JOIN (SELECT subject_id, max(seq) AS cut FROM receipts WHERE received_at < ? GROUP BY subject_id) c
         ON c.subject_id = r.subject_id AND r.seq <= c.cut)`,
  );

  const scrubber = createScrubber(db);

  /** Runs inside a transaction: the chain head read and the insert cannot interleave. */
  function insertOne(input: NewReceipt, body: string, notice: StoredNotice | undefined): InsertResult {
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
      hash: chainHash(prevHash, { body, receivedAt: input.receivedAt, clientIp: input.clientIp }, key),
      link: key ? 2 : 1,
      notice_id: notice?.id ?? null,
    };
    const newNotice = notice !== undefined && !noticeKnown.get(notice.id);
    if (newNotice) {
      // Inside the write transaction: two new notices cannot both take the last place.
      if (
        input.maxNoticesPerDay !== undefined &&
        noticesSince.get(utcDayStart(input.receivedAt))!.n >= input.maxNoticesPerDay
      )
        return { status: 'notice-limit' };
      if (input.admitNewNotice && !input.admitNewNotice()) return { status: 'notice-limit' };
    }
    if (notice) insertNotice.run(notice.id, notice.body, input.receivedAt);
    insertRow.run({ ...row, ...statsColumns(input.receipt, input.receivedAt) });
    const stored = rowToStored({ ...row, seq: 0, notice_body: notice?.body ?? null });
    return newNotice ? { status: 'created', stored, newNotice: true } : { status: 'created', stored };
  }

  // IMMEDIATE takes the write lock up front, so another process on the same file
  // cannot slip a receipt between our chain-head read and our insert.
  const insertBatch = db.transaction((batch: Pending[]) =>
    batch.map((item) => insertOne(item.input, item.body, item.notice)),
  );
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
      const { body, notice } = splitNotice(input.receipt);
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ input, body, notice, resolve, reject });
        if (!groupCommit) flush();
        else if (queue.length === 1) setImmediate(flush);
      });
    },
    async bySubject(subjectId) {
      const withNotice = noticeReader(readNotice);
      const rows = await whenUnlocked(() => subjectRows.all(subjectId));
      const stored: StoredReceipt[] = [];
      for (const row of rows) stored.push(await withNotice(row));
      return stored;
    },
    async byReceiptId(receiptId) {
      const row = await whenUnlocked(() => byId.get(receiptId));
      return row && rowToStored(row);
    },
    async notices(limit, before) {
      return whenUnlocked(() => {
        const rows = noticePage.all(before ?? '\uffff', limit);
        const last = rows[rows.length - 1];
        if (!last || rows.length < limit) return { notices: rows.map(rowToNoticeSummary), more: false };
        // A page ends after every notice first seen in its last row's millisecond, so `before` loses none.
        rows.push(...noticeTies.all(last.first_seen, last.id));
        return { notices: rows.map(rowToNoticeSummary), more: noticeOlder.get(last.first_seen) !== undefined };
      });
    },
    async notice(id) {
      const row = await whenUnlocked(() => noticeById.get(id));
      return row && rowToNoticeDetail(row);
    },
    async verifySubject(subjectId) {
      const [rows, notices, keyed] = await whenUnlocked(
        () => [subjectChainRows.all(subjectId), subjectNotices.all(subjectId), firstKeyed.get()] as const,
      );
      return verifySubjectEvidence(rows.map(rowToChainLink), notices, key, keyed && rowToLogEntry(keyed));
    },
    async countPurge(before) {
      return (await whenUnlocked(() => countPurge.get(before)))!.n;
    },
    async stats({ fromDay, toDay, tzOffsetMinutes, closedDay }) {
      const range = { lo: fromDay - 1, hi: toDay + 1, from: fromDay, to: toDay, offset: tzOffsetMinutes };
      const last = Math.min(range.hi, closedDay);
      const done = new Set(last < range.lo ? [] : await whenUnlocked(() => rolledDays.all(range.lo, last)));
      for (let day = range.lo; day <= last; day++) {
        if (done.has(day)) continue;
        // A day per transaction, and the event loop between days: rolling a year up first never
        // holds the write lock, or stops the server, for more than one day's receipts.
        await whenUnlocked(() => rollUpDay.immediate(day));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return whenUnlocked(() => statsQuery.all(range));
    },
    async *exportSince(since) {
      const from = since ?? '';
      const rows = pages<ReceiptRow>((last) =>
        exportPage.all(from, last?.received_at ?? '', last?.received_at ?? '', last ? Number(last.seq) : 0, PAGE_SIZE),
      );
      const withNotice = noticeReader(readNotice);
      for await (const row of rows) yield await withNotice(row);
    },
    async deleteSubject(subjectId) {
      const erase = db.transaction(() => {
        deleteAnchor.run(subjectId);
        for (const forget of forgetSubject) forget.run(subjectId);
        const receipts = deleteReceipts.run(subjectId).changes;
        appendLog('erasure', { subject: subjectDigest(subjectId), receipts });
        return receipts;
      });
      const deleted = await whenUnlocked(() => erase.immediate());
      await scrubber.scrub();
      return deleted;
    },
    async purgeBefore(before) {
      const purge = db.transaction(() => {
        for (const cut of cutHeads.all(before)) {
          if (!cut.later) deleteAnchor.run(cut.subject_id);
          else saveAnchor.run(cut.subject_id, cut.hash, key ? anchorMac(key, cut.subject_id, cut.hash) : null);
        }
        for (const forget of forgetUntil) forget.run(dayOf(before) + 1);
        const receipts = purgeRows.run(before).changes;
        appendLog('purge', { before, receipts });
        return receipts;
      });
      const purged = await whenUnlocked(() => purge.immediate());
      await scrubber.scrub();
      return purged;
    },
    ping() {
      return whenUnlocked(() => {
        probe.get();
        // Taking the write lock and letting go at once: a lock held elsewhere shows here.
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
      });
    },
    verify(verifyOptions) {
      const source = {
        async *log() {
          for (const row of await whenUnlocked(() => allLog.all())) yield rowToLogEntry(row);
        },
        async *rows() {
          const rows = pages<AnchoredRow>((last) =>
            verifyPage.all(last?.subject_id ?? '', last?.subject_id ?? '', last ? Number(last.seq) : 0, PAGE_SIZE),
          );
          for await (const row of rows) yield rowToChainLink(row);
        },
        async *notices() {
          yield* await whenUnlocked(() => allNotices.all());
        },
      };
      return verifyEvidence(source, key, verifyOptions);
    },
    async close() {
      if (queue.length > 0) flush();
      scrubber.stop();
      db.close();
    },
  };
}

/** How long opening waits (SQLite's own busy wait) for another process's migration or key set-up. */
const OPEN_BUSY_TIMEOUT_MS = 5000;
const SCRUB_RETRY_MAX_MS = 1000;

/**
 * Empties the WAL after a deletion: its frames still hold the deleted rows, as pages written
 * before the deletion, until a checkpoint copies the zeroed pages into the database file and
 * truncates the WAL to zero bytes. That needs every reader on the newest snapshot, so while
 * another process holds an older one the checkpoint is retried, without blocking the event
 * loop (busy_timeout is 0), with a back-off up to once a second. `scrub()`
 * resolves when the WAL is empty, or after SCRUB_WAIT_MS (for other processes' readers) while
 * the retries go on.
 */
function createScrubber(db: Database.Database) {
  let pending: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** The store runs with busy_timeout 0 once open, so an attempt never blocks the event loop. */
  function checkpoint(): boolean {
    try {
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return result?.busy === 0;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    }
  }

  function run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let delay = 10;
      const attempt = () => {
        timer = undefined;
        if (stopped) return resolve();
        try {
          if (checkpoint()) return resolve();
        } catch (error) {
          return reject(error);
        }
        timer = setTimeout(attempt, delay);
        delay = Math.min(delay * 2, SCRUB_RETRY_MAX_MS);
      };
      attempt();
    }).finally(() => {
      pending = undefined;
    });
  }

  return {
    scrub(): Promise<void> {
      // A deletion while a scrub is still waiting is covered by that scrub: it has not
      // checkpointed yet, and when it does the WAL holds the newer deletion too.
      pending ??= run();
      // Past the bound nobody awaits it: a failure then must not be an unhandled rejection.
      pending.catch(() => {});
      let waited: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        waited = setTimeout(resolve, SCRUB_WAIT_MS).unref();
      });
      return Promise.race([pending, bound]).finally(() => clearTimeout(waited));
    },
    /** At close SQLite itself checkpoints and removes the WAL when no other process reads it. */
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/**
 * `secure_delete` only covers what is deleted from now on: a file written before it was on
 * may hold earlier deletions in its free pages. One VACUUM rewrites the file without them;
 * `user_version` 1 records that it ran.
 */
function vacuumOnce(db: Database.Database): void {
  if (db.pragma('user_version', { simple: true }) !== 0) return;
  db.exec('VACUUM');
  db.pragma('user_version = 1');
  db.pragma('wal_checkpoint(TRUNCATE)');
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
