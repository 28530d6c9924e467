import { createHash } from 'node:crypto';
import {
  type ChainCheckOptions,
  type ChainProblem,
  type ChainReport,
  type ChainRow,
  canonicalJson,
  createChainChecker,
  GENESIS_HASH,
  type LinkVersion,
  linkHash,
  type SavedHead,
} from './chain.js';
import type { StoredNotice } from './notice.js';

/**
 * The evidence log records the deletions the collector itself made (erasures, purges) and
 * when the chain was keyed, each entry linked to the one before like a receipt chain, so a
 * lawful deletion can be told apart from rows removed behind the collector's back.
 */
export type LogKind = 'keyed' | 'erasure' | 'purge';

/** `keyed`: `{ afterSeq }`; `erasure`: `{ subject: digest, receipts }`; `purge`: `{ before, receipts }`. */
export type LogDetail = Record<string, string | number>;

export interface LogEntry {
  seq: number;
  at: string;
  kind: LogKind;
  detail: LogDetail;
  link: LinkVersion;
  prevMac: string;
  mac: string;
}

/** The log row as both stores keep it (`detail` as canonical JSON). */
export interface LogRow {
  seq: number | string;
  at: string;
  kind: string;
  detail: string;
  link: number;
  prev_mac: string;
  mac: string;
}

export const rowToLogEntry = (row: LogRow): LogEntry => ({
  seq: Number(row.seq),
  at: row.at,
  kind: row.kind as LogKind,
  detail: JSON.parse(row.detail) as LogDetail,
  link: Number(row.link) as LinkVersion,
  prevMac: row.prev_mac,
  mac: row.mac,
});

const entryMac = (entry: Omit<LogEntry, 'mac'>, key: string | undefined) =>
  linkHash(
    entry.link,
    key,
    'log',
    entry.prevMac + canonicalJson({ seq: entry.seq, at: entry.at, kind: entry.kind, detail: entry.detail }),
  );

/** The entry that follows `last` (the log's newest entry, or undefined for the first). */
export function nextLogEntry(
  last: Pick<LogEntry, 'seq' | 'mac'> | undefined,
  kind: LogKind,
  detail: LogDetail,
  key: string | undefined,
): LogEntry {
  const entry = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    kind,
    detail,
    link: (key ? 2 : 1) as LinkVersion,
    prevMac: last?.mac ?? GENESIS_HASH,
  };
  return { ...entry, mac: entryMac(entry, key) };
}

/** Whether a `keyed` entry was made with `key`: a store refuses to write with another key. */
export const keyMatches = (entry: LogEntry, key: string): boolean => entryMac(entry, key) === entry.mac;

export const logEntryToRow = (entry: LogEntry): LogRow => ({
  seq: entry.seq,
  at: entry.at,
  kind: entry.kind,
  detail: canonicalJson(entry.detail),
  link: entry.link,
  prev_mac: entry.prevMac,
  mac: entry.mac,
});

export const WRONG_KEY = 'the chain key is not the one this database was keyed with';
export const KEY_NEEDED =
  'this database has keyed chains: give its chain key (--chain-key or CONSENT_COLLECTOR_CHAIN_KEY)';

/** What `verify --save-heads` writes and `verify --against` reads. */
export interface SavedHeads {
  format: typeof HEADS_FORMAT;
  savedAt: string;
  /** The log's newest entry at the time: entries after it are the deletions since. */
  log: { seq: number; mac: string } | null;
  /** By subject digest: no subject id leaves the database. */
  subjects: Record<string, SavedHead>;
  /** HMAC over the rest, when saved with the chain key. */
  mac?: string;
}

const HEADS_FORMAT = 'paloma-consent-heads/1';

const headsMac = (heads: Omit<SavedHeads, 'mac'>, key: string) => linkHash(2, key, 'heads', canonicalJson(heads));

/** Reads a heads file; with the key, one saved with the key must still carry its MAC. */
export function parseHeads(text: string, key: string | undefined): SavedHeads {
  let heads: SavedHeads;
  try {
    heads = JSON.parse(text) as SavedHeads;
  } catch {
    throw new Error('the heads file is not JSON');
  }
  if (heads?.format !== HEADS_FORMAT || typeof heads.subjects !== 'object' || heads.subjects === null) {
    throw new Error(`the heads file is not a ${HEADS_FORMAT} file`);
  }
  if (heads.mac !== undefined && key) {
    const { mac, ...rest } = heads;
    if (headsMac(rest, key) !== mac)
      throw new Error('the heads file was changed after it was saved (its HMAC does not match)');
  }
  return heads;
}

export interface VerifyOptions {
  /** Heads saved earlier: receipts and chains deleted since are reported unless the log says why. */
  against?: SavedHeads | undefined;
  /** Also return the heads to save (`report.savedHeads`). */
  saveHeads?: boolean | undefined;
}

export interface VerifyReport extends ChainReport {
  /** Entries in the evidence log. */
  logEntries: number;
  /** The heads file to write, when asked for. */
  savedHeads?: SavedHeads;
}

