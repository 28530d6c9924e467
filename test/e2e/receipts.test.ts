/**
 * Consent receipts in real Chromium, from the built bundle to the harness's endpoint
 * (design 3.8): delivered at least once through navigations, endpoint errors, offline
 * periods and a dead endpoint, without the page's query string, and always as valid JSON
 * keyed by its receipt id.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG, consentUI, decision, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { bodyOf, closedPort, distinctIds, outbox, requestProblems } from './receipts-helpers.js';
import { RECEIPTS_PATH, type Receipt as Received } from './server.js';

const t = useE2E();

/** Every request the endpoint received in this file, kept before the next test's `reset()`. */
const everything: Received[] = [];
afterEach(() => {
  everything.push(...t.server.receipts.received);
});

const COOKIE_LINK = '<footer><a href="/cookies" data-consent-open>Cookie settings</a></footer>';

/** Serves a page that loads the SDK (endpoint: the harness's) at `path`, opens `path + suffix`, returns its UI. */
async function visit(path = '/shop.html', { suffix = '', config = CONFIG as object, body = COOKIE_LINK } = {}) {
  t.server.page(path, testPage({ config, body }));
  await t.page.goto(t.server.url(path) + suffix);
  return consentUI(t.page);
}

/** The attempts of the page's only outbox entry once it waits unleased (-1 before): the last attempt's answer (or failure) was handled. */
const waitingUnleased = async () => {
  const entries = await outbox(t.page);
  return entries.length === 1 && entries[0]!.leaseUntil === 0 ? entries[0]!.attempts : -1;
};

