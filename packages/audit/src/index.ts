export type { AuditOptions } from './audit.js';
export { audit, readSitemap } from './audit.js';
export type { BrowserOptions } from './browser.js';
export { CHROMIUM_ARGS, DEFAULT_CHROMIUM, launchBrowser } from './browser.js';
export type { Verdict } from './findings.js';
export { classify, OUTBOX_KEY, pageFindings, unusedPatterns } from './findings.js';
export { escapeHtml, htmlReport } from './html-report.js';
export type { KnownCookie } from './known-cookies.js';
export { KNOWN_COOKIES, knownCookie } from './known-cookies.js';
export { LABELS, labelsFor } from './labels.js';
export type {
  BannerCheck,
  Box,
  CategoryRecord,
  CookieRecord,
  Finding,
  PageConfig,
  PageReport,
  Report,
  RequestRecord,
  Severity,
  SwitchRecord,
  Visit,
  VisitKind,
} from './report.js';
export { REPORT_FORMAT, REPORT_VERSION } from './report.js';
export { textReport } from './text-report.js';
export type { PageOptions } from './visit.js';
export { auditPage } from './visit.js';
