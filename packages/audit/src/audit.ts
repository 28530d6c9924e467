/**
 * The audit of a site: the pages to visit (the URLs given, a sitemap's, or a breadth-first crawl of
 * same-origin links), one page at a time, then the rules over what the visits recorded.
 */
import { readFileSync } from 'node:fs';
import { type BrowserOptions, launchBrowser } from './browser.js';
import { pageFindings, unusedPatterns } from './findings.js';
import { type PageReport, REPORT_FORMAT, REPORT_VERSION, type Report } from './report.js';
import { auditPage, type PageOptions } from './visit.js';

export interface AuditOptions extends BrowserOptions, PageOptions {
  /** Pages to audit; with `crawl`, the start page(s). */
  urls: string[];
  /** Follow same-origin links breadth first, up to this many pages in all. @default 0 (no crawl) */
  crawl?: number;
  /** Audit the pages a sitemap lists (those on the sitemap's own origin). */
  sitemap?: string;
  /** Never more pages than this, whatever the sources give. @default 50 */
  maxPages?: number;
  /** Warnings fail the audit too (exit code 1). @default false */
  strict?: boolean;
  /** Called after each page, for a progress line. */
  onPage?: (page: PageReport, index: number, total: number) => void;
}

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** A page's address as the audit keys it: no fragment. */
const normalise = (url: string) => {
  const u = new URL(url);
  u.hash = '';
  return u.href;
};

/** `<loc>` entries of a sitemap (or of the sitemaps a sitemap index lists), on the sitemap's origin only. */
export async function readSitemap(url: string, depth = 0): Promise<string[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`sitemap ${url}: HTTP ${response.status}`);
  const xml = await response.text();
  const origin = new URL(url).origin;
  const locs = [...xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'"),
  );
  const own = locs.filter((loc) => URL.canParse(loc) && new URL(loc).origin === origin);
  if (/<sitemapindex[\s>]/.test(xml) && depth === 0) {
    const nested = await Promise.all(own.map((child) => readSitemap(child, 1)));
    return nested.flat();
  }
  return own;
}

export async function audit(options: AuditOptions): Promise<Report> {
  const started = Date.now();
  const maxPages = Math.max(1, options.maxPages ?? 50);
  const crawl = options.crawl ?? 0;
  const limit = Math.min(maxPages, crawl > 0 ? crawl : Number.POSITIVE_INFINITY);
  const queue = options.urls.map(normalise);
  if (options.sitemap) queue.push(...(await readSitemap(options.sitemap)).map(normalise));
  const planned = new Set(queue);
  const origins = new Set(queue.map((u) => new URL(u).origin));
  const pages: PageReport[] = [];
  const browser = await launchBrowser(options);
  try {
    // One page at a time: polite to the site, and the timings stay meaningful.
    while (queue.length > 0 && pages.length < limit) {
      const url = queue.shift() as string;
      const { report, links } = await auditPage(browser, url, options);
      pages.push(report);
      if (crawl > 0) {
        for (const link of links) {
          if (!/^https?:/.test(link)) continue;
          const next = normalise(link);
          if (planned.has(next) || !origins.has(new URL(next).origin)) continue;
          planned.add(next);
          queue.push(next);
        }
      }
      options.onPage?.(report, pages.length, Math.min(limit, pages.length + queue.length));
    }
  } finally {
    await browser.close();
  }
  const findings = [...pages.flatMap(pageFindings), ...unusedPatterns(pages.filter((p) => !p.error))];
  const violations = findings.filter((f) => f.severity === 'violation').length;
  const warnings = findings.length - violations;
  const failedPages = pages.filter((p) => p.error).length;
  const exitCode = failedPages > 0 ? 2 : violations > 0 || (options.strict && warnings > 0) ? 1 : 0;
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: { name: '@paloma365/consent-audit', version: VERSION },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    summary: { pages: pages.length, failedPages, violations, warnings },
    exitCode,
    pages,
    findings,
  };
}
