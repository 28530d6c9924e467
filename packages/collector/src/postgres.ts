import pg from 'pg';
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

const MIGRATIONS = migrations('postgres');

/** Serialises the inserts of new notices while a daily cap applies, so two cannot take its last place. */
const NOTICE_LOCK = 365_1003;
/**
 * Serialises rolling up a day's statistics with erasures and purges, which forget roll-ups: a roll-up
 * that read a day before an erasure committed cannot be saved after it. Taken after LOG_LOCK.
 */
const STATS_LOCK = 365_1004;

/** Any constant: serialises migrations across instances starting together. */
const MIGRATION_LOCK = 365_1001;
/**
 * Serialises writers of the evidence log. Erasures and purges take it first, before any subject's
 * lock, so a purge cannot re-create the anchor of a subject an erasure is removing.
 */
const LOG_LOCK = 365_1002;

export interface PostgresStoreOptions extends StoreOptions {
  /** Pool size. @default 10 */
  max?: number;
  /**
   * Longest wait for a connection: a new one, or a free one when all `max` are busy.
   * @default 3000
   */
  connectionTimeoutMs?: number;
  /**
   * Longest a statement runs on the server (`statement_timeout`, lock waits included); the
   * client gives up on an answer 1 s later, which also covers a frozen server or network.
   * A purge, which may remove a year of receipts in one statement, gets 10 minutes.
   * @default 4000
   */
  statementTimeoutMs?: number;
  /**
   * Most receipts committed in one transaction. The inserts that arrive while the database is
   * busy wait and go together, so one commit (one WAL flush) serves many receipts; each caller
   * still gets its answer only after that commit. An idle store starts a lone insert at once.
   * @default 100
   */
  maxBatch?: number;
}

/**
 * Batches one instance runs at once. Two: while one waits for its commit, the next locks and
 * writes, so the database's flush is never idle; more would split the waiting receipts into
 * smaller batches, and so more flushes, for the same load. The pool keeps the other connections
 * for reads, erasures and `/healthz`.
 */
const BATCHES_IN_FLIGHT = 2;

