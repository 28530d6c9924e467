/**
 * Receipts version 2 in real Chromium: a decision made through the UI carries the notice the
 * visitor was shown, its id the SHA-256 of its canonical JSON (crypto.subtle, or the UI's own
 * SHA-256 where the page is not a secure context); a decision made through the API carries none.
 */
import { describe, expect, it } from 'vitest';
import { noticeId } from '../../packages/collector/src/notice.js';
import { CONFIG, consentUI, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { bodyOf, requestProblems } from './receipts-helpers.js';

const t = useE2E();

const operator = { name: 'ТОО «Paloma365»', id: '160940016674', url: 'https://paloma365.com' };
const config = { ...CONFIG, language: 'ru', operator, privacyPolicyUrl: 'https://paloma365.com/ru/privacy' };

describe('the notice of a receipt', () => {
  // Counts the page's calls of crypto.subtle.digest, to tell which SHA-256 made the id.
  const countDigests = `window.__digests = 0;
    const digest = crypto.subtle.digest.bind(crypto.subtle);
    crypto.subtle.digest = (...args) => (window.__digests++, digest(...args));`;

  it.each([
    ['crypto.subtle', '', 1],
    [
      'the bundled SHA-256 (no secure context)',
      "Object.defineProperty(window, 'isSecureContext', { value: false });",
      0,
    ],
  ])('comes with a click on Accept all, its id verified, its texts those shown: %s', async (_, init, digests) => {
    await t.page.addInitScript(countDigests + init);
    t.server.page('/shop.html', testPage({ lang: 'ru', config }));
    await t.page.goto(t.server.url('/shop.html'));
    const ui = consentUI(t.page);
    const title = await ui.banner.locator('h2').textContent();
    const text = await ui.banner.locator('p').first().textContent();
    const buttons = await ui.banner.getByRole('button').allTextContents();
    await ui.bannerButton('Принять все').click();

    const [received] = await t.server.receipts.wait(1, 3000);
    const body = bodyOf(received!);
    // The collector's own check: the schema, and that notice.id is the hash of the notice.
    expect(requestProblems(received!)).toEqual([]);
    expect(body).toMatchObject({ version: 2, method: 'accept_all', language: 'ru' });
    expect(Date.parse(body.expiresAt) - Date.parse(body.timestamp)).toBe(182 * 86_400_000);
    const notice = body.notice!;
    expect(notice.id).toBe(noticeId(notice));
    expect(notice).toMatchObject({ language: 'ru', policyVersion: CONFIG.policyVersion, operator });
    expect(notice.privacyPolicyUrl).toBe('https://paloma365.com/ru/privacy');
    expect(notice.texts.bannerTitle).toBe(title);
    expect(text).toBe(`${notice.texts.bannerText} ${notice.texts.privacyPolicy}`);
    expect(buttons).toEqual([notice.texts.acceptAll, notice.texts.rejectAll, notice.texts.customize]);
    expect(notice.categories.map((c) => c.title)).toEqual(['Строго необходимые', 'Аналитические', 'Функциональные']);
    expect(await t.page.evaluate(() => (window as unknown as { __digests: number }).__digests)).toBe(digests);
  });

  it('is the same wording, the same id, on Save preferences in the dialog', async () => {
    t.server.page('/shop.html', testPage({ lang: 'ru', config }));
    await t.page.goto(t.server.url('/shop.html'));
    const ui = consentUI(t.page);
    await ui.bannerButton('Отклонить все').click();
    await t.page.evaluate(() => window.PalomaConsent.showPreferences());
    const intro = await ui.dialog.locator('p').first().textContent();
    await ui.dialogButton('Сохранить настройки').click();
    const [first, second] = (await t.server.receipts.wait(2, 3000)).map(bodyOf);
    expect([first!.method, second!.method]).toEqual(['reject_all', 'custom']);
    expect(second!.notice).toStrictEqual(first!.notice);
    expect(second!.notice!.texts.dialogIntro).toBe(intro);
  });

  it('is null for acceptAll() through the API', async () => {
    t.server.page('/shop.html', testPage({ lang: 'ru', config }));
    await t.page.goto(t.server.url('/shop.html'));
    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    const [received] = await t.server.receipts.wait(1, 3000);
    expect(requestProblems(received!)).toEqual([]);
    expect(bodyOf(received!)).toMatchObject({ version: 2, method: 'accept_all', notice: null });
  });
});
