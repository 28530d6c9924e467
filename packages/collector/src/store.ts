import type { Notice } from '@paloma365/consent-core';
import { type ChainRow, canonicalJson, type LinkVersion } from './chain.js';
import type { VerifyOptions, VerifyReport } from './evidence.js';
import type { Receipt } from './validate.js';

/**
 * A receipt as stored: the posted fields (with its notice, read from the notices table) plus what
 * the server added and the chain links.
 */
export type StoredReceipt = Receipt & {
  /** Server time of the first successful store, ISO 8601 UTC. */
  receivedAt: string;
  /** Truncated client address (IPv4 /24, IPv6 /48), or null when not recorded. */
  clientIp: string | null;
  prevHash: string;
  hash: string;
};

/** What the server hands to the store for one POST. */
export interface NewReceipt {
  receipt: Receipt;
  receivedAt: string;
  clientIp: string | null;
  /**
   * At most this many distinct notices first seen on the UTC day of `receivedAt`: a receipt with a
   * notice new past it is refused (`notice-limit`) with nothing stored. No limit when absent.
   */
  maxNoticesPerDay?: number | undefined;
  /**
   * Asked inside the write, once the daily cap allows it, just before a notice the store does not
   * hold yet would be stored with this receipt; `false` refuses the receipt (`notice-limit`), nothing
   * stored. May be asked again if the write is retried, and the write may still fail after a `true`.
   */
  admitNewNotice?: (() => boolean) | undefined;
}

/**
 * `created`: stored now (durable when the promise resolves). `duplicate`: the same
 * receipt was stored before (a retry). `conflict`: another body holds that receiptId.
 * `newNotice`: this receipt's notice was stored with it, first seen now.
 */
export type InsertResult =
  | { status: 'created'; stored: StoredReceipt; newNotice?: true }
  | { status: 'duplicate'; stored: StoredReceipt }
  | { status: 'conflict' }
  | { status: 'notice-limit' };

/** A row of the operator's notice list. */
export interface NoticeSummary {
  id: string;
  firstSeen: string;
  /** When the newest stored receipt on it arrived; null once none is left. */
  lastSeen: string | null;
  /** Receipts currently stored that refer to it. */
  receipts: number;
  language: string;
  policyVersion: string;
}

/** One notice, as the SDK sent it (its id included). */
export interface NoticeDetail {
  id: string;
  firstSeen: string;
  receipts: number;
  notice: Notice;
}

/** A subject's own chain, checked with the chain key. */
export interface SubjectChain {
  receipts: number;
  ok: boolean;
  problems: string[];
}

/** Local days as UTC day numbers (days since 1970-01-01), `to` inclusive, shifted by the offset. */
export interface StatsRange {
  fromDay: number;
  toDay: number;
  /** A whole number of quarter-hours (the roll-up's slots). */
  tzOffsetMinutes: number;
  /** Days up to this one are over: they are rolled up first where they are not yet. */
  closedDay: number;
}

/**
 * What `statsSql` answers: per local day and method (`kind` 'day'), and per language and optional
 * category (`kind` 'category', `name` the category) the receipts listing it and those allowing it.
 */
export interface StatsRow {
  kind: 'day' | 'category';
  day: number | string | null;
  name: string;
  language: string | null;
  receipts: number | string;
  allowed: number | string;
}

/**
 * The one storage seam. SQLite and PostgreSQL implement it with the same schema;
 * every method resolves only after the database has committed.
 */
