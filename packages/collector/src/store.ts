import type { ChainReport, ChainRow } from './chain.js';
import type { Receipt } from './validate.js';

/** A receipt as stored: the posted fields plus what the server added and the chain links. */
export interface StoredReceipt extends Receipt {
  /** Server time of the first successful store, ISO 8601 UTC. */
  receivedAt: string;
  /** Truncated client address (IPv4 /24, IPv6 /48), or null when not recorded. */
  clientIp: string | null;
  prevHash: string;
  hash: string;
}

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
  /** Recomputes every chain. */
  verify(): Promise<ChainReport>;
  /**
   * Resolves once the database answers a read of the receipts table (on SQLite: and the write
   * lock can be taken); rejects when it is down, locked or frozen. `/healthz` bounds the wait.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

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
];

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
}

/** A row as the chain checker reads it, with its subject's purge anchor. */
export const rowToChainLink = (row: ReceiptRow & { anchor: string | null }): ChainRow => ({
  subjectId: row.subject_id,
  receiptId: row.receipt_id,
  body: row.body,
  receivedAt: row.received_at,
  clientIp: row.client_ip,
  prevHash: row.prev_hash,
  hash: row.hash,
  anchor: row.anchor,
});

export function rowToStored(row: ReceiptRow): StoredReceipt {
  return {
    ...(JSON.parse(row.body) as Receipt),
    receivedAt: row.received_at,
    clientIp: row.client_ip,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
