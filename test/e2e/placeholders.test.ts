/**
 * Placeholders of gated embeds (design 3.4): an iframe that is not allowed shows, in its own box, what
 * it is and a button that allows its categories; the UI file comes only for such an iframe.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { noticeId } from '../../packages/collector/src/notice.js';
import { CONFIG, consentUI, decision, focused, settle, tabUntil, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { bodyOf, requestProblems } from './receipts-helpers.js';

const t = useE2E();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Two functional embeds, the first inline in a paragraph (its placeholder's static position is not its box's). */
const EMBEDS = `<section aria-label="Embeds"><p id="before">Watch it: <iframe id="video" title="Product video" width="400" height="225"
  data-category="functional" data-src="/embed.html?video"></iframe> and read on.</p>
<iframe id="map" data-consent-label="Office map" style="display:block;width:60%;height:180px"
  data-category="functional" data-src="/embed.html?map"></iframe>
<p id="after">Text after the embeds.</p></section>`;

const placeholder = (page: Page, id = 'video') => page.locator(`paloma-placeholder:has(+ #${id})`);
const allowButton = (page: Page, id = 'video', name = 'Allow and show') =>
  placeholder(page, id).getByRole('button', { name, exact: true });
const uiRequests = () => t.server.requests.filter((r) => r.includes('/consent-ui.'));
const embedRequests = () => t.server.requests.filter((r) => r.includes('/embed.html'));

const rect = (page: Page, selector: string) =>
  page.evaluate((s) => {
    const r = document.querySelector(s)?.getBoundingClientRect();
    return r && { x: r.x, y: r.y, width: r.width, height: r.height };
  }, selector);

const frames = () => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));

async function open(body = EMBEDS, lang = 'en') {
  t.server.page('/embed.html', '<!doctype html><title>embed</title><p>The embed</p>');
  await t.page.goto(t.server.page('/embeds.html', testPage({ lang, body })));
}

/** A visitor who decided `choose` on a first visit, back on the page. */
async function returning(choose: (page: Page) => Promise<void>, body = EMBEDS) {
  await open(body);
  await consentUI(t.page).banner.waitFor();
  await choose(t.page);
  await expect.poll(() => decision(t.page)).not.toBeNull();
  t.server.requests.length = 0;
  t.server.receipts.received.length = 0;
  await t.page.reload();
}