interface Pending {
  input: NewReceipt;
  body: string;
  notice: StoredNotice | undefined;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/** A purge's own limit, and its VACUUM's: long, but never a transaction left running for ever. */
const PURGE_TIMEOUT_MS = 600_000;

/** Connects a pool to `url` and applies pending migrations. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<ReceiptStore> {
  const key = options.chainKey;
  if (key !== undefined) checkChainKey(key);
  const statementTimeout = options.statementTimeoutMs ?? 4_000;
  const connection = {
    connectionString: url,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    // Notices a peer that vanished without closing the connection (a cut network).
    keepAlive: true,
  };
  // Migrations and the key's set-up run without time-outs: a migration may build an index on
  // a large table, and the set-up may wait for a purge that holds the evidence log's lock.
  const migrator = new pg.Client(connection);
  try {
    await migrator.connect();
    await migrate(migrator);
    await setUpKey(migrator, key, options.verifyOnly === true);
  } finally {
    await migrator.end().catch(() => {});
  }
  const pool = new pg.Pool({
    ...connection,
    max: options.max ?? 10,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    // A transaction this process left open (it froze, or lost its way) ends on the server.
    idle_in_transaction_session_timeout: 10_000,
  });
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => {});

  const readNotice = async (id: string) =>
    (await pool.query<{ body: string }>('SELECT body FROM notices WHERE id = $1', [id])).rows[0]?.body;

  async function* pages<R>(read: (last: R | undefined) => Promise<R[]>): AsyncGenerator<R> {
    let last: R | undefined;
    for (;;) {
      const page = await read(last);
      for (const row of page) yield row;
      if (page.length < PAGE_SIZE) return;
      last = page[page.length - 1];
    }
  }

  const maxBatch = options.maxBatch ?? 100;
  let queue: Pending[] = [];
  const running = new Set<Promise<void>>();
  let scheduled = false;

  /** Starts batches on the next turn, so the inserts of this moment go together. */
  function schedule(): void {
    if (scheduled || queue.length === 0 || running.size >= BATCHES_IN_FLIGHT) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      startBatches();
    });
  }

  function startBatches(): void {
    while (queue.length > 0 && running.size < BATCHES_IN_FLIGHT) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      // Nobody is answered before the commit; a failed batch fails each of its receipts (a 503,
      // and the SDK retries), and a connection lost in COMMIT may have committed: the retry is then
      // a duplicate.
      const done = insertBatch(pool, key, batch).then(
        (results) => {
          for (const [i, item] of batch.entries()) item.resolve(results[i]!);
        },
        (error: unknown) => {
          for (const item of batch) item.reject(error);
        },
      );
      running.add(done);
      done.finally(() => {
        running.delete(done);
        schedule();
      });
    }
  }

  return {
    kind: 'postgres',
    insert(input) {
      const { body, notice } = splitNotice(input.receipt);
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ input, body, notice, resolve, reject });
        schedule();
      });
    },
    async bySubject(subjectId) {
      // Without the notice: noticeReader adds each once (see there).
      const result = await pool.query<ReceiptRow>('SELECT r.* FROM receipts r WHERE r.subject_id = $1 ORDER BY r.seq', [
        subjectId,
      ]);
      const withNotice = noticeReader(readNotice);
      const stored: StoredReceipt[] = [];
      for (const row of result.rows) stored.push(await withNotice(row));
      return stored;
    },
    async byReceiptId(receiptId) {
      const result = await pool.query<ReceiptRow>(
        `SELECT r.*, n.body AS notice_body FROM receipts r ${NOTICE_JOIN} WHERE r.receipt_id = $1`,
        [receiptId],
      );
      return result.rows[0] && rowToStored(result.rows[0]);
    },
    async notices(limit, before) {
      const page = await pool.query<NoticeSummaryRow>(
        `SELECT ${NOTICE_SUMMARY_COLUMNS('postgres')} FROM notices n WHERE $1::text IS NULL OR n.first_seen < $1
         ORDER BY n.first_seen DESC, n.id DESC LIMIT $2`,
        [before ?? null, limit],
      );
      const rows = page.rows;
      const last = rows[rows.length - 1];
      if (!last || rows.length < limit) return { notices: rows.map(rowToNoticeSummary), more: false };
      // A page ends after every notice first seen in its last row's millisecond, so `before` loses none.
      const ties = await pool.query<NoticeSummaryRow>(
        `SELECT ${NOTICE_SUMMARY_COLUMNS('postgres')} FROM notices n WHERE n.first_seen = $1 AND n.id < $2 ORDER BY n.id DESC`,
        [last.first_seen, last.id],
      );
      const older = await pool.query('SELECT 1 FROM notices WHERE first_seen < $1 LIMIT 1', [last.first_seen]);
      return { notices: [...rows, ...ties.rows].map(rowToNoticeSummary), more: (older.rowCount ?? 0) > 0 };
    },
    async notice(id) {
      const result = await pool.query<NoticeRow>(`SELECT ${NOTICE_COLUMNS} FROM notices n WHERE n.id = $1`, [id]);
      return result.rows[0] && rowToNoticeDetail(result.rows[0]);
    },
    async verifySubject(subjectId) {
      // One snapshot for the three reads, so a receipt arriving meanwhile cannot look like a broken link.
      const [rows, notices, keyed] = await inTransaction(
        pool,
        async (client) => [
          await client.query<AnchoredRow>(
            `SELECT r.*, a.hash AS anchor, a.mac AS anchor_mac FROM receipts r
           LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id WHERE r.subject_id = $1 ORDER BY r.seq`,
            [subjectId],
          ),
          await client.query<StoredNotice>(
            'SELECT id, body FROM notices WHERE id IN (SELECT notice_id FROM receipts WHERE subject_id = $1) ORDER BY id',
            [subjectId],
          ),
          await client.query<LogRow>("SELECT * FROM evidence_log WHERE kind = 'keyed' ORDER BY seq LIMIT 1"),
        ],
        () => 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
      const entry = keyed.rows[0] && rowToLogEntry(keyed.rows[0]);
      return verifySubjectEvidence(rows.rows.map(rowToChainLink), notices.rows, key, entry);
    },
    async countPurge(before) {
      // Counting reads what the purge would delete, a year of receipts maybe: it gets the purge's limit.
      const count = { text: COUNT_PURGE('$1'), values: [before], query_timeout: PURGE_TIMEOUT_MS + 1_000 };
      const result = await inTransaction(
        pool,
        (client) => client.query<{ n: string }>(count),
        () => `BEGIN READ ONLY; SET LOCAL statement_timeout = ${PURGE_TIMEOUT_MS}`,
      );
      return Number(result.rows[0]!.n);
    },
    async stats({ fromDay, toDay, tzOffsetMinutes, closedDay }) {
      const [lo, hi] = [fromDay - 1, toDay + 1];
      const last = Math.min(hi, closedDay);
      if (lo <= last) {
        const rolled = await pool.query<{ day: number }>('SELECT day FROM stats_rolled WHERE day >= $1 AND day <= $2', [
          lo,
          last,
        ]);
        const done = new Set(rolled.rows.map((row) => Number(row.day)));
        for (let day = lo; day <= last; day++) {
          if (done.has(day)) continue;
          // A day per transaction: no statement or lock outlasts one day's receipts. Another instance
          // rolling the same day waits on the key of stats_rolled, then finds it done.
          await inTransaction(pool, async (client) => {
            await client.query('SELECT pg_advisory_xact_lock($1)', [STATS_LOCK]);
            const mark = await client.query('INSERT INTO stats_rolled (day) VALUES ($1) ON CONFLICT DO NOTHING', [day]);
            if (mark.rowCount === 1) await client.query(rollUpSql('$1'), [day]);
          });
        }
      }
      const result = await pool.query<StatsRow>(statsSql('postgres'), [lo, hi, fromDay, toDay, tzOffsetMinutes]);
      return result.rows;
    },
    async *exportSince(since) {
      const from = since ?? '';
      const rows = pages<ReceiptRow>(async (last) => {
        const result = await pool.query<ReceiptRow>(
          `SELECT r.* FROM receipts r
           WHERE r.received_at >= $1 AND (r.received_at, r.seq) > ($2, $3) ORDER BY r.received_at, r.seq LIMIT $4`,
          [from, last?.received_at ?? '', last?.seq ?? 0, PAGE_SIZE],
        );
        return result.rows;
      });
      const withNotice = noticeReader(readNotice);
      for await (const row of rows) yield await withNotice(row);
    },
    async deleteSubject(subjectId) {
      const deleted = await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [subjectId]);
        await client.query('SELECT pg_advisory_xact_lock($1)', [STATS_LOCK]);
        for (const forget of STATS_FORGET_SUBJECT('$1')) await client.query(forget, [subjectId]);
        await client.query('DELETE FROM chain_anchors WHERE subject_id = $1', [subjectId]);
        const result = await client.query('DELETE FROM receipts WHERE subject_id = $1', [subjectId]);
        const receipts = result.rowCount ?? 0;
        await appendLog(client, key, 'erasure', { subject: subjectDigest(subjectId), receipts });
        return receipts;
      });
      await reclaim(pool, SCRUB_WAIT_MS);
      return deleted;
    },
    async purgeBefore(before) {
      // The whole purge, which may remove a year of receipts, runs under its own limit, on the
      // server (SET LOCAL) and in the client (pg reads a per-query `query_timeout` that its
      // types do not declare), so every statement below goes through `long`.
      const begin = () => `BEGIN; SET LOCAL statement_timeout = ${PURGE_TIMEOUT_MS}`;
      const long = (text: string, values: unknown[]): pg.QueryConfig & { query_timeout: number } => ({
        text,
        values,
        query_timeout: PURGE_TIMEOUT_MS + 1_000,
      });
      const purged = await inTransaction(
        pool,
        async (client) => {
          await client.query(long('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]));
          await client.query(long('SELECT pg_advisory_xact_lock($1)', [STATS_LOCK]));
          for (const forget of STATS_FORGET_UNTIL('$1')) await client.query(long(forget, [dayOf(before) + 1]));
          // Per subject, everything up to its newest receipt older than the cut-off goes, and the
          // last removed hash becomes the chain's anchor (signed in Node: the key stays out of SQL).
          const cut = await client.query<{ subject_id: string; seq: string; hash: string; later: boolean }>(
            long(
              `SELECT r.subject_id, r.seq, r.hash,
                      EXISTS (SELECT 1 FROM receipts l WHERE l.subject_id = r.subject_id AND l.seq > r.seq) AS later
               FROM receipts r
               WHERE r.seq IN (SELECT max(seq) FROM receipts WHERE received_at < $1 GROUP BY subject_id)`,
              [before],
            ),
          );
          const subjects = cut.rows.map((row) => row.subject_id);
          // A chain purged whole keeps no anchor (nothing is left to link, and the subject id would
          // stay). Its subject's lock makes an insert that read the old head commit first, so that
          // it is seen below and its chain keeps the anchor, or wait and then start from genesis.
          const whole = cut.rows.filter((row) => !row.later);
          await client.query(long(SUBJECT_LOCKS('$1::text[]'), [whole.map((row) => row.subject_id)]));
          const grown = await client.query<{ subject_id: string }>(
            long(
              `SELECT DISTINCT r.subject_id FROM receipts r
               JOIN unnest($1::text[], $2::bigint[]) AS c(subject_id, seq) ON r.subject_id = c.subject_id AND r.seq > c.seq`,
              [whole.map((row) => row.subject_id), whole.map((row) => row.seq)],
            ),
          );
          const continued = new Set(grown.rows.map((row) => row.subject_id));
          const anchored = cut.rows.filter((row) => row.later || continued.has(row.subject_id));
          const dropped = whole.filter((row) => !continued.has(row.subject_id)).map((row) => row.subject_id);
          await client.query(long('DELETE FROM chain_anchors WHERE subject_id = ANY($1::text[])', [dropped]));
          await client.query(
            long(
              `INSERT INTO chain_anchors (subject_id, hash, mac) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
               ON CONFLICT (subject_id) DO UPDATE SET hash = EXCLUDED.hash, mac = EXCLUDED.mac`,
              [
                anchored.map((row) => row.subject_id),
                anchored.map((row) => row.hash),
                anchored.map((row) => (key ? anchorMac(key, row.subject_id, row.hash) : null)),
              ],
            ),
          );
          const removed = await client.query(
            long(
              `DELETE FROM receipts r USING unnest($1::text[], $2::bigint[]) AS c(subject_id, seq)
               WHERE r.subject_id = c.subject_id AND r.seq <= c.seq`,
              [subjects, cut.rows.map((row) => row.seq)],
            ),
          );
          const receipts = removed.rowCount ?? 0;
          await appendLog(client, key, 'purge', { before, receipts });
          return receipts;
        },
        begin,
      );
      await reclaim(pool, PURGE_TIMEOUT_MS);
      return purged;
    },
    async ping() {
      await pool.query('SELECT 1 FROM receipts LIMIT 1');
    },
    verify(verifyOptions) {
      const source = {
        async *log() {
          const result = await pool.query<LogRow>('SELECT * FROM evidence_log ORDER BY seq');
          for (const row of result.rows) yield rowToLogEntry(row);
        },
        async *rows() {
          const rows = pages<AnchoredRow>(async (last) => {
            const result = await pool.query<AnchoredRow>(
              `SELECT r.*, a.hash AS anchor, a.mac AS anchor_mac
               FROM receipts r LEFT JOIN chain_anchors a ON a.subject_id = r.subject_id
               WHERE (r.subject_id, r.seq) > ($1, $2) ORDER BY r.subject_id, r.seq LIMIT $3`,
              [last?.subject_id ?? '', last?.seq ?? 0, PAGE_SIZE],
            );
            return result.rows;
          });
          for await (const row of rows) yield rowToChainLink(row);
        },
        async *notices() {
          yield* (await pool.query<StoredNotice>('SELECT id, body FROM notices ORDER BY id')).rows;
        },
      };
      return verifyEvidence(source, key, verifyOptions);
    },
    async close() {
      // What was accepted before close is committed (or fails) before the pool ends.
      while (queue.length > 0 || running.size > 0) {
        startBatches();
        await Promise.all(running);
      }
      await pool.end();
    },
  };
}

