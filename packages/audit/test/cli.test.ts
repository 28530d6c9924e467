/**
 * The audit's command line, run as a user runs it (the built `dist/cli.js`, real Chromium), against the
 * repository's own example site and fixture pages served on 127.0.0.1. Third parties are a second host
 * name mapped to 127.0.0.1 by Chromium's host resolver: no request leaves the machine.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../../test/e2e/browser.js';
import { startServer, type TestServer } from '../../../test/e2e/server.js';
import type { Report } from '../src/report.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(PACKAGE, 'dist/cli.js');
const FIXTURES = join(PACKAGE, 'test/fixtures');
const TRACKER = 'tracker.test';
/** The audited site's own sibling hosts, for first-party cookies across subdomains. */
const SHOP = 'shop.test';
const HOST_RULES = `MAP *.${TRACKER} 127.0.0.1, MAP *.${SHOP} 127.0.0.1`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: Report;
  json: string;
  html: string;
}

let server: TestServer;
let browser: Browser;
let tmp: string;
let runs = 0;

/** Runs the bin with `args`, writing both report files; resolves with what it printed and wrote. */
function audit(...args: string[]): Promise<Run> {
  const n = ++runs;
  const json = join(tmp, `report-${n}.json`);
  const html = join(tmp, `report-${n}.html`);
  const argv = [CLI, '--host-resolver-rules', HOST_RULES, '--json', json, '--html', html, ...args];
  return new Promise((done) => {
    execFile(process.execPath, argv, { timeout: 230_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : (undefined as never);
      done({ code, stdout, stderr, report, json, html });
    });
  });
}

const fixture = (name: string) => server.url(`/fixtures/${name}`);
const returning = () => server.url('/fixtures/returning.html', `www.${SHOP}`);
const findings = (run: Run, page: string) => run.report.findings.filter((f) => f.page === page);

const ajv = new ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true });
ajvFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(PACKAGE, 'report.schema.json'), 'utf8')));
const expectValid = (report: unknown) => {
  const ok = validate(report);
  expect(validate.errors ?? [], 'report.schema.json').toEqual([]);
  expect(ok).toBe(true);
};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  tmp = mkdtempSync(join(tmpdir(), 'paloma-audit-'));
  server = await startServer();
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.html'))) {
    const body = readFileSync(join(FIXTURES, file), 'utf8').replaceAll('{{PORT}}', String(server.port));
    server.page(`/fixtures/${file}`, body);
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('paloma-consent-audit on the example site', () => {
  let run: Run;
  beforeAll(async () => {
    run = await audit('--crawl', '3', server.url('/'));
  });

  it('crawls same-origin links breadth first, at most N pages, and finds them clean (exit 0)', () => {
    expect(run.stderr).not.toMatch(/FAILED/);
    expect(run.report.pages.map((p) => new URL(p.url).pathname)).toEqual(['/', '/ru.html', '/kk.html']);
    expect(run.report.findings).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('clicks the real buttons in the page’s language and records what each visit stored', () => {
    const ru = run.report.pages[1];
    expect(ru?.language).toBe('ru');
    expect(ru?.banner).toMatchObject({
      acceptLabel: 'Принять все',
      rejectLabel: 'Отклонить все',
      preferencesOpened: true,
    });
    const [before, reject, accept] = ru?.visits ?? [];
    expect(before?.cookies).toEqual([]);
    expect(reject).toMatchObject({ decidedBy: 'button' });
    expect(reject?.cookies.map((c) => c.name)).toEqual(['paloma_consent']);
    expect(accept?.cookies.map((c) => c.name).sort()).toEqual(
      ['_ga', '_ga_P365DEMO', '_ym_d', '_ym_uid', 'chat_visitor', 'paloma_consent'].sort(),
    );
    expect(accept?.cookies.every((c) => c.firstParty)).toBe(true);
  });

  it('prints a progress line per page and a summary', () => {
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^\[1\/3\] http:\/\/127\.0\.0\.1:\d+\/ — clean \(\d+\.\d s\)$/),
      expect.stringMatching(/^\[2\/3\] .*\/ru\.html — clean/),
      expect.stringMatching(/^\[3\/3\] .*\/kk\.html — clean/),
    ]);
    expect(run.stdout).toContain('after Accept all  cookies: paloma_consent, _ga');
    expect(run.stdout).toMatch(/3 pages audited in \d+\.\d s: 0 violations, 0 warnings, 0 pages failed \(exit 0\)/);
  });

  it('writes JSON that its schema accepts', () => {
    expect(run.report).toMatchObject({ format: 'paloma-consent-audit', version: 1, exitCode: 0 });
    expectValid(run.report);
  });
});

