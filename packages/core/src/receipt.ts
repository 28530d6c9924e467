import type { Decision, Method } from './decision.js';
import type { LocationLike } from './env.js';

/**
 * A consent receipt, version 1: what the endpoint receives (POST, JSON) for every
 * decision. `receipt.schema.json` is its contract with the collector. It holds no
 * personal data: no IP, user agent or query string, only a random subject id.
 */
export interface Receipt {
  version: 1;
  /** Random UUID; the collector deduplicates by it. */
  receiptId: string;
  /** Random UUID from the consent cookie: the only link between a visitor's receipts. */
  subjectId: string;
  /** ISO 8601 time of the decision. */
  timestamp: string;
  policyVersion: string;
  method: Method;
  categories: Record<string, boolean>;
  /** The UI language the visitor saw. */
  language: string;
  /** Origin and path of the page: never the query string or fragment. */
  page: string;
  sdkVersion: string;
  /** The subject's receipt before this one; `null` for the first. */
  previousReceiptId: string | null;
}

export interface ReceiptContext {
  receiptId: string;
  language: string;
  page: string;
  previousReceiptId: string | null;
}

/** The schema's limit: a longer path is cut rather than have the whole receipt refused. */
const MAX_PAGE = 2048;

/** Origin and path only: a query string or fragment may hold personal data (emails, tokens). */
export const pageOf = (location: LocationLike | undefined): string =>
  location ? `${location.origin}${location.pathname}`.slice(0, MAX_PAGE) : '';

export const buildReceipt = (decision: Decision, context: ReceiptContext): Receipt => ({
  version: 1,
  receiptId: context.receiptId,
  subjectId: decision.subjectId,
  timestamp: decision.timestamp,
  policyVersion: decision.policyVersion,
  method: decision.method,
  categories: { ...decision.categories },
  language: context.language,
  page: context.page,
  // A build that forgot to define it still sends receipts rather than throw.
  sdkVersion: typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : 'unknown',
  previousReceiptId: context.previousReceiptId,
});
