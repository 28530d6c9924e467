/**
 * The operator console at `/admin/` in real Chromium, against a real collector (SQLite in a temp dir)
 * seeded with real version 1 and 2 receipts. Every test also checks the page broke no CSP rule and
 * logged no error it did not expect.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen, type RunningCollector } from '../../packages/collector/src/index.js';
import { noticeId } from '../../packages/collector/src/notice.js';
import type { Notice } from '../../packages/core/src/index.js';
import { useE2E } from './harness.js';

const t = useE2E();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TOKEN = 'console-e2e-token-7f3a';
const dir = mkdtempSync(join(tmpdir(), 'paloma-e2e-console-'));
let collector: RunningCollector;
/** The collector's clock: each seeded receipt arrives on the day it is set to. */
let clock = new Date('2026-11-20T10:00:00.000Z');

/** A notice as the UI builds it, with its id computed the way the collector checks it. */
function notice(language: string, banner: string): Notice {
  // Each banner text is another wording, so another notice id.
  const body: Omit<Notice, 'id'> = {
    language,
    policyVersion: '2024-01-01',
    privacyPolicyUrl: 'https://paloma365.com/privacy',
    operator: { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' },
    texts: { bannerTitle: banner, bannerBody: 'We use cookies to measure visits.', acceptAll: 'Accept all' },
    categories: [
      {
        id: 'necessary',
        title: 'Strictly necessary',
        description: 'Keeps the site working.',
        required: true,
        cookies: ['paloma_consent'],
      },
      {
        id: 'analytics',
        title: 'Analytics',
        description: 'Counts visits anonymously.',
        required: false,
        cookies: ['_ga', '_ym_*'],
      },
      { id: 'functional', title: 'Functional', description: 'Embedded videos and maps.', required: false, cookies: [] },
    ],
  };
  return { ...body, id: noticeId(body as Notice) };
}

const NOTICE_EN = notice('en', 'Cookies on Paloma365');
const NOTICE_RU = notice('ru', 'Файлы cookie на Paloma365');

type Method = 'accept_all' | 'reject_all' | 'custom' | 'withdraw' | 'gpc';

/** Posts one real receipt (server to server, as an SDK's would arrive) on the day `at`. */
async function seed(
  at: string,
  subjectId: string,
  method: Method,
  options: { v1?: boolean; analytics?: boolean; functional?: boolean; notice?: Notice | null; language?: string } = {},
) {
  clock = new Date(at);
  const receiptId = randomUUID();
  const all = method === 'accept_all';
  const common = {
    receiptId,
    subjectId,
    timestamp: at,
    policyVersion: '2024-01-01',
    method,
    categories: { necessary: true, analytics: options.analytics ?? all, functional: options.functional ?? all },
    language: options.language ?? 'en',
    page: 'https://paloma365.com/pricing',
    sdkVersion: '1.0.0',
    previousReceiptId: null,
  };
  const receipt = options.v1
    ? { version: 1, ...common }
    : {
        version: 2,
        ...common,
        expiresAt: new Date(Date.parse(at) + 182 * 86_400_000).toISOString(),
        notice: options.notice ?? null,
      };
  const response = await fetch(`${collector.url}/receipts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(receipt),
  });
  if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  return receiptId;
}

const ALICE = randomUUID();
const BOB = randomUUID();
const DAVE = randomUUID();
const receipts: Record<string, string> = {};

beforeAll(async () => {
  collector = await listen({
    port: 0,
    host: '127.0.0.1',
    db: join(dir, 'receipts.sqlite'),
    adminToken: TOKEN,
    rateLimit: false,
    now: () => clock,
  });
  receipts.aliceFirst = await seed('2026-11-18T09:15:00.000Z', ALICE, 'accept_all', { v1: true });
  receipts.aliceCustom = await seed('2026-11-19T12:00:00.000Z', ALICE, 'custom', {
    analytics: true,
    functional: false,
    notice: NOTICE_EN,
  });
  receipts.aliceWithdraw = await seed('2026-11-20T08:30:00.000Z', ALICE, 'withdraw', {
    analytics: false,
    functional: false,
    notice: NOTICE_EN,
  });
  receipts.bob = await seed('2026-11-19T16:45:00.000Z', BOB, 'reject_all', { notice: NOTICE_RU, language: 'ru' });
  // 01:30 on 20 November in Almaty, still the 19th in UTC.
  await seed('2026-11-19T20:30:00.000Z', DAVE, 'gpc', { analytics: false, functional: false });
});

afterAll(async () => {
  await collector?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What each test may see in the console besides nothing: failed fetches it provoked on purpose. */
let expectedErrors: RegExp | undefined;
const requested: string[] = [];

beforeEach(async () => {
  expectedErrors = undefined;
  requested.length = 0;
  t.page.on('request', (request) => requested.push(request.url()));
  await t.context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});

afterEach(async () => {
  const violations = await t.page
    .evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? [])
    .catch(() => []);
  expect(violations, 'CSP violations').toEqual([]);
  // Preact writes a `style` prop through the CSSOM, which CSP allows: the rule is no style attribute at all.
  const styled = await t.page
    .evaluate(() => [...document.querySelectorAll('[style]')].map((e) => e.outerHTML))
    .catch(() => []);
  expect(styled, 'elements with a style attribute').toEqual([]);
  const errors = t.messages('error').filter((m) => !expectedErrors?.test(m));
  expect(errors, 'console errors').toEqual([]);
  expect(t.messages('warning', /Content Security Policy|Refused/), 'CSP warnings').toEqual([]);
  for (const url of requested) expect(url, 'no URL carries the token').not.toContain(TOKEN);
});

const open = (page: Page = t.page, url = `${collector.url}/admin/`) => page.goto(url);

async function signIn(page: Page = t.page, url?: string) {
  await open(page, url);
  await page.getByLabel('Admin token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation').waitFor();
}

async function axe(page: Page = t.page): Promise<string[]> {
  // Injected through the DevTools protocol, so the page's own CSP does not apply to it.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const { violations } = await run.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

async function search(id: string) {
  await t.page.getByRole('link', { name: 'Search' }).click();
  await t.page.getByLabel('Consent id or receipt id').fill(id);
  await t.page.getByRole('button', { name: 'Find' }).click();
}

const timelineRows = () => t.page.locator('table.timeline tbody tr');

describe('signing in', () => {
  it('refuses a wrong token with a clear message, then lets the right one in', async () => {
    expectedErrors = /status of 401/;
    await open();
    expect(await axe(), 'sign-in page').toEqual([]);
    expect(await t.page.getByLabel('Admin token').getAttribute('type')).toBe('password');
    await t.page.getByLabel('Admin token').fill('not-the-token');
    await t.page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => t.page.getByRole('alert').textContent())
      .toBe('The collector refused this token. Check it and try again.');
    expect(await t.page.getByRole('navigation').count()).toBe(0);

    await t.page.getByLabel('Admin token').fill(TOKEN);
    await t.page.getByRole('button', { name: 'Sign in' }).click();
    await t.page.getByRole('heading', { name: 'Find a visitor’s consent' }).waitFor();
  });

  it('keeps the token in this tab’s sessionStorage only: never the URL, a cookie or localStorage', async () => {
    await signIn();
    expect(t.page.url()).not.toContain(TOKEN);
    expect(await t.page.evaluate(() => document.cookie)).toBe('');
    expect((await t.context.cookies()).length).toBe(0);
    const storage = await t.page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: Object.values(localStorage),
    }));
    expect(storage.session).toContain(TOKEN);
    expect(storage.local.join()).not.toContain(TOKEN);

    // Reloading the tab keeps the session; a new tab of the same browser does not have it.
    await t.page.reload();
    await t.page.getByRole('navigation').waitFor();
    const other = await t.context.newPage();
    await open(other);
    await other.getByLabel('Admin token').waitFor();
    await other.close();

    await t.page.getByRole('button', { name: 'Sign out' }).click();
    await t.page.getByLabel('Admin token').waitFor();
    expect(await t.page.evaluate(() => Object.values(sessionStorage).join())).not.toContain(TOKEN);
  });

  it('returns to sign-in with a message when the collector stops accepting the token', async () => {
    expectedErrors = /status of 401/;
    await signIn();
    await t.page.evaluate(() => sessionStorage.setItem('paloma-console-token', 'revoked'));
    await t.page.reload();
    await search(ALICE);
    await expect
      .poll(() => t.page.getByRole('alert').textContent())
      .toBe('The collector no longer accepts your token. Sign in again.');
    await t.page.getByLabel('Admin token').waitFor();
  });

  it('says to wait when the collector rate-limits', async () => {
    expectedErrors = /status of (401|429)/;
    const limited = await listen({
      port: 0,
      host: '127.0.0.1',
      db: join(dir, 'limited.sqlite'),
      adminToken: TOKEN,
      rateLimit: { max: 1, windowMs: 60_000 },
    });
    try {
      await t.page.goto(`${limited.url}/admin/`);
      await t.page.getByLabel('Admin token').fill('guess-1');
      await t.page.getByRole('button', { name: 'Sign in' }).click();
      await t.page.getByRole('alert').waitFor();
      await t.page.getByLabel('Admin token').fill('guess-2');
      await t.page.getByRole('button', { name: 'Sign in' }).click();
      await expect
        .poll(() => t.page.getByRole('alert').textContent())
        .toMatch(/^Too many requests\. Wait \d+ s and try again\.$/);
    } finally {
      await limited.close();
    }
  });
});

describe('search and a subject’s timeline', () => {
  it('finds a visitor by consent id and lists each receipt oldest first, with its notice one click away', async () => {
    await signIn();
    await search(ALICE);
    await t.page.getByRole('heading', { name: `Consent id ${ALICE}` }).waitFor();
    await expect.poll(() => timelineRows().count()).toBe(3);
    const rows = await timelineRows().evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())),
    );
    expect(rows.map((r) => r[1])).toEqual(['Accept all', 'Custom', 'Withdrawn']);
    expect(rows[0]![0]).toContain('Nov 18, 2026');
    expect(rows[0]![0]).toContain(receipts.aliceFirst);
    expect(rows[1]![2]).toMatch(/analytics\s+allowed[\s\S]*functional\s+refused/);
    expect(rows.map((r) => r[3])).toEqual(Array(3).fill('https://paloma365.com/pricing'));
    expect(rows.map((r) => r[4])).toEqual(['en', 'en', 'en']);
    expect(rows[0]![5]).toBe('—');
    expect(rows[1]![5]).toBe('May 20, 2027');
    expect(rows[0]![6]).toBe('not recorded');
    await expect.poll(() => t.page.locator('.status').textContent()).toBe('Hash chain intact · receipts checked: 3');
    expect(await axe(), 'subject page').toEqual([]);

    await timelineRows()
      .nth(1)
      .getByRole('link', { name: /View notice/ })
      .click();
    await t.page.getByRole('heading', { name: 'Notice', exact: true }).waitFor();
    const text = await t.page.locator('main').innerText();
    expect(text).toContain(NOTICE_EN.id);
    expect(text).toContain('Cookies on Paloma365');
    expect(text).toContain('Counts visits anonymously.');
    expect(text).toContain('_ga, _ym_*');
    expect(text).toContain('https://paloma365.com/privacy');
    expect(text).toContain('LLP "Paloma365" · 160940016674');
    expect(await axe(), 'notice page').toEqual([]);
  });

  it('says when a subject’s hash chain is broken, and how', async () => {
    const erin = randomUUID();
    const first = await seed('2026-11-21T09:00:00.000Z', erin, 'reject_all', { notice: NOTICE_EN });
    await seed('2026-11-21T09:05:00.000Z', erin, 'custom', { analytics: true, notice: NOTICE_EN });
    // Someone with access to the database turns a refusal into a consent, behind the collector's back.
    const db = new Database(join(dir, 'receipts.sqlite'));
    try {
      const changed = db
        .prepare('UPDATE receipts SET body = replace(body, \'"reject_all"\', \'"accept_all"\') WHERE receipt_id = ?')
        .run(first).changes;
      expect(changed).toBe(1);
    } finally {
      db.close();
    }
    await signIn();
    await search(erin);
    const status = t.page.locator('.status-bad');
    await status.waitFor();
    expect(await status.getByRole('listitem').count()).toBeGreaterThan(0);
    expect(await status.innerText()).toMatch(/^Hash chain broken:/);
    expect(await status.innerText()).toContain(first);
    await t.page.getByLabel('Type the consent id to confirm').fill(erin);
    await t.page.getByRole('button', { name: 'Erase all receipts' }).click();
    await t.page.getByText(`Erased consent id ${erin}: receipts deleted: 2.`).waitFor();
  });

  it('finds a visitor by a receipt id, and marks that receipt', async () => {
    await signIn();
    await search(receipts.bob!);
    await t.page.getByRole('heading', { name: `Consent id ${BOB}` }).waitFor();
    await expect.poll(() => timelineRows().count()).toBe(1);
    expect(await t.page.locator('tr.highlight').getAttribute('data-receipt')).toBe(receipts.bob);
    expect(t.page.url()).toContain(`#/subjects/${BOB}`);
  });

  it('refuses what is not an id, and says when nothing is stored for one', async () => {
    await signIn();
    await search('0b7e');
    await expect.poll(() => t.page.getByRole('alert').textContent()).toMatch(/^Enter a consent id or a receipt id/);
    const unknown = randomUUID();
    expectedErrors = /status of 404/;
    await search(unknown);
    await expect.poll(() => t.page.getByRole('alert').textContent()).toBe(`No receipt is stored for ${unknown}.`);
  });

  it('speaks Kazakh and Russian, and starts in the browser’s language', async () => {
    await signIn();
    await t.page.getByLabel('Language').selectOption('kk');
    await t.page.getByRole('heading', { name: 'Келушінің келісімін табу' }).waitFor();
    expect(await t.page.evaluate(() => document.documentElement.lang)).toBe('kk');
    await t.page.getByLabel('Тіл').selectOption('ru');
    await t.page.getByRole('heading', { name: 'Найти согласие посетителя' }).waitFor();
    await t.page.getByRole('link', { name: 'Поиск' }).waitFor();
    expect(await axe(), 'search page in Russian').toEqual([]);

    const page = await t.newContext({ locale: 'kk-KZ' });
    page.on('request', (request) => requested.push(request.url()));
    await open(page);
    await page.getByRole('heading', { name: 'Келісімдер журналына кіру' }).waitFor();
    await page.getByLabel('Әкімші токені').waitFor();
  });
});