/**
 * Takes the advisory lock of every subject in `subjects` (an SQL text[] expression), in the order
 * of the lock keys: two transactions that each need several subjects (two batches, possibly of two
 * instances, or a batch and a purge) take the common ones in the same order, so neither can hold
 * one the other waits for while waiting for one the other holds. A subquery with ORDER BY is not
 * flattened, so its rows reach the outer select, which takes the locks, in that order.
 */
const SUBJECT_LOCKS = (subjects: string) =>
  `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest(${subjects}) AS s ORDER BY k) AS l`;

/**
 * Stores a batch of receipts in one transaction and answers each: created, duplicate or conflict,
 * as if they had been inserted one by one in arrival order. Under the locks of all the batch's
 * subjects, it reads the receipts already stored under the batch's ids and each subject's chain
 * head, links the new receipts in Node (a subject with several receipts in the batch links them in
 * order), and sends them, their notices and the COMMIT in one round trip.
 */
async function insertBatch(pool: pg.Pool, key: string | undefined, batch: Pending[]): Promise<InsertResult[]> {
  // One round trip for BEGIN, the locks and the reads. A multi-statement query cannot take
  // parameters, so the ids, schema-checked UUIDs, are escaped in.
  const begin = (client: pg.PoolClient) => {
    const list = (values: Iterable<string>) =>
      `ARRAY[${[...new Set(values)].map((v) => client.escapeLiteral(v)).join(', ')}]::text[]`;
    const subjects = list(batch.map((item) => item.input.receipt.subjectId));
    return `BEGIN;
      ${SUBJECT_LOCKS(subjects)};
      SELECT r.*, n.body AS notice_body FROM receipts r ${NOTICE_JOIN}
        WHERE r.receipt_id = ANY(${list(batch.map((item) => item.input.receipt.receiptId))});
      SELECT s AS subject_id,
             coalesce((SELECT hash FROM receipts WHERE subject_id = s ORDER BY seq DESC LIMIT 1),
                      (SELECT hash FROM chain_anchors WHERE subject_id = s)) AS head
        FROM unnest(${subjects}) AS s;
      SELECT id FROM notices WHERE id = ANY(${list(batch.flatMap((item) => (item.notice ? [item.notice.id] : [])))})`;
  };
  const attempt = () =>
    inTransaction(
      pool,
      async (client, opened) => {
        const [, , found, heads, known] = opened as unknown as [
          unknown,
          unknown,
          pg.QueryResult<ReceiptRow>,
          pg.QueryResult<{ subject_id: string; head: string | null }>,
          pg.QueryResult<{ id: string }>,
        ];
        const knownIds = new Set(known.rows.map((row) => row.id));
        const refused = await noticesOverCap(client, batch, knownIds);
        const stored = new Map(found.rows.map((row) => [row.receipt_id, row]));
        const head = new Map(heads.rows.map((row) => [row.subject_id, row.head ?? GENESIS_HASH]));
        const fresh = new Map<string, { body: string; stored: StoredReceipt }>();
        const rows: ReceiptRow[] = [];
        const stats: (string | number | null)[][] = [];
        const notices = new Map<string, { body: string; firstSeen: string }>();
        const results = batch.map((item): InsertResult => {
          const { input, body, notice } = item;
          const { receiptId, subjectId } = input.receipt;
          const existing = stored.get(receiptId);
          if (existing) return compare(existing, body);
          // The same receipt twice in one batch: the second is a retry of the first.
          const earlier = fresh.get(receiptId);
          if (earlier)
            return earlier.body === body ? { status: 'duplicate', stored: earlier.stored } : { status: 'conflict' };
          if (refused.has(item)) return { status: 'notice-limit' };
          const prevHash = head.get(subjectId)!;
          const hash = chainHash(prevHash, { body, receivedAt: input.receivedAt, clientIp: input.clientIp }, key);
          head.set(subjectId, hash);
          const row: ReceiptRow = {
            seq: 0,
            receipt_id: receiptId,
            subject_id: subjectId,
            received_at: input.receivedAt,
            client_ip: input.clientIp,
            body,
            prev_hash: prevHash,
            hash,
            link: key ? 2 : 1,
            notice_id: notice?.id ?? null,
            notice_body: notice?.body ?? null,
          };
          rows.push(row);
          stats.push(Object.values(statsColumns(input.receipt, input.receivedAt)));
          const newNotice = notice !== undefined && !knownIds.has(notice.id) && !notices.has(notice.id);
          if (notice && !notices.has(notice.id))
            notices.set(notice.id, { body: notice.body, firstSeen: input.receivedAt });
          const created = rowToStored(row);
          fresh.set(receiptId, { body, stored: created });
          return newNotice
            ? { status: 'created', stored: created, newNotice: true }
            : { status: 'created', stored: created };
        });
        if (rows.length === 0) return { results, write: '' };
        // Written and committed in one round trip, so the values are escaped in (a multi-statement
        // query cannot take parameters). Notices in id order, so two batches adding the same new
        // notices cannot each wait for the other's; receipts in arrival order, which their seq
        // (the chain order) follows.
        const values = (tuples: (string | number | null)[][]) =>
          tuples
            .map((tuple) => `(${tuple.map((v) => (v === null ? 'NULL' : client.escapeLiteral(String(v)))).join(', ')})`)
            .join(',\n');
        const ids = [...notices.keys()].sort();
        const write = [
          ids.length > 0 &&
            `INSERT INTO notices (id, body, first_seen) VALUES ${values(
              ids.map((id) => [id, notices.get(id)!.body, notices.get(id)!.firstSeen]),
            )} ON CONFLICT (id) DO NOTHING`,
          `INSERT INTO receipts (receipt_id, subject_id, received_at, client_ip, body, prev_hash, hash, link, notice_id,
                                 arrival_day, arrival_minute, method, language, categories)
           VALUES ${values(
             rows.map((row, i) => [
               row.receipt_id,
               row.subject_id,
               row.received_at,
               row.client_ip,
               row.body,
               row.prev_hash,
               row.hash,
               row.link,
               row.notice_id ?? null,
               ...stats[i]!,
             ]),
           )}`,
        ].filter(Boolean);
        return { results, write: write.join(';\n') };
      },
      begin,
      // If the insert fails, the COMMIT after it is skipped and the transaction is rolled back.
      ({ write }) => (write ? `${write};\nCOMMIT` : 'COMMIT'),
    );
  try {
    return (await attempt()).results;
  } catch (error) {
    // A receiptId inserted under another subject (another lock) after the read: the insert
    // waited for that transaction to commit and then failed on the unique index. Read again,
    // that receipt is seen, and ours is answered as a conflict.
    if ((error as { constraint?: string }).constraint !== 'receipts_receipt_id_key') throw error;
    return (await attempt()).results;
  }
}

