/**
 * The receipts outbox in real Chromium (design 3.8): several tabs deciding at the same moment
 * with a failing endpoint lose no receipt, receipts a version-1 outbox left waiting are still
 * delivered, and where storage cannot keep a receipt it still leaves with keepalive and the page
 * is told it could not be kept.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consentUI, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { bodyOf, distinctIds, OUTBOX_KEY, outbox } from './receipts-helpers.js';
import { RECEIPTS_PATH } from './server.js';

const t = useE2E();

/** Opens the SDK's test page in `page` and waits for its banner. */
async function open(page: Page) {
  await page.goto(t.server.url('/shop.html'));
  await consentUI(page).banner.waitFor();
}

/** The ids of the receipts the endpoint took (answered 2xx). */
const deliveredIds = () => [
  ...new Set(t.server.receipts.received.filter((r) => r.status < 300).map((r) => bodyOf(r).receiptId)),
];

describe('tabs deciding at the same moment', () => {
  it('loses no receipt when two tabs decide at the same moment (0–10 ms apart) and the endpoint fails first', async () => {
    t.server.page('/shop.html', testPage());
    const tabs = [t.page, await t.context.newPage()];
    await Promise.all(tabs.map(open));
    // Both tabs decide at one agreed instant: a timer gets each close, then it spins to the millisecond.
    // On a loaded machine a tab may still come late, so rounds repeat until one is 10 ms apart or less.
    const decideAtOnce = (round: number) => {
      const at = Date.now() + 400;
      return Promise.all(
        tabs.map((page, i) =>
          page.evaluate(
            ([at, accept]) =>
              new Promise<number>((done) =>
                setTimeout(
                  () => {
                    while (Date.now() < at) {}
                    const started = Date.now();
                    if (accept) window.PalomaConsent.acceptAll();
                    else window.PalomaConsent.rejectAll();
                    done(started);
                  },
                  at - Date.now() - 100,
                ),
              ),
            [at, (i + round) % 2 === 0] as const,
          ),
        ),
      );
    };
    const gaps: number[] = [];
    for (let round = 1; round <= 8 && !gaps.some((gap) => gap <= 10); round++) {
      t.server.receipts.respond(503, 503);
      const [a, b] = await decideAtOnce(round);
      gaps.push(Math.abs(a! - b!));
      // Each tab's receipt fails once, then gets through on its retry: none is lost.
      await expect.poll(deliveredIds, { timeout: 10_000 }).toHaveLength(2 * round);
    }
    // One accept_all and one reject_all a round (each tab retries its own, but when the endpoint
    // comes back, the tab whose retry got through sends everything waiting: a duplicate at worst).
    const methods = new Map(t.server.receipts.received.map((r) => [bodyOf(r).receiptId, bodyOf(r).method]));
    expect([...methods.values()].filter((m) => m === 'accept_all')).toHaveLength(gaps.length);
    expect([...methods.values()].filter((m) => m === 'reject_all')).toHaveLength(gaps.length);
    expect(gaps.at(-1), `decision gaps in ms: ${gaps}`).toBeLessThanOrEqual(10);
    expect(t.server.receipts.received.filter((r) => r.status === 503)).toHaveLength(2 * gaps.length);
    for (const page of tabs) await expect.poll(() => outbox(page)).toEqual([]);
  });
});

