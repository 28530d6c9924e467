import { createHash, createHmac } from 'node:crypto';

/** The `prevHash` of the first receipt of every subject's chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * How a link was computed, stored beside it so chains written before the key existed still
 * verify. 1: SHA-256, which anyone with write access can recompute after an edit. 2: HMAC-SHA-256
 * with the chain key, which the collector never writes to the database.
 */
export type LinkVersion = 1 | 2;

/** What a version 2 link covers; the purpose is hashed in, so a receipt's MAC cannot pass as an anchor's. */
export type LinkPurpose = 'receipt' | 'anchor' | 'log' | 'heads';

/** A key shorter than this could be guessed from the links it produced. */
export const MIN_KEY_LENGTH = 32;

/** Throws unless `key` is long enough to be a chain key. */
export function checkChainKey(key: string): void {
  if (key.length < MIN_KEY_LENGTH) {
    throw new Error(`the chain key must be at least ${MIN_KEY_LENGTH} characters (openssl rand -hex 32 makes one)`);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One link: `text` is what the link covers, including the previous link where there is one. */
export function linkHash(version: LinkVersion, key: string | undefined, purpose: LinkPurpose, text: string): string {
  if (version === 1) return sha256(text);
  if (!key) throw new Error('a version 2 link needs the chain key');
  return createHmac('sha256', key).update(`${purpose}\n${text}`).digest('hex');
}

/**
 * Names a subject in the evidence log and in a saved heads file without its id: a random UUID
 * cannot be found from its SHA-256, and whoever holds the id can still match it.
 */
export const subjectDigest = (subjectId: string): string => sha256(`subject\n${subjectId}`);

/**
 * JSON with object keys sorted at every level and no whitespace, so the same
 * value always hashes the same whatever order its keys arrived in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${fields.join(',')}}`;
}

/** What the chain hash covers: the receipt as posted plus the fields the server added. */
export interface ChainedFields {
  /** Canonical JSON of the receipt as posted. */
  body: string;
  receivedAt: string;
  clientIp: string | null;
}

/**
 * The link of one receipt over `prevHash` and the stored receipt (the posted receipt plus
 * `receivedAt` and `clientIp`): `sha256(prevHash + canonical JSON)` without a key (version 1),
 * HMAC-SHA-256 with it (version 2).
 */
export function chainHash(prevHash: string, fields: ChainedFields, key?: string): string {
  const stored = { ...(JSON.parse(fields.body) as object), receivedAt: fields.receivedAt, clientIp: fields.clientIp };
  return linkHash(key ? 2 : 1, key, 'receipt', prevHash + canonicalJson(stored));
}

/** The MAC of a purge anchor: only the key holder can say where a purged chain goes on. */
export const anchorMac = (key: string, subjectId: string, hash: string): string =>
  linkHash(2, key, 'anchor', `${subjectId}\n${hash}`);

/** One stored row as the chain checker needs it. */
export interface ChainRow extends ChainedFields {
  seq: number;
  subjectId: string;
  receiptId: string;
  prevHash: string;
  hash: string;
  link: LinkVersion;
  /** The hash this subject's chain starts from after a retention purge, else null. */
  anchor: string | null;
  /** The anchor's MAC (anchors written with the key), else null. */
  anchorMac: string | null;
}

/** A link that does not hold, with where it broke (null where no stored row is left to name). */
export interface ChainProblem {
  subjectId: string | null;
  receiptId: string | null;
  reason: string;
}

/** A subject's newest receipt when the heads were saved. */
export interface SavedHead {
  hash: string;
  receivedAt: string;
  receipts: number;
}

/** What the checker needs from the evidence log and a saved heads file. */
export interface ChainCheckOptions {
  key?: string | undefined;
  /** From the log's `keyed` entry: every receipt after this seq must have a version 2 link. */
  keyedAfterSeq?: number | undefined;
  /** The heads to compare with, by subject digest, and the lawful deletions logged since they were saved. */
  against?:
    | {
        subjects: Record<string, SavedHead>;
        /** Subject digests erased since the heads were saved. */
        erased: ReadonlySet<string>;
        /** The latest purge cut-off logged since the heads were saved. */
        purgedBefore: string | undefined;
      }
    | undefined;
  /** Collect every subject's head, for `verify --save-heads`. */
  collectHeads?: boolean | undefined;
}

export interface ChainReport {
  ok: boolean;
  subjects: number;
  receipts: number;
  /** Receipts whose version 2 link was checked with the key. */
  keyed: number;
  /** Receipts with a version 1 (SHA-256) link. */
  unkeyed: number;
  /** Receipts with a version 2 link that could not be checked: no key given. */
  unchecked: number;
  problems: ChainProblem[];
  /** Every subject's head by subject digest, when collected. */
  heads?: Record<string, SavedHead>;
}

interface SubjectState {
  subjectId: string;
  digest: string;
  anchored: boolean;
  ids: Set<string>;
  references: { receiptId: string; previous: string }[];
  savedFound: boolean;
  last: ChainRow | undefined;
  count: number;
}

/**
 * Checks chains one row at a time, so a whole database is verified in memory bounded by the
 * largest chain (plus the heads, when compared or collected): rows must arrive grouped by
 * subject, in insertion order within a subject.
 */
export function createChainChecker(options: ChainCheckOptions = {}) {
  const { key, keyedAfterSeq, against } = options;
  const problems: ChainProblem[] = [];
  const heads: Record<string, SavedHead> = {};
  const counts = { subjects: 0, receipts: 0, keyed: 0, unkeyed: 0, unchecked: 0 };
  const seen = new Set<string>();
  let subject: SubjectState | undefined;
  let expectedPrev = GENESIS_HASH;
  let keyedWithoutLog = false;

  const lawfullyGone = (digest: string, saved: SavedHead) =>
    against!.erased.has(digest) || (against!.purgedBefore !== undefined && against!.purgedBefore > saved.receivedAt);

  function finishSubject(): void {
    if (!subject) return;
    const { subjectId, digest, last } = subject;
    for (const { receiptId, previous } of subject.references) {
      // After a purge the named receipt may be among the purged ones, so only a whole chain can tell.
      if (!subject.ids.has(previous) && !subject.anchored) {
        problems.push({
          subjectId,
          receiptId,
          reason: `previousReceiptId ${previous} names no stored receipt of this subject`,
        });
      }
    }
    const saved = against?.subjects[digest];
    if (saved) {
      seen.add(digest);
      if (!subject.savedFound && !lawfullyGone(digest, saved)) {
        problems.push({
          subjectId,
          receiptId: null,
          reason: `the receipt that was this subject's newest when the heads were saved (received ${saved.receivedAt}) is missing or changed, and no erasure or purge was logged since`,
        });
      }
    }
    if (options.collectHeads && last) {
      heads[digest] = { hash: last.hash, receivedAt: last.receivedAt, receipts: subject.count };
    }
  }

  return {
    add(row: ChainRow): void {
      counts.receipts++;
      if (row.subjectId !== subject?.subjectId) {
        finishSubject();
        counts.subjects++;
        subject = {
          subjectId: row.subjectId,
          digest: subjectDigest(row.subjectId),
          anchored: row.anchor !== null,
          ids: new Set(),
          references: [],
          savedFound: false,
          last: undefined,
          count: 0,
        };
        expectedPrev = row.anchor ?? GENESIS_HASH;
        if (row.anchor !== null && key && (keyedAfterSeq !== undefined || row.anchorMac !== null)) {
          if (row.anchorMac !== anchorMac(key, row.subjectId, row.anchor)) {
            problems.push({
              subjectId: row.subjectId,
              receiptId: null,
              reason: 'the purge anchor this chain starts from is not signed with the chain key (forged)',
            });
          }
        }
      }
      const current = subject;
      current.count++;
      current.ids.add(row.receiptId);
      current.last = row;
      if (against?.subjects[current.digest]?.hash === row.hash) current.savedFound = true;
      const problem = (reason: string) => problems.push({ subjectId: row.subjectId, receiptId: row.receiptId, reason });
      if (row.prevHash !== expectedPrev) problem('prevHash does not match the previous receipt of this subject');
      let parsed: { receiptId?: unknown; subjectId?: unknown; previousReceiptId?: unknown } | undefined;
      try {
        parsed = JSON.parse(row.body) as typeof parsed;
      } catch {
        problem('stored body is not JSON');
      }
      if (parsed) {
        if (parsed.receiptId !== row.receiptId || parsed.subjectId !== row.subjectId) {
          problem('stored body does not match its receiptId/subjectId columns');
        }
        if (typeof parsed.previousReceiptId === 'string') {
          current.references.push({ receiptId: row.receiptId, previous: parsed.previousReceiptId });
        }
        if (row.link === 1) {
          counts.unkeyed++;
          if (chainHash(row.prevHash, row) !== row.hash) problem('hash does not match the stored receipt');
          if (keyedAfterSeq !== undefined && row.seq > keyedAfterSeq) {
            problem('written without the chain key after the chain was keyed (a SHA-256 link where an HMAC is due)');
          }
        } else if (!key) {
          counts.unchecked++;
        } else {
          counts.keyed++;
          if (chainHash(row.prevHash, row, key) !== row.hash) problem('HMAC does not match the stored receipt');
          if (keyedAfterSeq === undefined) keyedWithoutLog = true;
        }
      }
      // Continue from the stored hash so one edited row is reported once, not for the rest of the chain.
      expectedPrev = row.hash;
    },
    report(): ChainReport {
      finishSubject();
      subject = undefined;
      const all = [...problems];
      if (keyedWithoutLog) {
        all.push({
          subjectId: null,
          receiptId: null,
          reason: 'receipts carry HMAC links but the evidence log has no entry saying when the chain was keyed',
        });
      }
      for (const [digest, saved] of Object.entries(against?.subjects ?? {})) {
        if (seen.has(digest) || lawfullyGone(digest, saved)) continue;
        all.push({
          subjectId: null,
          receiptId: null,
          reason: `a whole chain is missing: subject digest ${digest}, ${saved.receipts} receipts when the heads were saved, and no erasure or purge was logged since`,
        });
      }
      return {
        ok: all.length === 0,
        ...counts,
        problems: all,
        ...(options.collectHeads ? { heads } : {}),
      };
    },
  };
}
