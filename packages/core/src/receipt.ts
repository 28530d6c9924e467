import type { Decision, Method } from './decision.js';
import type { LocationLike } from './env.js';

/**
 * What the visitor was shown when deciding through the UI, in the language shown. `id` is the
 * lower-case hex SHA-256 of the canonical JSON of the rest (keys sorted at every level, no
 * whitespace, absent fields left out): one wording, one id. The UI computes it when it renders
 * (the engine carries no SHA-256); `receipt.schema.json` defines the shape.
 */
export interface Notice {
  id: string;
  language: string;
  policyVersion: string;
  privacyPolicyUrl?: string;
  operator?: { name?: string; id?: string; url?: string };
  /** Every text of the banner and the dialog, by its `TextKey`. */
  texts: Record<string, string>;
  /** As listed in the dialog, in its order. */
  categories: {
    id: string;
    title: string;
    description: string;
    required: boolean;
    /** A name as configured, or a cookie the dialog declares, as shown (in the shown language). */
    cookies: (string | NoticeCookie)[];
  }[];
}

/** A cookie declaration as the dialog showed it: a purpose or lifetime it did not show is left out. */
export interface NoticeCookie {
  name: string;
  purpose?: string;
  lifetime?: string;
}

/**
 * A consent receipt, version 2: what the endpoint receives (POST, JSON) for every
 * decision. `receipt.schema.json` is its contract with the collector. It holds no
 * personal data: no IP, user agent or query string, only a random subject id.
 */
export interface Receipt {
  version: 2;
  /** Random UUID; the collector deduplicates by it. */
  receiptId: string;
  /** Random UUID from the consent cookie: the only link between a visitor's receipts. */
  subjectId: string;
  /** ISO 8601 time of the decision. */
  timestamp: string;
  /** When the consent lapses: `timestamp` plus the cookie's `maxAgeDays`. */
  expiresAt: string;
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
  /** What the UI showed; `null` for a decision made through the API alone, and for `gpc`. */
  notice: Notice | null;
}

export interface ReceiptContext {
  receiptId: string;
  /** Days until the consent lapses: the cookie's `maxAgeDays`. */
  maxAgeDays: number;
  notice: Notice | null;
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
  version: 2,
  receiptId: context.receiptId,
  subjectId: decision.subjectId,
  timestamp: decision.timestamp,
  expiresAt: new Date(Date.parse(decision.timestamp) + context.maxAgeDays * 864e5).toISOString(),
  policyVersion: decision.policyVersion,
  method: decision.method,
  categories: { ...decision.categories },
  language: context.language,
  page: context.page,
  // A build that forgot to define it still sends receipts rather than throw.
  sdkVersion: typeof __SDK_VERSION__ === 'string' ? __SDK_VERSION__ : 'unknown',
  previousReceiptId: context.previousReceiptId,
  notice: context.notice,
});