/**
 * The receipts of a batch refused for their new notice: by the daily cap, or by their own
 * `admitNewNotice`. Under NOTICE_LOCK, so two batches (or two instances) cannot both take the cap's
 * last place; taken only when a capped batch brings a notice the database does not hold yet.
 */
async function noticesOverCap(client: pg.PoolClient, batch: Pending[], known: Set<string>): Promise<Set<Pending>> {
  const refused = new Set<Pending>();
  const capped = batch.filter(
    ({ input, notice }) =>
      notice && !known.has(notice.id) && (input.maxNoticesPerDay !== undefined || input.admitNewNotice),
  );
  if (capped.length === 0) return refused;
  await client.query('SELECT pg_advisory_xact_lock($1)', [NOTICE_LOCK]);
  const storedOn = new Map<string, number>();
  const added = new Set<string>();
  for (const item of capped) {
    const { input, notice } = item;
    const id = notice!.id;
    // Brought by an earlier receipt of the batch: not new for this one.
    if (added.has(id)) continue;
    const day = utcDayStart(input.receivedAt);
    if (input.maxNoticesPerDay !== undefined && !storedOn.has(day)) {
      const today = await client.query<{ n: string }>('SELECT count(*) AS n FROM notices WHERE first_seen >= $1', [
        day,
      ]);
      storedOn.set(day, Number(today.rows[0]!.n));
    }
    if (input.maxNoticesPerDay !== undefined && storedOn.get(day)! >= input.maxNoticesPerDay) refused.add(item);
    else if (input.admitNewNotice && !input.admitNewNotice()) refused.add(item);
    else {
      if (storedOn.has(day)) storedOn.set(day, storedOn.get(day)! + 1);
      added.add(id);
    }
  }
  return refused;
}