describe('notices', () => {
  it('lists each stored wording newest first with its receipt count, and opens its full text', async () => {
    await signIn();
    await t.page.getByRole('link', { name: 'Notices' }).click();
    await t.page.getByRole('heading', { name: 'Notices' }).waitFor();
    const rows = t.page.locator('table.notices tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText.trim())),
    );
    expect(cells.map((c) => c[3])).toEqual(['ru', 'en']);
    expect(cells.map((c) => c[0])).toEqual(['Nov 19, 2026', 'Nov 19, 2026']);
    expect(cells.map((c) => c[5])).toEqual(['1', '2']);
    expect(cells[0]![2]).toBe(`${NOTICE_RU.id.slice(0, 16)}…`);
    expect(await axe(), 'notices page').toEqual([]);

    await rows.nth(0).getByRole('link').click();
    await t.page.getByRole('heading', { name: 'Notice', exact: true }).waitFor();
    await expect.poll(() => t.page.locator('dl.facts').innerText()).toContain('Receipts\n1');
    const text = await t.page.locator('main').innerText();
    expect(text).toContain(NOTICE_RU.id);
    expect(text).toContain('Файлы cookie на Paloma365');
    expect(text).toContain('Strictly necessary');
    expect(text).toContain('always on');
    await t.page.getByRole('button', { name: '← Back' }).click();
    await t.page.getByRole('heading', { name: 'Notices' }).waitFor();
  });
});