export interface ReceiptStore {
  readonly kind: 'sqlite' | 'postgres';
  insert(input: NewReceipt): Promise<InsertResult>;
  /** Every receipt of one subject, oldest first. */
  bySubject(subjectId: string): Promise<StoredReceipt[]>;
  /** Receipts received at or after `since`, in batches, so an export never holds the table. */
  exportSince(since: string | undefined): AsyncIterable<StoredReceipt>;
  /** Erasure: removes a subject's whole chain (so the remaining chains stay verifiable). */
  deleteSubject(subjectId: string): Promise<number>;
  /** Retention: removes receipts received before `before`; the chains continue from an anchor. */
  purgeBefore(before: string): Promise<number>;
  /** One receipt by its id, with its notice. */
  byReceiptId(receiptId: string): Promise<StoredReceipt | undefined>;
  /** Notices first seen before `before` (all without it), newest first; `more` when older ones remain. */
  notices(limit: number, before: string | undefined): Promise<{ notices: NoticeSummary[]; more: boolean }>;
  notice(id: string): Promise<NoticeDetail | undefined>;
  /** Checks one subject's chain (links, keys, its notices' ids), as `verify` does for all. */
  verifySubject(subjectId: string): Promise<SubjectChain>;
  /** How many receipts `purgeBefore(before)` would remove now. */
  countPurge(before: string): Promise<number>;
  /** The aggregates of `/stats`, computed by the database. */
  stats(range: StatsRange): Promise<StatsRow[]>;
  /** Recomputes every chain and checks the evidence log, against saved heads if given. */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  /**
   * Resolves once the database answers a read of the receipts table (on SQLite: and the write
   * lock can be taken); rejects when it is down, locked or frozen. `/healthz` bounds the wait.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What both stores take besides where the database is. */
export interface StoreOptions {
  /**
   * The HMAC key of the chains (at least 32 characters), never written to the database. With it,
   * new links are HMAC-SHA-256 (version 2), so an edit cannot be hidden by recomputing a hash;
   * the first open with a key records in the evidence log from which receipt on links are keyed,
   * and a later open with another key, or without one, is refused.
   */
  chainKey?: string | undefined;
  /** Opened only to verify: a keyed database may then be opened without the key (its MACs go unchecked). */
  verifyOnly?: boolean | undefined;
}

/**
 * After an erasure commits, how long it waits at most for the deleted rows to leave the
 * database's files (SQLite: the WAL checkpoint, retried while another process reads;
 * PostgreSQL: the VACUUM). The server's limit for an erasure is the store's plus this.
 */
export const SCRUB_WAIT_MS = 10_000;

/** Rows are read in pages of this many, keyed on the sort columns (no cursor held open). */
export const PAGE_SIZE = 500;

/**
 * Schema versions, applied in order at open (`schema_migrations` records what ran); one schema
 * for both stores, `seq` being each database's auto-increment. `received_at` stays ISO text so
 * the hashed value round-trips byte for byte.
 */
export const migrations = (kind: ReceiptStore['kind']): readonly string[] => [
  `CREATE TABLE receipts (
     seq ${kind === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY'},
     receipt_id TEXT NOT NULL UNIQUE,
     subject_id TEXT NOT NULL,
     received_at TEXT NOT NULL,
     client_ip TEXT,
     body TEXT NOT NULL,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE INDEX receipts_subject ON receipts (subject_id, seq);
   CREATE INDEX receipts_received ON receipts (received_at, seq);
   CREATE TABLE chain_anchors (subject_id TEXT PRIMARY KEY, hash TEXT NOT NULL);`,
  // 2: versioned links (1 = SHA-256, 2 = HMAC with the chain key), signed anchors, the evidence log.
  // The log's seq is assigned by the collector, not the database, because its MAC covers it.
  `ALTER TABLE receipts ADD COLUMN link INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE chain_anchors ADD COLUMN mac TEXT;
   CREATE TABLE evidence_log (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     detail TEXT NOT NULL,
     link INTEGER NOT NULL,
     prev_mac TEXT NOT NULL,
     mac TEXT NOT NULL
   );`,
  // 3: receipts v2. Each distinct notice once, by its id (the SHA-256 of `body`); a receipt's body
  // holds the id in place of the notice, and `notice_id` joins it.
  `CREATE TABLE notices (id TEXT PRIMARY KEY, body TEXT NOT NULL, first_seen TEXT NOT NULL);
   ALTER TABLE receipts ADD COLUMN notice_id TEXT;`,
  // 4: the operator's notice list: newest first-seen first, each with its receipts counted (and the
  // newest one found) in the index alone; and the per-day cap on new notices counts from the same index.
  `CREATE INDEX receipts_notice ON receipts (notice_id, received_at);
   CREATE INDEX notices_first_seen ON notices (first_seen, id);`,
  // 5: statistics. What `/stats` groups by, kept in columns of their own (filled on insert, back-filled
  // here), so one covering index answers a year of receipts without reading a body: in index order
  // SQLite groups as it scans instead of sorting every row. `arrival_day` is the UTC day number of
  // `received_at`, `arrival_minute` its minute in that day (a time-zone offset moves a receipt to
  // the day before or after by it), `categories` the canonical JSON of the choices.
  `ALTER TABLE receipts ADD COLUMN arrival_day INTEGER;
   ALTER TABLE receipts ADD COLUMN arrival_minute INTEGER;
   ALTER TABLE receipts ADD COLUMN method TEXT;
   ALTER TABLE receipts ADD COLUMN language TEXT;
   ALTER TABLE receipts ADD COLUMN categories TEXT;
   ${kind === 'sqlite' ? SQLITE_STATS_BACKFILL : POSTGRES_STATS_BACKFILL}
   CREATE INDEX receipts_stats ON receipts (arrival_day, method, language, categories, arrival_minute);`,
  // 6: the statistics of past days, rolled up once per UTC day into 15-minute slots (see `rollUpSql`):
  // a year at 10 million receipts is then half a million rows instead of ten million. A day is in
  // `stats_rolled` exactly when its slots are in `stats_rollup` (written and removed together).
  `CREATE TABLE stats_rollup (day INTEGER NOT NULL, method TEXT, language TEXT, categories TEXT,
                              slot INTEGER NOT NULL, n INTEGER NOT NULL);
   CREATE INDEX stats_rollup_day ON stats_rollup (day, method, language, categories, slot, n);
   CREATE TABLE stats_rolled (day INTEGER PRIMARY KEY);`,
];

// Both read the canonical body (sorted keys, no whitespace), so a back-filled `categories` is the
// very text a new insert writes (`statsColumns`).
const SQLITE_STATS_BACKFILL = `UPDATE receipts SET
     arrival_day = unixepoch(received_at) / 86400,
     arrival_minute = unixepoch(received_at) % 86400 / 60,
     method = json_extract(body, '$.method'),
     language = json_extract(body, '$.language'),
     categories = json_extract(body, '$.categories');`;
const POSTGRES_STATS_BACKFILL = `UPDATE receipts SET
     arrival_day = floor(extract(epoch FROM received_at::timestamptz) / 86400),
     arrival_minute = floor(extract(epoch FROM received_at::timestamptz))::bigint % 86400 / 60,
     method = body::json ->> 'method',
     language = body::json ->> 'language',
     categories = (body::json -> 'categories')::text;`;

/** The stats columns of a new receipt row (migration 5), as the back-fill computes them. */
export function statsColumns(receipt: Receipt, receivedAt: string) {
  const seconds = Math.floor(Date.parse(receivedAt) / 1000);
  return {
    arrival_day: Math.floor(seconds / 86_400),
    arrival_minute: Math.floor((seconds % 86_400) / 60),
    method: receipt.method,
    language: receipt.language,
    categories: canonicalJson(receipt.categories),
  };
}

/** The notice, joined to a receipt row as `notice_body`. */
export const NOTICE_JOIN = 'LEFT JOIN notices n ON n.id = r.notice_id';

/** The columns both stores keep; `body` is the canonical JSON of the posted receipt. */
export interface ReceiptRow {
  seq: number | string;
  receipt_id: string;
  subject_id: string;
  received_at: string;
  client_ip: string | null;
  body: string;
  prev_hash: string;
  hash: string;
  link: number;
  notice_id?: string | null;
  /** With `NOTICE_JOIN`: the receipt's notice as stored. */
  notice_body?: string | null;
}

/** A receipt row joined with its subject's purge anchor, as `verify` reads it. */
export type AnchoredRow = ReceiptRow & { anchor: string | null; anchor_mac: string | null };

/** A row as the chain checker reads it, with its subject's purge anchor. */
export const rowToChainLink = (row: AnchoredRow): ChainRow => ({
  seq: Number(row.seq),
  subjectId: row.subject_id,
  receiptId: row.receipt_id,
  body: row.body,
  receivedAt: row.received_at,
  clientIp: row.client_ip,
  prevHash: row.prev_hash,
  hash: row.hash,
  link: Number(row.link) as LinkVersion,
  anchor: row.anchor,
  anchorMac: row.anchor_mac,
});

/** The stored receipt, its notice put back in place of the id its body holds. */
export function rowToStored(row: ReceiptRow, notice?: object): StoredReceipt {
  const receipt = JSON.parse(row.body) as Receipt;
  const noticeId = receipt.version === 2 && (receipt.notice as unknown as string | null);
  if (noticeId && notice) receipt.notice = notice as typeof receipt.notice;
  else if (noticeId && row.notice_body) receipt.notice = { id: noticeId, ...JSON.parse(row.notice_body) };
  return {
    ...receipt,
    receivedAt: row.received_at,
    clientIp: row.client_ip,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Receipt rows (read without `NOTICE_JOIN`) as stored receipts, each notice read and parsed once and its object
 * shared: a notice can be 1.9 MB and hundreds of receipts can refer to it, so a join or a parse per row would hold
 * hundreds of copies. The last few notices used are kept, so memory stays bounded over a whole export.
 */
export function noticeReader(read: (id: string) => Promise<string | undefined> | string | undefined, keep = 8) {
  const recent = new Map<string, object | undefined>();
  return async (row: ReceiptRow): Promise<StoredReceipt> => {
    const id = row.notice_id;
    if (!id) return rowToStored(row);
    let notice = recent.get(id);
    if (notice === undefined) {
      const body = await read(id);
      notice = body === undefined ? undefined : { id, ...JSON.parse(body) };
      if (recent.size >= keep) recent.delete(recent.keys().next().value!);
    }
    recent.delete(id);
    recent.set(id, notice);
    return rowToStored(row, notice);
  };
}

/**
 * Receipts arrive on the collector's clock, so a UTC day that is over (by an hour, for clocks a
 * little apart and requests still in flight) gets no new receipt: only an erasure or a purge
 * changes it, and they remove its roll-up (`STATS_FORGET_*`) to be made again. The slot is the
 * quarter-hour of arrival: every time-zone offset in use is a whole number of quarter-hours.
 */
export const ROLL_UP_MARGIN_MS = 3_600_000;
export const rollUpSql = (param: string) => `INSERT INTO stats_rollup (day, method, language, categories, slot, n)
  SELECT arrival_day, method, language, categories, arrival_minute / 15, count(*) FROM receipts
  WHERE arrival_day = ${param} GROUP BY arrival_day, method, language, categories, arrival_minute / 15`;

/**
 * The statistics in one statement (one snapshot): past days from their roll-up, the days not rolled
 * up (today, or one an erasure just changed) from the covering index `receipts_stats`, one index
 * range per day, without reading a receipt. A time-zone offset (whole quarter-hours) moves what
 * arrived before/after its local midnight (`early`/`late`) to the day before/after. What leaves the
 * database is a row per day and method and per language and category. `gpc` is a refusal of every
 * optional category whatever it lists.
 */
export function statsSql(kind: ReceiptStore['kind']): string {
  const [lo, hi, from, to, offset] =
    kind === 'sqlite' ? ['@lo', '@hi', '@from', '@to', '@offset'] : ['$1::int', '$2::int', '$3', '$4', '$5::int'];
  const each = kind === 'sqlite' ? 'json_each(r.categories)' : 'jsonb_each(r.categories::jsonb)';
  const allowed = kind === 'sqlite' ? "c.type = 'true'" : "c.value = 'true'::jsonb";
  return `WITH RECURSIVE span(d) AS (SELECT ${lo} UNION ALL SELECT d + 1 FROM span WHERE d < ${hi}),
    live(d) AS (SELECT d FROM span EXCEPT SELECT day FROM stats_rolled WHERE day >= ${lo} AND day <= ${hi}),
    g AS MATERIALIZED (
      SELECT day, method, language, categories, sum(n) AS n,
             coalesce(sum(n) FILTER (WHERE slot * 15 + ${offset} < 0), 0) AS early,
             coalesce(sum(n) FILTER (WHERE slot * 15 + ${offset} >= 1440), 0) AS late
      FROM stats_rollup WHERE day >= ${lo} AND day <= ${hi}
      GROUP BY day, method, language, categories
      UNION ALL
      SELECT arrival_day, method, language, categories, count(*),
             count(*) FILTER (WHERE arrival_minute + ${offset} < 0),
             count(*) FILTER (WHERE arrival_minute + ${offset} >= 1440)
      FROM live JOIN receipts ON receipts.arrival_day = live.d
      GROUP BY arrival_day, method, language, categories),
    s AS (SELECT day, method, language, categories, n - early - late AS n FROM g
          UNION ALL SELECT day - 1, method, language, categories, early FROM g
          UNION ALL SELECT day + 1, method, language, categories, late FROM g),
    r AS MATERIALIZED (SELECT * FROM s WHERE n > 0 AND day >= ${from} AND day <= ${to})
    SELECT 'day' AS kind, day, method AS name, NULL AS language, sum(n) AS receipts, 0 AS allowed
    FROM r GROUP BY day, method
    UNION ALL
    SELECT 'category', NULL, c.key, r.language, sum(r.n),
           sum(CASE WHEN r.method <> 'gpc' AND ${allowed} THEN r.n ELSE 0 END)
    FROM r, ${each} c WHERE c.key <> 'necessary' GROUP BY r.language, c.key`;
}

/** An erasure forgets the roll-up of every day the subject's receipts arrived on (before deleting them). */
export const STATS_FORGET_SUBJECT = (param: string) =>
  ['stats_rollup', 'stats_rolled'].map(
    (table) =>
      `DELETE FROM ${table} WHERE day IN (SELECT DISTINCT arrival_day FROM receipts WHERE subject_id = ${param})`,
  );
/**
 * A purge forgets the roll-up up to the day after its cut-off: it removes receipts received before
 * the cut-off, and, per subject, older ones stored after it (a later seq from a clock a little apart).
 */
export const STATS_FORGET_UNTIL = (param: string) =>
  ['stats_rollup', 'stats_rolled'].map((table) => `DELETE FROM ${table} WHERE day <= ${param}`);

/** The last UTC day (day number) whose roll-up can be made at `now`. */
export const lastClosedDay = (now: number): number => Math.floor((now - ROLL_UP_MARGIN_MS) / 86_400_000) - 1;
/** The day number of an ISO instant. */
export const dayOf = (instant: string): number => Math.floor(Date.parse(instant) / 86_400_000);

/** The statement behind `countPurge`: the rows `purgeBefore` deletes (every subject's chain up to its cut). */
export const COUNT_PURGE = (param: string) => `SELECT count(*) AS n FROM receipts r
  JOIN (SELECT subject_id, max(seq) AS cut FROM receipts WHERE received_at < ${param} GROUP BY subject_id) c
    ON c.subject_id = r.subject_id AND r.seq <= c.cut`;

const NOTICE_COUNTS = `(SELECT count(*) FROM receipts r WHERE r.notice_id = n.id) AS receipts,
  (SELECT max(r.received_at) FROM receipts r WHERE r.notice_id = n.id) AS last_seen`;

/** A notice with its receipts' count and last arrival. */
export const NOTICE_COLUMNS = `n.id, n.first_seen, n.body, ${NOTICE_COUNTS}`;

/**
 * The notice list's page, newest first; ties on `first_seen` are kept whole (see `noticesPage`). The language and
 * policy version are read in the database: a page of bodies (up to 1.9 MB each) would be hundreds of megabytes.
 */
export const NOTICE_SUMMARY_COLUMNS = (kind: ReceiptStore['kind']) =>
  `n.id, n.first_seen, ${
    kind === 'sqlite'
      ? `json_extract(n.body, '$.language') AS language, json_extract(n.body, '$.policyVersion') AS policy_version`
      : `n.body::json ->> 'language' AS language, n.body::json ->> 'policyVersion' AS policy_version`
  }, ${NOTICE_COUNTS}`;

export interface NoticeRow {
  id: string;
  first_seen: string;
  body: string;
  receipts: number | string;
  last_seen: string | null;
}

export interface NoticeSummaryRow extends Omit<NoticeRow, 'body'> {
  language: string;
  policy_version: string;
}

export function rowToNoticeSummary(row: NoticeSummaryRow): NoticeSummary {
  return {
    id: row.id,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    receipts: Number(row.receipts),
    language: row.language,
    policyVersion: row.policy_version,
  };
}

export const rowToNoticeDetail = (row: NoticeRow): NoticeDetail => ({
  id: row.id,
  firstSeen: row.first_seen,
  receipts: Number(row.receipts),
  notice: { id: row.id, ...(JSON.parse(row.body) as Omit<Notice, 'id'>) },
});

/** The start of the UTC day of an ISO instant, as the ISO text `first_seen` compares with. */
export const utcDayStart = (instant: string): string => `${instant.slice(0, 10)}T00:00:00.000Z`;