describe('upgrade from the version-1 outbox', () => {
  it('delivers the receipts waiting in the single-key list and removes it', async () => {
    t.server.page('/blank.html', '<!doctype html><title>No SDK</title>');
    t.server.page('/shop.html', testPage());
    await t.page.goto(t.server.url('/blank.html'));
    const waiting = [1, 2].map((n) => ({
      receipt: {
        version: 1,
        receiptId: `6f1c0000-0000-4000-8000-00000000000${n}`,
        subjectId: '0b7e4c5a-9d1f-4e2b-8a3c-5d6e7f809a1b',
        timestamp: new Date(Date.now() - n * 60_000).toISOString(),
        policyVersion: '2024-01-01',
        method: 'accept_all',
        categories: { necessary: true, analytics: true, functional: true },
        language: 'en',
        page: t.server.url('/shop.html'),
        sdkVersion: '1.0.0',
        previousReceiptId: null,
      },
      attempts: 4,
      nextAttemptAt: Date.now() + 60_000,
      leaseUntil: 0,
    }));
    await t.page.evaluate(([key, list]) => localStorage.setItem(key, JSON.stringify(list)), [
      OUTBOX_KEY,
      waiting,
    ] as const);

    const started = Date.now();
    await t.page.goto(t.server.url('/shop.html'));
    const received = await t.server.receipts.wait(2, 3000);
    expect(Date.now() - started).toBeLessThan(2500); // within 2 s of the page load (and the navigation)
    expect(received.map(bodyOf).sort((a, b) => a.receiptId.localeCompare(b.receiptId))).toEqual(
      waiting.map((e) => e.receipt),
    );
    await expect.poll(() => outbox(t.page)).toEqual([]);
    expect(await t.page.evaluate((key) => localStorage.getItem(key), OUTBOX_KEY)).toBeNull();
  });
});

describe('storage that cannot keep the receipt', () => {
  it('sends the receipt with keepalive through a navigation, and reports it could not be kept', async () => {
    await t.context.addInitScript(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    // Answered only after the navigation: a request cancelled on unload would never be recorded.
    t.server.delay(RECEIPTS_PATH, 300);
    t.server.page('/shop.html', testPage());
    t.server.page('/elsewhere.html', '<!doctype html><title>Elsewhere</title><p>No consent SDK here.</p>');
    await open(t.page);
    await t.page.evaluate(() => {
      window.errors = [];
      window.PalomaConsent.on('error', (e) => window.errors?.push(e as { code: string; message: string }));
    });
    await consentUI(t.page).bannerButton('Accept all').click();
    const errors = await t.page.evaluate(() => window.errors);
    await t.page.goto(t.server.url('/elsewhere.html'));

    const [received] = await t.server.receipts.wait(1, 3000);
    expect(bodyOf(received!).method).toBe('accept_all');
    expect(errors).toEqual([
      {
        code: 'receipt',
        message: expect.stringMatching(/^receipt [0-9a-f-]{36} could not be stored .*keepalive/),
        receipt: bodyOf(received!),
      },
    ]);
    expect(t.messages('error', /could not be stored/)).toHaveLength(1);
  });

  it('reports the receipt it could not keep before a failing endpoint and a navigation lose it', async () => {
    await t.context.addInitScript(() => {
      Storage.prototype.setItem = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    });
    t.server.receipts.respond(...Array<number>(20).fill(503));
    t.server.page('/shop.html', testPage());
    t.server.page('/account.html', testPage());
    await open(t.page);
    await consentUI(t.page).bannerButton('Reject all').click();
    await t.server.receipts.wait(1);
    await t.page.goto(t.server.url('/account.html'));
    const sent = t.server.receipts.received.length; // one, or more if a slow navigation let a retry out
    await t.page.waitForTimeout(2500); // past the next page's flush: nothing was kept to send

    expect(t.server.receipts.received).toHaveLength(sent);
    expect(distinctIds(t.server.receipts.received)).toHaveLength(1);
    expect(t.server.receipts.received.map((r) => [bodyOf(r).method, r.status])).toContainEqual(['reject_all', 503]);
    expect(t.server.receipts.received.every((r) => r.status === 503)).toBe(true);
    const [message] = t.messages('error', /could not be stored/);
    expect(message).toContain(bodyOf(t.server.receipts.received[0]!).receiptId);
    expect(message).toMatch(/lost if not delivered before the page closes/);
  });
});

declare global {
  interface Window {
    errors?: { code: string; message: string }[];
  }
}