/** Appends to the evidence log; the caller holds LOG_LOCK in the same transaction. */
async function appendLog(client: pg.ClientBase, key: string | undefined, kind: LogKind, detail: LogDetail) {
  const last = await client.query<LogRow>('SELECT * FROM evidence_log ORDER BY seq DESC LIMIT 1');
  const row = logEntryToRow(nextLogEntry(last.rows[0] && rowToLogEntry(last.rows[0]), kind, detail, key));
  await client.query(
    'INSERT INTO evidence_log (seq, at, kind, detail, link, prev_mac, mac) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [row.seq, row.at, row.kind, row.detail, row.link, row.prev_mac, row.mac],
  );
}

/** Checks the key against the log's `keyed` entry; the first open with a key writes that entry. */
async function setUpKey(client: pg.Client, key: string | undefined, verifyOnly: boolean): Promise<void> {
  await transact(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
    const keyed = await client.query<LogRow>("SELECT * FROM evidence_log WHERE kind = 'keyed' ORDER BY seq LIMIT 1");
    if (keyed.rows[0]) {
      if (key && !keyMatches(rowToLogEntry(keyed.rows[0]), key)) throw new Error(WRONG_KEY);
      if (!key && !verifyOnly) throw new Error(KEY_NEEDED);
      return;
    }
    if (!key || verifyOnly) return;
    // The anchors of earlier purges are taken as they are now, and signed, like the chains so far.
    const anchors = await client.query<{ subject_id: string; hash: string }>(
      'SELECT subject_id, hash FROM chain_anchors WHERE mac IS NULL',
    );
    for (const anchor of anchors.rows) {
      await client.query('UPDATE chain_anchors SET mac = $1 WHERE subject_id = $2', [
        anchorMac(key, anchor.subject_id, anchor.hash),
        anchor.subject_id,
      ]);
    }
    // Inserts hold no log lock: one committing meanwhile gets a higher seq and, written without
    // the key by an instance started earlier, is reported by verify, as it should be.
    const max = await client.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM receipts');
    await appendLog(client, key, 'keyed', { afterSeq: Number(max.rows[0]?.seq ?? 0) });
  });
}

