import type { ChainRow, LinkVersion } from './chain.js';
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
}

/**
 * `created`: stored now (durable when the promise resolves). `duplicate`: the same
 * receipt was stored before (a retry). `conflict`: another body holds that receiptId.
 */
export type InsertResult =
  | { status: 'created'; stored: StoredReceipt }
  | { status: 'duplicate'; stored: StoredReceipt }
  | { status: 'conflict' };

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
export const migrations = (seq: string): readonly string[] => [
  `CREATE TABLE receipts (
     seq ${seq},
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
];

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
export function rowToStored(row: ReceiptRow): StoredReceipt {
  const receipt = JSON.parse(row.body) as Receipt;
  const noticeId = receipt.version === 2 && (receipt.notice as unknown as string | null);
  if (noticeId && row.notice_body) receipt.notice = { id: noticeId, ...JSON.parse(row.notice_body) };
  return {
    ...receipt,
    receivedAt: row.received_at,
    clientIp: row.client_ip,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