/** What a store hands to `verifyEvidence`: its log oldest first, its receipts grouped by subject. */
export interface EvidenceSource {
  log(): AsyncIterable<LogEntry>;
  rows(): AsyncIterable<ChainRow>;
  /** The stored notices: each id must still be the SHA-256 of its body. */
  notices(): AsyncIterable<StoredNotice>;
}

/**
 * Checks the evidence log (its links, its MACs with the key), then every receipt chain against
 * it and against saved heads. Log entries are few (one per erasure or purge), so they are held.
 */
export async function verifyEvidence(
  source: EvidenceSource,
  key: string | undefined,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const problems: ChainProblem[] = [];
  const logProblem = (entry: LogEntry, reason: string) =>
    problems.push({ subjectId: null, receiptId: null, reason: `evidence log entry ${entry.seq}: ${reason}` });
  const saved = options.against;
  const erased = new Set<string>();
  let purgedBefore: string | undefined;
  let keyedAfterSeq: number | undefined;
  let expectedPrev = GENESIS_HASH;
  let last: LogEntry | undefined;
  let savedLogFound = !saved?.log;
  let logEntries = 0;
  for await (const entry of source.log()) {
    logEntries++;
    if (entry.prevMac !== expectedPrev) logProblem(entry, 'does not follow the entry before it (removed or reordered)');
    if (entry.link === 1 && entryMac(entry, undefined) !== entry.mac) logProblem(entry, 'hash does not match');
    if (entry.link === 2 && key && entryMac(entry, key) !== entry.mac) logProblem(entry, 'HMAC does not match');
    if (entry.link === 1 && keyedAfterSeq !== undefined) logProblem(entry, 'written without the chain key');
    if (entry.kind === 'keyed' && keyedAfterSeq === undefined) keyedAfterSeq = Number(entry.detail.afterSeq);
    if (saved?.log && entry.seq === saved.log.seq) {
      savedLogFound = entry.mac === saved.log.mac;
    } else if (!saved?.log || entry.seq > saved.log.seq) {
      if (entry.kind === 'erasure') erased.add(String(entry.detail.subject));
      const before = String(entry.detail.before);
      if (entry.kind === 'purge' && (purgedBefore === undefined || before > purgedBefore)) purgedBefore = before;
    }
    expectedPrev = entry.mac;
    last = entry;
  }
  if (!savedLogFound) {
    problems.push({
      subjectId: null,
      receiptId: null,
      reason: `the evidence log no longer holds entry ${saved!.log!.seq} as it was when the heads were saved (cut or rewritten)`,
    });
  }

  const checkOptions: ChainCheckOptions = {
    key,
    keyedAfterSeq,
    against: saved && { subjects: saved.subjects, erased, purgedBefore },
    collectHeads: options.saveHeads,
  };
  // The chains cover each receipt's notice id; the id covers the wording, so an edit of a notice shows here.
  for await (const notice of source.notices()) {
    if (createHash('sha256').update(notice.body, 'utf8').digest('hex') !== notice.id) {
      problems.push({
        subjectId: null,
        receiptId: null,
        reason: `notice ${notice.id}: its text no longer has this id (edited)`,
      });
    }
  }
  const checker = createChainChecker(checkOptions);
  for await (const row of source.rows()) checker.add(row);
  const chains = checker.report();
  const all = [...problems, ...chains.problems];
  const { heads, ...report } = chains;
  const result: VerifyReport = { ...report, ok: all.length === 0, problems: all, logEntries };
  if (options.saveHeads) {
    const unsigned = {
      format: HEADS_FORMAT,
      savedAt: new Date().toISOString(),
      log: last ? { seq: last.seq, mac: last.mac } : null,
      subjects: heads ?? {},
    } as const;
    result.savedHeads = key ? { ...unsigned, mac: headsMac(unsigned, key) } : unsigned;
  }
  return result;
}

/**
 * One subject's chain, as `verifyEvidence` checks it within the whole database: its links (with the
 * key, and HMAC links required after the log's `keyed` entry), its purge anchor, the ids of the
 * notices its receipts refer to. Deletions of whole chains need the saved heads of `verify --against`.
 */
export function verifySubjectEvidence(
  rows: readonly ChainRow[],
  notices: readonly StoredNotice[],
  key: string | undefined,
  keyed: LogEntry | undefined,
): { receipts: number; ok: boolean; problems: string[] } {
  const problems: string[] = [];
  for (const notice of notices) {
    if (createHash('sha256').update(notice.body, 'utf8').digest('hex') !== notice.id) {
      problems.push(`notice ${notice.id}: its text no longer has this id (edited)`);
    }
  }
  const checker = createChainChecker({ key, keyedAfterSeq: keyed && Number(keyed.detail.afterSeq) });
  for (const row of rows) checker.add(row);
  const report = checker.report();
  for (const problem of report.problems) {
    problems.push(problem.receiptId ? `receipt ${problem.receiptId}: ${problem.reason}` : problem.reason);
  }
  return { receipts: report.receipts, ok: problems.length === 0, problems };
}