describe('an undecided visitor', () => {
  it('sees a placeholder exactly in each blocked iframe’s box, and nothing on the page moves', async () => {
    await t.context.addInitScript(() => {
      const w = window as unknown as { __shift: number };
      w.__shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__shift += (entry as unknown as { value: number }).value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    // The page renders first; the SDK and its UI arrive later, as on a slow network.
    t.server.delay('/consent.min.js', 500);
    t.server.page('/embed.html', '<p>The embed</p>');
    await t.page.goto(t.server.page('/embeds.html', testPage({ body: EMBEDS })), { waitUntil: 'commit' });
    await t.page.locator('#after').waitFor();
    await t.page.evaluate(frames);
    const before = {
      video: await rect(t.page, '#video'),
      map: await rect(t.page, '#map'),
      after: await rect(t.page, '#after'),
    };

    await placeholder(t.page, 'map').waitFor();
    await t.page.evaluate(frames);
    expect(await rect(t.page, 'paloma-placeholder:has(+ #video)')).toEqual(before.video);
    expect(await rect(t.page, 'paloma-placeholder:has(+ #map)')).toEqual(before.map);
    expect({
      video: await rect(t.page, '#video'),
      map: await rect(t.page, '#map'),
      after: await rect(t.page, '#after'),
    }).toEqual(before);
    expect(await t.page.evaluate(() => (window as unknown as { __shift: number }).__shift)).toBe(0);

    // What it is, what it needs; the blank iframe itself is hidden, not removed.
    const group = placeholder(t.page).getByRole('group', { name: 'Product video' });
    await expect.poll(() => group.textContent()).toContain('consent to “Functional” cookies');
    expect(await placeholder(t.page, 'map').getByRole('group', { name: 'Office map' }).count()).toBe(1);
    expect(await t.page.evaluate(() => getComputedStyle(document.getElementById('video') as Element).visibility)).toBe(
      'hidden',
    );
    expect(embedRequests()).toEqual([]);
  });

  it('is placed under a strict CSP (no inline styles) without a violation', async () => {
    await t.context.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(e.violatedDirective));
    });
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'">`;
    t.server.page('/embed.html', '<p>The embed</p>');
    await t.page.goto(
      t.server.page('/strict.html', testPage({ head: csp, body: EMBEDS.replace(/ style="[^"]*"/, '') })),
    );
    await placeholder(t.page, 'map').waitFor();
    await t.page.evaluate(frames);
    expect(await rect(t.page, 'paloma-placeholder:has(+ #video)')).toEqual(await rect(t.page, '#video'));
    expect(await t.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
  });

  it('follows the iframe when it resizes', async () => {
    await open();
    await placeholder(t.page, 'map').waitFor();
    await t.page.evaluate(() => {
      (document.getElementById('map') as HTMLElement).style.height = '260px';
      document.getElementById('before')?.insertAdjacentHTML('afterbegin', '<br>A line more. ');
    });
    await t.page.evaluate(frames);
    expect(await rect(t.page, 'paloma-placeholder:has(+ #map)')).toEqual(await rect(t.page, '#map'));
    expect(await rect(t.page, 'paloma-placeholder:has(+ #video)')).toEqual(await rect(t.page, '#video'));
  });

  it('allows the embed’s categories with the button: a custom receipt, the banner closes, every such embed loads', async () => {
    await open();
    await consentUI(t.page).banner.waitFor();
    await allowButton(t.page).click();
    const [receipt] = await t.server.receipts.wait(1);
    expect(receipt?.body).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: false, functional: true },
    });
    await consentUI(t.page).banner.waitFor({ state: 'detached' });
    await expect.poll(() => embedRequests()).toEqual(['GET /embed.html', 'GET /embed.html']);
    expect(
      await t.page.evaluate(() => [...document.querySelectorAll('iframe')].map((f) => f.getAttribute('src'))),
    ).toEqual(['/embed.html?video', '/embed.html?map']);
    expect(await t.page.locator('paloma-placeholder').count()).toBe(0);
    expect(await t.page.evaluate(() => (document.getElementById('video') as HTMLElement).style.visibility)).toBe('');
    expect(await t.page.frameLocator('#video').locator('p').textContent()).toBe('The embed');
  });

  for (const [lang, button] of [
    ['en', 'Allow and show'],
    ['ru', 'Разрешить и показать'],
  ] as const) {
    it(`records the placeholder's own wording as the receipt's notice, its id the hash of it (${lang})`, async () => {
      await open(EMBEDS, lang);
      await consentUI(t.page).banner.waitFor();
      const [name, text, allow, link] = await Promise.all(
        ['.nm', 'p:not(.nm, .ac)', 'button', 'a'].map((s) => placeholder(t.page).locator(s).textContent()),
      );
      await allowButton(t.page, 'video', button).click();
      const [received] = await t.server.receipts.wait(1);
      // The collector's own check: the schema, and that notice.id is the SHA-256 of the notice.
      expect(requestProblems(received!)).toEqual([]);
      const notice = bodyOf(received!).notice!;
      expect(notice.id).toBe(noticeId(notice));
      // Only what the placeholder showed: no banner or dialog text, no operator or policy link.
      expect(notice).toStrictEqual({
        id: notice.id,
        language: lang,
        policyVersion: CONFIG.policyVersion,
        texts: {
          placeholderLabel: name,
          placeholderText: expect.stringContaining('{categories}'),
          placeholderAllow: allow,
          settings: link,
        },
        categories: [
          {
            id: 'functional',
            title: expect.any(String),
            description: expect.any(String),
            required: false,
            cookies: [],
          },
        ],
      });
      expect(name).toBe('Product video');
      const titles = notice.categories.map((c) => c.title).join(', ');
      expect(notice.texts.placeholderText!.replace('{categories}', titles)).toBe(text);
      // The other embed's placeholder has a wording of its own: another name, another id.
      await t.page.context().clearCookies();
      await t.page.reload();
      await allowButton(t.page, 'map', button).click();
      const [, other] = await t.server.receipts.wait(2);
      expect(bodyOf(other!).notice).toMatchObject({ texts: { placeholderLabel: 'Office map' } });
      expect(bodyOf(other!).notice!.id).not.toBe(notice.id);
    });
  }

  it('opens the preferences from its link', async () => {
    await open();
    await placeholder(t.page).getByRole('link', { name: 'Cookie settings' }).click();
    await consentUI(t.page).dialog.waitFor();
  });

  it('can be used from the keyboard: Tab to the button, Enter loads the embed and focus goes to it', async () => {
    await open();
    await placeholder(t.page).waitFor();
    await tabUntil(t.page, (f) => f.where === 'placeholder' && f.name === 'Allow and show');
    await t.page.keyboard.press('Enter');
    await expect.poll(() => embedRequests().length).toBe(2);
    expect((await focused(t.page)).tag).toBe('iframe');
    expect(await decision(t.page)).toMatchObject({ method: 'custom', categories: { functional: true } });
  });

  for (const [lang, button, needs] of [
    ['ru', 'Разрешить и показать', 'согласие на cookie категории «Функциональные»'],
    ['kk', 'Рұқсат беру және көрсету', '«Функционалдық» санатындағы cookie'],
  ] as const) {
    it(`speaks the visitor’s language (${lang})`, async () => {
      await open(EMBEDS, lang);
      await allowButton(t.page, 'video', button).waitFor();
      expect(await placeholder(t.page).locator('.ph').textContent()).toContain(needs);
      expect(await placeholder(t.page).getAttribute('lang')).toBe(lang);
    });
  }
});