describe('notices, page by page', () => {
  it('shows fifty notices, then the older ones on request', async () => {
    const many = await listen({
      port: 0,
      host: '127.0.0.1',
      db: join(dir, 'many.sqlite'),
      adminToken: TOKEN,
      rateLimit: false,
      // Every notice comes from 127.0.0.1: the per-network share (20 a day) would refuse the rest.
      maxNoticesPerNetwork: false,
      now: () => clock,
    });
    try {
      for (let i = 0; i < 53; i++) {
        clock = new Date(Date.UTC(2026, 10, 1, 0, i));
        const wording = notice('en', `Cookies, version ${i}`);
        const response = await fetch(`${many.url}/receipts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            version: 2,
            receiptId: randomUUID(),
            subjectId: randomUUID(),
            timestamp: clock.toISOString(),
            expiresAt: new Date(clock.getTime() + 86_400_000).toISOString(),
            policyVersion: '2024-01-01',
            method: 'reject_all',
            categories: { necessary: true, analytics: false, functional: false },
            language: 'en',
            page: 'https://paloma365.com/',
            sdkVersion: '1.0.0',
            previousReceiptId: null,
            notice: wording,
          }),
        });
        expect(response.status).toBe(201);
      }
      await signIn(t.page, `${many.url}/admin/`);
      await t.page.getByRole('link', { name: 'Notices' }).click();
      const rows = t.page.locator('table.notices tbody tr');
      await expect.poll(() => rows.count()).toBe(50);
      await t.page.getByRole('button', { name: 'Show older' }).click();
      await expect.poll(() => rows.count()).toBe(53);
      expect(await t.page.getByRole('button', { name: 'Show older' }).count()).toBe(0);
      const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector('code')!.textContent));
      expect(new Set(ids).size).toBe(53);
    } finally {
      await many.close();
    }
  });
});

describe('answering a visitor’s request', () => {
  it('exports a subject’s receipts as the portability JSON document', async () => {
    await signIn();
    await search(ALICE);
    await expect.poll(() => timelineRows().count()).toBe(3);
    const download = t.page.waitForEvent('download');
    await t.page.getByRole('button', { name: 'Export JSON' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`consent-${ALICE}.json`);
    const document = JSON.parse(readFileSync((await file.path())!, 'utf8'));
    expect(document.subjectId).toBe(ALICE);
    expect(document.collector).toMatch(/^@paloma365\/consent-collector /);
    expect(document.receipts.map((r: { receiptId: string }) => r.receiptId)).toEqual([
      receipts.aliceFirst,
      receipts.aliceCustom,
      receipts.aliceWithdraw,
    ]);
    expect(document.receipts[1].notice.id).toBe(NOTICE_EN.id);
  });

  it('erases a subject only once its id is typed out, then says what was deleted', async () => {
    const carol = randomUUID();
    await seed('2026-11-21T10:00:00.000Z', carol, 'accept_all', { notice: NOTICE_EN });
    await seed('2026-11-21T11:00:00.000Z', carol, 'reject_all', { notice: NOTICE_EN });
    await signIn();
    await search(carol);
    await expect.poll(() => timelineRows().count()).toBe(2);
    const button = t.page.getByRole('button', { name: 'Erase all receipts' });
    expect(await button.isDisabled()).toBe(true);
    await t.page.getByLabel('Type the consent id to confirm').fill(carol.slice(0, 30));
    expect(await button.isDisabled()).toBe(true);
    await t.page.getByLabel('Type the consent id to confirm').fill(carol);
    await button.click();
    await expect
      .poll(() => t.page.getByRole('status').first().textContent())
      .toBe(`Erased consent id ${carol}: receipts deleted: 2.`);
    expect(await timelineRows().count()).toBe(0);
    expect(await collector.collector.store.bySubject(carol)).toEqual([]);
    expect(await collector.collector.store.bySubject(ALICE)).toHaveLength(3);
  });
});

describe('statistics', () => {
  it('charts decisions per day and opt-in per category and language, in Almaty days, with a table of the numbers', async () => {
    await signIn();
    await t.page.getByRole('link', { name: 'Statistics' }).click();
    await t.page.getByRole('heading', { name: 'Statistics' }).waitFor();
    expect(await t.page.getByLabel('Time zone (UTC offset)').inputValue()).toBe('+05:00');
    await t.page.getByLabel('From').fill('2026-11-18');
    await t.page.getByLabel('To').fill('2026-11-20');
    await t.page.getByRole('button', { name: 'Show' }).click();
    const bars = t.page.locator('svg[data-chart="days"] g[data-day]');
    await expect.poll(() => bars.count()).toBe(3);
    const perDay = await bars.evaluateAll((gs) =>
      gs.map((g) => [g.getAttribute('data-day'), g.getAttribute('data-receipts'), g.querySelectorAll('rect').length]),
    );
    // The gpc receipt arrived at 20:30 UTC on the 19th: the 20th in Almaty.
    expect(perDay).toEqual([
      ['2026-11-18', '1', 1],
      ['2026-11-19', '2', 2],
      ['2026-11-20', '2', 2],
    ]);
    const shares = await t.page
      .locator('svg[data-chart="categories"] g[data-label]')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-label'), g.getAttribute('data-share')]));
    expect(shares).toEqual([
      ['analytics', '0.4'],
      ['functional', '0.2'],
    ]);
    const byLanguage = await t.page
      .locator('svg[data-chart="languages"] g[data-label]')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-label'), g.getAttribute('data-share')]));
    expect(byLanguage).toContainEqual(['analytics · en', '0.5']);
    expect(byLanguage).toContainEqual(['analytics · ru', '0']);
    const table = await t.page.locator('table[data-table="categories"]').innerText();
    expect(table).toContain('40% (2 / 5)');
    expect(table).toContain('50% (2 / 4)');
    await t.page.getByText(/Decisions per day — Total: 5/).click();
    const dayTable = await t.page.locator('table[data-table="days"]').innerText();
    expect(dayTable).toMatch(/2026-11-20\t0\t0\t0\t1\t1\t2/);
    expect(await axe(), 'statistics page').toEqual([]);

    await t.page.getByLabel('Time zone (UTC offset)').fill('Almaty');
    await t.page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => t.page.getByRole('alert').textContent()).toBe('Write the offset as +05:00 or -03:30.');
    await t.page.getByLabel('To').fill('2027-12-31');
    await t.page.getByLabel('Time zone (UTC offset)').fill('+05:00');
    await t.page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => t.page.getByRole('alert').textContent()).toMatch(/^Choose a range of at most 366 days/);
    await t.page.getByLabel('To').fill('2026-11-20');

    // In UTC the gpc receipt is the 19th's.
    await t.page.getByLabel('Time zone (UTC offset)').fill('+00:00');
    await t.page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => t.page.locator('svg[data-chart="days"] g[data-day="2026-11-19"]').getAttribute('data-receipts'))
      .toBe('3');
  });
});

describe('retention', () => {
  it('counts with a dry run that deletes nothing, then purges exactly what it counted', async () => {
    clock = new Date('2026-11-25T00:00:00.000Z');
    await signIn();
    await t.page.getByRole('link', { name: 'Retention' }).click();
    await t.page.getByLabel('Older than (days)').fill('6');
    await t.page.getByRole('button', { name: 'Count receipts' }).click();
    await expect
      .poll(() => t.page.getByRole('status').textContent())
      .toBe('Receipts received before Nov 19, 2026, 12:00:00 AM UTC: 1. Nothing has been deleted yet.');
    expect(await collector.collector.store.bySubject(ALICE)).toHaveLength(3);
    expect(await axe(), 'retention page').toEqual([]);

    await t.page.getByRole('button', { name: 'Delete these receipts (1)' }).click();
    await expect
      .poll(() => t.page.getByRole('status').textContent())
      .toBe('Deleted receipts received before Nov 19, 2026, 12:00:00 AM UTC: 1.');
    const left = await collector.collector.store.bySubject(ALICE);
    expect(left.map((r) => r.receiptId)).toEqual([receipts.aliceCustom, receipts.aliceWithdraw]);
  });
});