describe('paloma-consent-audit on broken pages', () => {
  let run: Run;
  beforeAll(async () => {
    run = await audit(
      fixture('ungated.html'),
      fixture('uncovered.html'),
      fixture('no-reject.html'),
      fixture('nudge.html'),
      returning(),
    );
  });

  it('fails with exit code 1', () => {
    expect(run.report.summary.failedPages).toBe(0);
    expect(run.code).toBe(1);
  });

  it('reports an ungated analytics tag’s cookie and a third-party pixel before consent as violations', () => {
    const found = findings(run, fixture('ungated.html')).filter((f) => f.visit === 'before');
    expect(found.map((f) => [f.severity, f.code, f.evidence.cookie ?? f.evidence.host])).toEqual(
      expect.arrayContaining([
        ['violation', 'cookie-before-consent', '_ga'],
        ['violation', 'cookie-before-consent', '_ga_P365DEMO'],
        ['violation', 'request-before-consent', `pixel.${TRACKER}`],
      ]),
    );
    const pixel = found.find((f) => f.code === 'request-before-consent');
    expect(pixel?.evidence.urls).toEqual([`http://pixel.${TRACKER}:${server.port}/collect.gif`]);
    // Reject all does not undo what ran before the decision: still there after it.
    expect(findings(run, fixture('ungated.html')).some((f) => f.code === 'cookie-after-reject')).toBe(true);
  });

  it('reports a cookie the category does not list, with its probable category, and a pattern nothing set', () => {
    const found = findings(run, fixture('uncovered.html')).filter((f) => f.code !== 'unused-pattern');
    expect(found.map((f) => [f.code, f.evidence.cookie ?? f.evidence.pattern])).toEqual([
      ['uncovered-cookie', '_ym_isad'],
    ]);
    expect(found[0]).toMatchObject({
      severity: 'warning',
      visit: 'accept',
      evidence: { probableCategory: 'analytics', vendor: 'Yandex Metrica' },
    });
    const unused = run.report.findings.filter((f) => f.code === 'unused-pattern');
    expect(unused.map((f) => [f.evidence.category, f.evidence.pattern])).toEqual([['analytics', '_gid']]);
  });

  it('reports a banner without Reject all on its first layer, and still audits Reject all through the API', () => {
    const found = findings(run, fixture('no-reject.html'));
    expect(found.map((f) => f.code)).toEqual(['reject-not-on-first-layer']);
    const page = run.report.pages.find((p) => p.url === fixture('no-reject.html'));
    expect(page?.visits.map((v) => v.decidedBy)).toEqual([null, 'api', 'button']);
    expect(page?.visits[1]?.cookies.map((c) => c.name)).toEqual(['paloma_consent']);
  });

  it('reports a Reject all smaller than Accept all and an optional switch ticked in advance', () => {
    const found = findings(run, fixture('nudge.html'));
    expect(found.map((f) => f.code).sort()).toEqual(['preticked-switch', 'preticked-switch', 'unequal-buttons']);
    expect(found.filter((f) => f.code === 'preticked-switch').map((f) => f.evidence.label)).toEqual([
      'Analytics',
      'Functional',
    ]);
  });

  it('audits the page view after each decision too, and tells first-party sibling hosts from third parties', () => {
    const found = findings(run, returning());
    expect(found.map((f) => [f.severity, f.code, f.evidence.cookie]).sort()).toEqual([
      ['violation', 'cookie-after-reject', '_fbp'],
      ['warning', 'uncovered-cookie', '_fbp'],
      ['warning', 'uncovered-cookie', 'visitor'],
    ]);
    const before = run.report.pages.find((p) => p.url === returning())?.visits[0];
    expect(before?.cookies).toEqual([
      expect.objectContaining({ name: 'visitor', domain: `.${SHOP}`, firstParty: true }),
    ]);
    expect(before?.requests).toEqual([
      expect.objectContaining({
        host: `cdn.${SHOP}`,
        url: `http://cdn.${SHOP}:${server.port}/logo.svg`,
        cookieSent: true,
        sameSite: true,
      }),
    ]);
  });

  it('writes JSON that its schema accepts, and the schema rejects a report that breaks it', () => {
    expectValid(run.report);
    const broken = structuredClone(run.report) as unknown as { findings: Array<Record<string, unknown>> };
    if (broken.findings[0]) broken.findings[0].severity = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('writes an HTML report that renders every finding in Chromium, page text as text', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(run.html).href);
      const rows = page.locator('tr.finding');
      await expect.poll(() => rows.count()).toBe(run.report.findings.length);
      const text = (await page.locator('body').textContent()) ?? '';
      for (const f of run.report.findings) expect(text).toContain(f.message);
      expect(await page.locator('tr.finding.violation').count()).toBe(run.report.summary.violations);
      // The uncovered fixture's <title> holds markup: the report shows it and runs none of it.
      expect(text).toContain('<img src=x onerror="window.__xss = 1"><b>bold</b> & "quoted"');
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator('img, script').count()).toBe(0);
      expect(await page.locator('b', { hasText: 'bold' }).count()).toBe(0);
    } finally {
      await page.close();
    }
  });
});

