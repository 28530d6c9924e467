#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { audit } from './audit.js';
import { parseConfig, type RawConfig } from './config.js';
import { pageFindings } from './findings.js';
import { htmlReport } from './html-report.js';
import { progressLine, textReport } from './text-report.js';

const USAGE = `Usage:
  paloma-consent-audit [options] URL...
  paloma-consent-audit --crawl 10 https://example.com/
  paloma-consent-audit --sitemap https://example.com/sitemap.xml

Visits each page three times in fresh headless Chromium contexts (before any decision, after
Reject all, after Accept all) and reports what was stored and sent. Exit code: 0 clean,
1 violations, 2 the audit itself failed (page unreachable, no banner found, bad arguments).

  --crawl N                 follow same-origin links breadth first, at most N pages
  --sitemap URL             audit the pages of a sitemap (those on its own origin)
  --max-pages N             never more than N pages (default 50)
  --config page|FILE        the consent configuration: each page's #paloma-consent-config
                            block (default), or a JSON file for pages that call init() themselves
  --json FILE               write the report as JSON (format paloma-consent-audit v1,
                            schema: @paloma365/consent-audit/report.schema.json)
  --html FILE               write a self-contained HTML report
  --allow-host HOST         a host that may receive requests before consent (repeatable)
  --strict                  warnings fail the audit too (exit code 1)
  --timeout SECONDS         per page, its three visits together (default 60)
  --banner-timeout SECONDS  how long the banner may take to appear (default 10)
  --settle MS               quiet network time that ends a load or a click (default 500)
  --chromium PATH           Chromium binary (default /usr/bin/chromium); never downloaded
  --channel chrome          use the installed Google Chrome instead
  --host-resolver-rules R   passed to Chromium, e.g. "MAP *.shop.test 127.0.0.1"`;

class UsageError extends Error {}

function number(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new UsageError(`${what} must be a number, got "${text}"`);
  return Number(text);
}

function httpUrl(text: string, what: string): string {
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol)) {
    throw new UsageError(`${what} must be an http(s) URL, got "${text}"`);
  }
  return text;
}

function readConfigFile(value: string | undefined): RawConfig | undefined {
  if (value === undefined || value === 'page') return undefined;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --config ${value}: ${(error as Error).message}`);
  }
  const parsed = parseConfig(text, 'file');
  if ('error' in parsed) throw new UsageError(`--config ${value}: ${parsed.error}`);
  return parsed;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      crawl: { type: 'string' },
      sitemap: { type: 'string' },
      'max-pages': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      strict: { type: 'boolean' },
      timeout: { type: 'string' },
      'banner-timeout': { type: 'string' },
      settle: { type: 'string' },
      chromium: { type: 'string' },
      channel: { type: 'string' },
      'host-resolver-rules': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const urls = positionals.map((u) => httpUrl(u, 'a page'));
  const sitemap = values.sitemap === undefined ? undefined : httpUrl(values.sitemap, '--sitemap');
  if (urls.length === 0 && !sitemap) throw new UsageError('give at least one URL (or --sitemap URL)');
  if (values.channel !== undefined && values.channel !== 'chrome') {
    throw new UsageError(`--channel takes "chrome", got "${values.channel}"`);
  }
  const report = await audit({
    urls,
    sitemap,
    crawl: number(values.crawl, 0, '--crawl'),
    maxPages: number(values['max-pages'], 50, '--max-pages'),
    config: readConfigFile(values.config),
    allowHosts: values['allow-host'] ?? [],
    strict: values.strict ?? false,
    timeoutMs: number(values.timeout, 60, '--timeout') * 1000,
    bannerTimeoutMs: number(values['banner-timeout'], 10, '--banner-timeout') * 1000,
    settleMs: number(values.settle, 500, '--settle'),
    chromium: values.chromium,
    channel: values.channel === 'chrome' ? 'chrome' : undefined,
    hostResolverRules: values['host-resolver-rules'],
    onPage: (page, index, total) => console.error(progressLine(page, pageFindings(page), index, total)),
  });
  console.log(textReport(report));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.html) writeFileSync(values.html, htmlReport(report));
  return report.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`paloma-consent-audit: ${(error as Error).message}`);
    if (usage) console.error(`\n${USAGE}`);
    process.exitCode = 2;
  },
);