/**
 * A DELETE only marks rows dead: they stay in the table and index files until VACUUM removes
 * them, so the collector runs it at once instead of waiting for autovacuum. It cannot remove
 * rows that a transaction older than the deletion may still see, nor the copies in the WAL
 * and in backups (see the README's "Erasure" section).
 */
async function reclaim(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const client = await pool.connect();
  try {
    // VACUUM cannot run inside a transaction, so SET LOCAL cannot give it a limit of its own:
    // the session's statement_timeout is raised for it and then reset to the pool's.
    await client.query(`SET statement_timeout = ${timeoutMs}`);
    const vacuum: pg.QueryConfig & { query_timeout: number } = {
      text: 'VACUUM receipts, chain_anchors',
      query_timeout: timeoutMs + 1_000,
    };
    await client.query(vacuum);
    await client.query('RESET statement_timeout');
  } catch (error) {
    // Dropped, not reused: it may still be running the VACUUM, or keep the raised limit.
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  client.release();
}

function compare(existing: ReceiptRow, body: string): InsertResult {
  return existing.body === body ? { status: 'duplicate', stored: rowToStored(existing) } : { status: 'conflict' };
}

async function migrate(client: pg.Client): Promise<void> {
  await transact(client, async () => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const current = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const applied = current.rows[0]?.v ?? 0;
    for (const [index, sql] of MIGRATIONS.entries()) {
      if (index + 1 <= applied) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [index + 1]);
    }
  });
}

/** Runs `work` in a transaction on the start-up client (no pool, no time-outs). */
async function transact(client: pg.Client, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await work();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Runs `work` in a transaction on one pooled client. `begin` is the opening SQL: the insert sends
 * BEGIN, its lock and its reads in one round trip and gets their results as `opened`; `commit`
 * the closing SQL, which the insert prefixes with its writes. COMMIT
 * resolves only once the commit is flushed (synchronous_commit), so a 201 means durable.
 */
async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, opened: pg.QueryResult | pg.QueryResult[]) => Promise<T>,
  begin: (client: pg.PoolClient) => string = () => 'BEGIN',
  commit: (result: T) => string = () => 'COMMIT',
): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    result = await work(client, await client.query(begin(client)));
    await client.query(commit(result));
  } catch (error) {
    // Dropping the connection ends the transaction on the server. A ROLLBACK would queue
    // behind a statement that timed out and may still be running, and the caller would
    // wait for it; a timed-out connection is not one to hand to the next request either.
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  client.release();
  return result;
}