describe('paloma-consent-audit --config', () => {
  it('reads the configuration from a file for a page that calls init() itself; --strict fails on warnings', async () => {
    const page = fixture('init-call.html');
    const withFile = await audit('--config', join(FIXTURES, 'init-call.config.json'), page);
    expect(withFile.report.pages[0]?.config).toMatchObject({ source: 'file', problems: [] });
    expect(withFile.report.findings).toEqual([]);
    expect(withFile.code).toBe(0);

    const without = await audit('--strict', page);
    expect(without.report.pages[0]?.config?.source).toBe('none');
    expect(without.report.findings.map((f) => f.code)).toEqual(['config-not-found']);
    expect(without.code).toBe(1);
  });

  it('exits 2 on a configuration file that is not JSON', async () => {
    const run = await audit('--config', join(FIXTURES, 'init-call.html'), fixture('init-call.html'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--config .*init-call\.html: the configuration file is not JSON/);
  });
});

/** A port nothing listens on: bound once, then released. */
const closedPort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

describe('paloma-consent-audit when it cannot audit', () => {
  it('exits 2 for an unreachable page and a page without a banner; sitemap and crawl stay on their origin', async () => {
    const sitemap = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>${fixture('no-banner.html')}</loc></url>
  <url><loc>${fixture('no-banner.html').replace('127.0.0.1', `www.${TRACKER}`)}</loc></url>
</urlset>`;
    server.page('/sitemap.xml', sitemap);
    const dead = `http://127.0.0.1:${await closedPort()}/`;
    const run = await audit('--banner-timeout', '1', '--crawl', '5', '--sitemap', server.url('/sitemap.xml'), dead);
    expect(run.code).toBe(2);
    expect(run.report.pages.map((p) => [p.url, p.error?.split(':')[0]])).toEqual([
      [dead, 'unreachable'],
      [fixture('no-banner.html'), 'no banner found'],
    ]);
    expect(run.stderr).toMatch(/\[2\/2\] .*no-banner\.html — FAILED: no banner found/);
    expectValid(run.report);
  });

  it('exits 2 for a page over its time-out, and moves on', async () => {
    server.page('/slow.html', '<title>slow</title>');
    server.delay('/slow.html', 30_000);
    const slow = server.url('/slow.html');
    const started = Date.now();
    const run = await audit('--timeout', '2', slow);
    expect(run.code).toBe(2);
    expect(run.report.pages.map((p) => [p.url, p.error])).toEqual([[slow, 'timed out after 2 s']]);
    // It gave up on the page long before the page would have answered.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('exits 2 with the usage on bad arguments, before starting a browser', async () => {
    const run = await audit('--crawl', 'many', server.url('/'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--crawl must be a number, got "many"');
    expect(run.stderr).toContain('Usage:');
    expect(existsSync(run.json)).toBe(false);
  });
});