describe('a returning visitor', () => {
  it('who refused gets the UI file for the placeholders alone, axe-core clean', async () => {
    await returning((page) => consentUI(page).bannerButton('Reject all').click());
    await placeholder(t.page, 'map').waitFor();
    expect(uiRequests()).toHaveLength(1);
    expect(await consentUI(t.page).banner.count()).toBe(0);
    await t.page.addScriptTag({ content: AXE });
    const violations = await t.page.evaluate(async () => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const { violations } = await axe.run(document, { resultTypes: ['violations'] });
      return violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
    });
    expect(violations).toEqual([]);
  });

  it('keeps the other categories’ choices when the button allows one', async () => {
    await returning((page) => page.evaluate(() => window.PalomaConsent.set({ analytics: true })));
    await allowButton(t.page).click();
    const [receipt] = await t.server.receipts.wait(1);
    expect(receipt?.body).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: true, functional: true },
    });
    await expect.poll(() => embedRequests().length).toBe(2);
  });

  it('who allowed everything fetches no UI file, and the embeds load', async () => {
    await returning((page) => consentUI(page).bannerButton('Accept all').click());
    await expect.poll(() => embedRequests().length).toBe(2);
    await settle(t.page, 500);
    expect(uiRequests()).toEqual([]);
    expect(await t.page.locator('paloma-placeholder').count()).toBe(0);
  });

  it('gets a placeholder for an iframe added later, the UI fetched for it then', async () => {
    await returning(
      (page) => consentUI(page).bannerButton('Reject all').click(),
      '<section aria-label="Embeds"><p id="after">No embed yet.</p></section>',
    );
    await settle(t.page, 500);
    expect(uiRequests()).toEqual([]);
    await t.page.evaluate(() =>
      document.body.insertAdjacentHTML(
        'beforeend',
        '<iframe id="late" title="Late video" data-category="functional" data-src="/embed.html?late"></iframe>',
      ),
    );
    await placeholder(t.page, 'late').getByRole('group', { name: 'Late video' }).waitFor();
    expect(uiRequests()).toHaveLength(1);
    // Once the UI is there, it follows the page by itself.
    await t.page.evaluate(() =>
      document.body.insertAdjacentHTML(
        'beforeend',
        '<iframe id="later" title="Later video" data-category="functional" data-src="/embed.html?later"></iframe>',
      ),
    );
    await placeholder(t.page, 'later').waitFor();
  });
});

describe('the example site', () => {
  it('shows its product tour video’s placeholder, in the video’s box', async () => {
    await t.page.goto(t.server.url('/'));
    const group = t.page.locator('paloma-placeholder').getByRole('group', { name: 'Paloma365 product tour video' });
    await group.waitFor();
    await t.page.evaluate(frames);
    expect(await rect(t.page, 'paloma-placeholder:has(+ iframe.video)')).toEqual(await rect(t.page, 'iframe.video'));
  });
});

describe('data-consent-placeholder="off"', () => {
  it('keeps the iframe blank: no placeholder, and no UI file for it', async () => {
    const off =
      '<iframe id="quiet" title="Quiet" data-consent-placeholder="off" data-category="functional" data-src="/embed.html?quiet"></iframe>';
    await returning((page) => consentUI(page).bannerButton('Reject all').click(), off);
    await settle(t.page, 500);
    expect(uiRequests()).toEqual([]);
    expect(await t.page.locator('paloma-placeholder').count()).toBe(0);
    expect(await t.page.evaluate(() => getComputedStyle(document.getElementById('quiet') as Element).visibility)).toBe(
      'visible',
    );
  });

  it('keeps it blank even when the UI is on the page for another embed', async () => {
    await open(
      `${EMBEDS}<iframe id="quiet" data-consent-placeholder="off" data-category="functional" data-src="/embed.html?quiet"></iframe>`,
    );
    await placeholder(t.page, 'map').waitFor();
    expect(await t.page.locator('paloma-placeholder').count()).toBe(2);
  });
});
