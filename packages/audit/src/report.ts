/**
 * The audit report: what `--json` writes (format `paloma-consent-audit`, version 1, described by
 * report.schema.json) and what the terminal and HTML reports are rendered from. A new field is added
 * without a new version; a field changing meaning or going away gets version 2.
 */
export const REPORT_FORMAT = 'paloma-consent-audit';
export const REPORT_VERSION = 1;

/** The three fresh visits of a page: no decision yet, after Reject all, after Accept all. */
export type VisitKind = 'before' | 'reject' | 'accept';
export const VISIT_KINDS: readonly VisitKind[] = ['before', 'reject', 'accept'];
export const VISIT_NAMES: Record<VisitKind, string> = {
  before: 'before consent',
  reject: 'after Reject all',
  accept: 'after Accept all',
};

export interface CookieRecord {
  name: string;
  domain: string;
  path: string;
  /** ISO time, or null for a session cookie. */
  expires: string | null;
  /** The cookie's domain is the page's site (or a subdomain of it). */
  firstParty: boolean;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string;
}

/** A request to another origin than the page's. */
export interface RequestRecord {
  /** Origin and path; the query string is left out (it often carries identifiers). */
  url: string;
  host: string;
  method: string;
  resourceType: string;
  /** The request carried a `Cookie` header. */
  cookieSent: boolean;
  /** The host is the page's site (a sibling subdomain), not a third party. */
  sameSite: boolean;
}

export interface Visit {
  kind: VisitKind;
  /** When the visit's page was recorded (ISO); cookie lifetimes are measured from it. */
  at: string;
  /** How the decision was made: the banner's button or, when none was found, the SDK's API. */
  decidedBy: 'button' | 'api' | null;
  cookies: CookieRecord[];
  localStorage: string[];
  sessionStorage: string[];
  requests: RequestRecord[];
}

export interface Box {
  width: number;
  height: number;
}

export interface SwitchRecord {
  label: string;
  checked: boolean;
  disabled: boolean;
  /** Found on the banner itself rather than in the preferences dialog. */
  firstLayer: boolean;
}

export interface BannerCheck {
  /** The names the audit looked for, in the page's language first. */
  acceptLabel: string | null;
  rejectLabel: string | null;
  accept: Box | null;
  reject: Box | null;
  /** The preferences dialog could be opened from the banner (its Customize button). */
  preferencesOpened: boolean;
  switches: SwitchRecord[];
}

export interface CategoryRecord {
  id: string;
  required: boolean;
  /** Patterns in force (the configuration's, or the SDK's defaults). */
  cookies: string[];
  /** Patterns the site's configuration itself lists for this category. */
  declared: string[];
}

export interface PageConfig {
  source: 'page' | 'file' | 'none';
  /** Problems the SDK's own validation found; the audit then uses the defaults. */
  problems: string[];
  cookieName: string;
  maxAgeDays: number;
  categories: CategoryRecord[];
  /** Hosts a request may go to before consent: the receipts endpoint's, the UI files', `--allow-host`. */
  allowedHosts: string[];
}

export interface PageReport {
  url: string;
  title: string;
  language: string;
  durationMs: number;
  /** Why the audit of this page failed (exit code 2); the visits recorded before it are kept. */
  error: string | null;
  config: PageConfig | null;
  banner: BannerCheck | null;
  visits: Visit[];
}

export type Severity = 'violation' | 'warning';

export interface Finding {
  /** Stable identifier of the rule, e.g. `cookie-before-consent`. */
  code: string;
  severity: Severity;
  /** The page the finding is about (for site-wide findings, the first page it concerns). */
  page: string;
  visit: VisitKind | null;
  message: string;
  /** Names and values that show it; strings, numbers, booleans and lists of them. */
  evidence: Record<string, string | number | boolean | null | string[]>;
}

export interface Report {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  durationMs: number;
  summary: { pages: number; failedPages: number; violations: number; warnings: number };
  /** 0 clean, 1 violations (or warnings under `--strict`), 2 the audit itself failed. */
  exitCode: 0 | 1 | 2;
  pages: PageReport[];
  findings: Finding[];
}
