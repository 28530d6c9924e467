/**
 * Tabs in step, in real Chromium (design 3.4): a decision, a withdrawal or a reset in one tab
 * applies to every open tab of the site within 1 s (the banner closes or comes back, gated
 * scripts run, refused categories' cookies go, `change` fires there too), and exactly one
 * receipt per decision reaches the endpoint, whichever tab delivers it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consentUI, decision, expectRan, gatedInline, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { bodyOf, outbox } from './receipts-helpers.js';

const t = useE2E();

declare global {
  interface Window {
    /** What `PalomaConsent.on('change')` reported on this page, with when (`Date.now()`). */
    __changes?: { method: string; at: number }[];
  }
}

const BODY = `<footer><a href="/cookies" data-consent-open>Cookie settings</a></footer>
${gatedInline('analytics-script', 'analytics')}`;

/** Opens the shop page in `page` and records its `change` events. */
async function open(page: Page) {
  await page.goto(t.server.url('/shop.html'));
  await page.waitForFunction(() => typeof window.PalomaConsent?.get === 'function');
  await page.evaluate(() => {
    window.__changes = [];
    window.PalomaConsent.on('change', (d) =>
      window.__changes?.push({ method: (d as { method: string }).method, at: Date.now() }),
    );
  });
}

const changes = (page: Page) => page.evaluate(() => window.__changes ?? []);
const reset = (page: Page) => page.evaluate(() => (window.PalomaConsent as unknown as { reset(): void }).reset());
const cookieNames = (page: Page) => page.evaluate(() => document.cookie.split('; ').map((c) => c.split('=')[0]));

/** Two tabs of one visitor (one browser context) on the shop page. */
async function twoTabs() {
  t.server.page('/shop.html', testPage({ body: BODY }));
  const a = t.page;
  const b = await t.context.newPage();
  await open(a);
  await open(b);
  return { a, b };
}

describe('tabs in step', () => {
  it('a decision, a withdrawal and a reset in one tab apply to the other within 1 s, one receipt each', async () => {
    const { a, b } = await twoTabs();
    const uiA = consentUI(a);
    const uiB = consentUI(b);
    await uiB.banner.waitFor();

    // Decide in tab a: tab b's banner closes, its gated script runs, `change` fires there.
    const decidedAt = Date.now();
    await uiA.bannerButton('Accept all').click();
    await uiB.banner.waitFor({ state: 'detached', timeout: 1000 });
    await expectRan(b, ['analytics-script']);
    const [accepted] = await changes(b);
    expect(accepted?.method).toBe('accept_all');
    expect(accepted!.at - decidedAt).toBeLessThan(1000);
    expect(await decision(b)).toEqual(await decision(a));

    // Withdraw in tab b: tab a follows, and the analytics cookie is gone.
    await t.context.addCookies([{ name: '_ga', value: 'GA1.1.1.1', url: t.server.origin }]);
    expect(await cookieNames(a)).toContain('_ga');
    await uiB.footerLink.click();
    await uiB.switch('Analytics').uncheck();
    const withdrawnAt = Date.now();
    await uiB.dialogButton('Save preferences').click();
    await expect
      .poll(() => changes(a).then((c) => c.map((e) => e.method)), { timeout: 1000 })
      .toEqual(['accept_all', 'withdraw']);
    expect((await changes(a))[1]!.at - withdrawnAt).toBeLessThan(1000);
    expect(await a.evaluate(() => window.PalomaConsent.has('analytics'))).toBe(false);
    expect(await cookieNames(a)).not.toContain('_ga');

    // Reset in tab a: tab b shows the banner again; the optional categories' cookies go.
    await t.context.addCookies([{ name: '_ga', value: 'GA1.1.1.2', url: t.server.origin }]);
    await reset(a);
    await uiB.banner.waitFor({ timeout: 1000 });
    expect(await decision(b)).toBeNull();
    expect(await cookieNames(b)).not.toContain('_ga');

    // One receipt per decision, chained, whichever tab sent it; none left waiting.
    const received = await t.server.receipts.wait(2);
    await b.waitForTimeout(1500); // past any page-load flush or retry: nothing more arrives
    expect(t.server.receipts.received).toHaveLength(2);
    const [first, second] = received.map(bodyOf);
    expect([first?.method, second?.method]).toEqual(['accept_all', 'withdraw']);
    expect(second).toMatchObject({ subjectId: first?.subjectId, previousReceiptId: first?.receiptId });
    expect(await outbox(a)).toEqual([]);
  });

  it('a decided tab with nothing shown follows too: a reset elsewhere brings its banner, a decision closes it', async () => {
    t.server.page('/shop.html', testPage({ body: BODY }));
    const a = t.page;
    await open(a);
    await consentUI(a).bannerButton('Reject all').click();
    const b = await t.context.newPage();
    await open(b); // a returning visitor's page: decided, no banner
    await b.waitForTimeout(300);
    expect(await consentUI(b).banner.count()).toBe(0);
    expect(await decision(b)).toMatchObject({ method: 'reject_all' });

    await reset(a);
    await consentUI(b).banner.waitFor({ timeout: 1000 });
    await a.evaluate(() => window.PalomaConsent.acceptAll());
    await consentUI(b).banner.waitFor({ state: 'detached', timeout: 1000 });
    await expectRan(b, ['analytics-script']);
    expect((await changes(b)).map((c) => c.method)).toEqual(['accept_all']);

    await t.server.receipts.wait(2);
    await b.waitForTimeout(1500);
    expect(t.server.receipts.received.map((r) => bodyOf(r).method)).toEqual(['reject_all', 'accept_all']);
  });
});