describe('delivery', () => {
  it('delivers the receipt of a click followed at once by a navigation to a page without the SDK (keepalive)', async () => {
    // Answered only after the navigation: a request the page cancelled on unload would never be recorded.
    t.server.delay(RECEIPTS_PATH, 300);
    t.server.page('/elsewhere.html', '<!doctype html><title>Elsewhere</title><p>No consent SDK here.</p>');
    const ui = await visit();
    await ui.bannerButton('Accept all').click();
    await t.page.goto(t.server.url('/elsewhere.html'));

    const [received] = await t.server.receipts.wait(1, 3000);
    expect(bodyOf(received!)).toMatchObject({
      method: 'accept_all',
      categories: { necessary: true, analytics: true, functional: true },
      page: t.server.url('/shop.html'),
    });
    expect(t.server.requests.filter((r) => r === 'GET /consent.min.js')).toHaveLength(1); // no later page sent it
  });

  it('retries after 503s on later page loads until a 201, always with the same receiptId', async () => {
    t.server.receipts.respond(503, 503, 503, 503, 503);
    const ui = await visit();
    await ui.bannerButton('Accept all').click();

    const { received } = t.server.receipts;
    let reloads = 0;
    for (;;) {
      const before = received.length;
      // The page's own retry may have got the 201 through just as it reloaded: then nothing more comes.
      await expect
        .poll(() => received.length > before || received.at(-1)?.status === 201, { timeout: 5000 })
        .toBe(true);
      // Reload only once the page has handled the answer: a page left with a request in flight holds a 15 s lease.
      await expect
        .poll(async () => (await outbox(t.page)).length === 0 || (await waitingUnleased()) > 0, { timeout: 5000 })
        .toBe(true);
      if ((await outbox(t.page)).length === 0) break;
      expect(reloads, 'reloads before delivery').toBeLessThan(5);
      reloads++;
      await t.page.reload(); // the page-load flush sends the oldest waiting receipt regardless of backoff
    }

    expect(received.map((r) => r.status)).toEqual([503, 503, 503, 503, 503, 201]);
    expect(distinctIds(received)).toHaveLength(1);
    expect(bodyOf(received[0]!).method).toBe('accept_all');
    await t.page.reload();
    await t.page.waitForTimeout(1200); // past the page-load flush: nothing is sent again
    expect(received).toHaveLength(6);
  });

  it('keeps the receipt of a decision made offline in localStorage and delivers it on the next page load', async () => {
    const ui = await visit();
    await ui.banner.waitFor();
    await t.context.setOffline(true);
    await ui.bannerButton('Accept all').click();
    await ui.banner.waitFor({ state: 'detached' });

    await expect.poll(waitingUnleased, { timeout: 5000 }).toBeGreaterThan(0); // the send failed
    const [entry] = await outbox(t.page);
    expect(entry!.receipt).toMatchObject({ method: 'accept_all', subjectId: (await decision(t.page))!.subjectId });
    expect(t.server.receipts.received).toEqual([]);

    await t.context.setOffline(false);
    t.server.page('/account.html', testPage());
    await t.page.goto(t.server.url('/account.html'));
    const [received] = await t.server.receipts.wait(1, 3000);
    expect(bodyOf(received!)).toEqual(entry!.receipt);
    expect(received!.status).toBe(201);
    await expect.poll(() => outbox(t.page)).toEqual([]);
  });

  it('never throws into the page when the endpoint refuses connections, and keeps the receipt', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}${RECEIPTS_PATH}`;
    const ui = await visit('/shop.html', { config: { ...CONFIG, endpoint } });
    await ui.bannerButton('Accept all').click();
    await ui.banner.waitFor({ state: 'detached' });
    expect(await decision(t.page)).toMatchObject({ method: 'accept_all' });
    await expect.poll(waitingUnleased, { timeout: 5000 }).toBeGreaterThan(0);

    // The banner still works on this page: the preferences open from the link and save.
    await ui.footerLink.click();
    await ui.switch('Analytics').uncheck();
    await ui.dialogButton('Save preferences').click();
    await ui.dialog.waitFor({ state: 'detached' });
    expect(await decision(t.page)).toMatchObject({ method: 'withdraw', categories: { analytics: false } });

    // And on the next page, whose flush fails too.
    const attempts = (await outbox(t.page)).map((e) => e.attempts);
    await t.page.reload();
    await expect
      .poll(async () => (await outbox(t.page)).map((e, i) => e.attempts > attempts[i]! && e.leaseUntil === 0), {
        timeout: 5000,
      })
      .toEqual([true, true]);
    expect((await outbox(t.page)).map((e) => e.receipt.method)).toEqual(['accept_all', 'withdraw']);
    expect(await decision(t.page)).toMatchObject({ method: 'withdraw' });
    expect(t.pageErrors).toEqual([]);
  });
});

describe('privacy', () => {
  it('sends origin and path only: no query string or fragment in the body or the Referer', async () => {
    const ui = await visit('/shop.html', { suffix: '?utm_source=x&email=a@b.c#frag' });
    await ui.bannerButton('Accept all').click();
    const [received] = await t.server.receipts.wait(1);

    expect(bodyOf(received!).page).toBe(`${t.server.origin}/shop.html`);
    const text = JSON.stringify(received!.body);
    for (const secret of ['utm_source', 'email', 'a@b.c', 'frag', '?', '#']) expect(text).not.toContain(secret);
    const referer = received!.headers.referer ?? '';
    expect(referer).not.toMatch(/[?#]|utm_source|email|frag/);
  });
});

describe('methods', () => {
  it('"Reject all" records reject_all', async () => {
    const ui = await visit();
    await ui.bannerButton('Reject all').click();
    const [received] = await t.server.receipts.wait(1);
    expect(bodyOf(received!)).toMatchObject({
      method: 'reject_all',
      categories: { necessary: true, analytics: false, functional: false },
      previousReceiptId: null,
    });
  });

  it('"Customize" records custom; turning analytics off later records withdraw, chained to it', async () => {
    const ui = await visit();
    await ui.bannerButton('Customize').click();
    await ui.switch('Analytics').check();
    await ui.dialogButton('Save preferences').click();
    const [custom] = await t.server.receipts.wait(1);
    expect(bodyOf(custom!)).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: true, functional: false },
      previousReceiptId: null,
    });

    await ui.footerLink.click();
    await ui.dialog.waitFor();
    expect(await ui.switch('Analytics').isChecked()).toBe(true);
    await ui.switch('Analytics').uncheck();
    await ui.dialogButton('Save preferences').click();
    const [, withdraw] = await t.server.receipts.wait(2);
    expect(bodyOf(withdraw!)).toMatchObject({
      method: 'withdraw',
      categories: { necessary: true, analytics: false, functional: false },
      previousReceiptId: bodyOf(custom!).receiptId,
      subjectId: bodyOf(custom!).subjectId,
    });
    expect(bodyOf(withdraw!).receiptId).not.toBe(bodyOf(custom!).receiptId);
  });
});

// Last in the file: it checks what every test above sent too.
describe('every request', () => {
  it('is a schema-valid receipt, sent as application/json with its receiptId as Idempotency-Key', async () => {
    t.server.page('/ru/shop.html', testPage({ lang: 'ru' }));
    await t.page.goto(t.server.url('/ru/shop.html'));
    await consentUI(t.page).banner.waitFor();
    await t.page.evaluate(() => window.PalomaConsent.set({ functional: true }));
    await t.server.receipts.wait(1);

    const all = [...everything, ...t.server.receipts.received];
    expect(bodyOf(all.at(-1)!)).toMatchObject({ language: 'ru', method: 'custom' });
    for (const received of all) {
      expect(requestProblems(received), JSON.stringify({ body: received.body, headers: received.headers })).toEqual([]);
    }
    expect(all.length).toBeGreaterThan(0);
  });
});
