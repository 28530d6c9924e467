import { createHash } from 'node:crypto';

/** The `prevHash` of the first receipt of every subject's chain. */
export const GENESIS_HASH = '0'.repeat(64);

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
 * `sha256(prevHash + canonical JSON of the stored receipt)`, hex. The stored receipt is
 * the posted receipt plus `receivedAt` and `clientIp`, so editing any of them in the
 * database breaks the chain.
 */
export function chainHash(prevHash: string, fields: ChainedFields): string {
  const stored = { ...(JSON.parse(fields.body) as object), receivedAt: fields.receivedAt, clientIp: fields.clientIp };
  return createHash('sha256')
    .update(prevHash + canonicalJson(stored))
    .digest('hex');
}

/** One stored row as the chain checker needs it. */
export interface ChainRow extends ChainedFields {
  subjectId: string;
  receiptId: string;
  prevHash: string;
  hash: string;
  /** The hash this subject's chain starts from after a retention purge, else null. */
  anchor: string | null;
}

/** A link that does not hold, with where it broke. */
export interface ChainProblem {
  subjectId: string;
  receiptId: string;
  reason: string;
}

export interface ChainReport {
  ok: boolean;
  subjects: number;
  receipts: number;
  problems: ChainProblem[];
}

/**
 * Checks chains one row at a time, so a whole database can be verified in constant
 * memory: rows must arrive grouped by subject, in insertion order within a subject.
 */
export function createChainChecker() {
  const problems: ChainProblem[] = [];
  let subjects = 0;
  let receipts = 0;
  let currentSubject: string | undefined;
  let expectedPrev = GENESIS_HASH;
  return {
    add(row: ChainRow): void {
      receipts++;
      if (row.subjectId !== currentSubject) {
        currentSubject = row.subjectId;
        subjects++;
        expectedPrev = row.anchor ?? GENESIS_HASH;
      }
      const problem = (reason: string) => problems.push({ subjectId: row.subjectId, receiptId: row.receiptId, reason });
      if (row.prevHash !== expectedPrev) problem('prevHash does not match the previous receipt of this subject');
      let parsed: { receiptId?: unknown; subjectId?: unknown } | undefined;
      try {
        parsed = JSON.parse(row.body) as typeof parsed;
      } catch {
        problem('stored body is not JSON');
      }
      if (parsed) {
        if (parsed.receiptId !== row.receiptId || parsed.subjectId !== row.subjectId) {
          problem('stored body does not match its receiptId/subjectId columns');
        }
        if (chainHash(row.prevHash, row) !== row.hash) problem('hash does not match the stored receipt');
      }
      // Continue from the stored hash so one edited row is reported once, not for the rest of the chain.
      expectedPrev = row.hash;
    },
    report(): ChainReport {
      return { ok: problems.length === 0, subjects, receipts, problems: [...problems] };
    },
  };
}
