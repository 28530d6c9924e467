/** A visitor's journeys through the script-tag example site (examples/script-tag). */
import { describe, expect, it } from 'vitest';
import {
  consentUI,
  decision,
  EXAMPLE_ALL,
  EXAMPLE_ANALYTICS,
  examplePage,
  expectRan,
  POLICY,
  ran,
  settle,
} from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

/** Opens the example, its Google tag slowed down so that running in order has to wait for it. */
async function visit(path = '/', host?: string) {
  t.server.delay('/stubs/gtag.js', 300);
  await t.page.goto(t.server.url(path, host));
  return consentUI(t.page);
}

const stubRequests = () => t.server.requests.filter((r) => r.includes('/stubs/'));
const videoSrc = () => t.page.locator('iframe.video').getAttribute('src');

describe('first visit', () => {
  it('shows the banner in an open shadow root and runs nothing gated', async () => {
    const ui = await visit();
    await ui.banner.waitFor();
    expect(await ui.banner.getByRole('button').allInnerTexts()).toEqual(['Accept all', 'Reject all', 'Customize']);
    const inShadow = await t.page.evaluate(() => {
      const host = document.getElementById('paloma-consent');
      return host?.shadowRoot?.mode === 'open' && !!host.shadowRoot.querySelector('button');
    });
    expect(inShadow).toBe(true);

    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    expect(stubRequests()).toEqual([]);
    expect(await videoSrc()).toBeNull();
    expect(await decision(t.page)).toBeNull();
  });
});

describe('deciding', () => {
  it('"Accept all" runs every gated script once, in document order, and loads the video', async () => {
    const ui = await visit();
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, EXAMPLE_ALL);
    expect(await videoSrc()).toBe('/stubs/video.html');
    expect(await ui.banner.count()).toBe(0);
    expect(await decision(t.page)).toMatchObject({
      method: 'accept_all',
      policyVersion: POLICY,
      categories: { necessary: true, analytics: true, functional: true },
    });

    // Deciding again does not run anything twice.
    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    await expectRan(t.page, EXAMPLE_ALL);
  });

  it('"Reject all" runs nothing gated and loads nothing gated', async () => {
    const ui = await visit();
    await ui.bannerButton('Reject all').click();
    await ui.banner.waitFor({ state: 'detached' });
    await expectRan(t.page, []);
    expect(stubRequests()).toEqual([]);
    expect(await videoSrc()).toBeNull();
    expect(await decision(t.page)).toMatchObject({
      method: 'reject_all',
      categories: { necessary: true, analytics: false, functional: false },
    });
  });

  it('"Customize" with only analytics runs only the analytics scripts, in order', async () => {
    const ui = await visit();
    await ui.bannerButton('Customize').click();
    await ui.dialog.waitFor();
    expect(await ui.switch('Analytics').isChecked()).toBe(false);
    expect(await ui.switch('Functional').isChecked()).toBe(false);
    await ui.switch('Analytics').check();
    await ui.dialogButton('Save preferences').click();

    await expectRan(t.page, EXAMPLE_ANALYTICS);
    expect(stubRequests()).not.toContain('GET /stubs/chat.js');
    expect(await videoSrc()).toBeNull();
    expect(await decision(t.page)).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: true, functional: false },
    });
  });
});

describe('later visits', () => {
  it('restore the decision and run the allowed scripts again without showing the banner', async () => {
    const ui = await visit();
    await ui.bannerButton('Customize').click();
    await ui.switch('Analytics').check();
    await ui.dialogButton('Save preferences').click();
    await expectRan(t.page, EXAMPLE_ANALYTICS);
    const first = await decision(t.page);

    await t.page.reload();
    await expectRan(t.page, EXAMPLE_ANALYTICS);
    expect(await ui.banner.count()).toBe(0);
    expect(await decision(t.page)).toEqual(first);
  });

  it('ask again when the policy version changes', async () => {
    const ui = await visit();
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, EXAMPLE_ALL);

    await t.page.goto(t.server.page('/revised.html', examplePage({ policyVersion: '2025-03-01' })));
    await ui.banner.waitFor();
    await expectRan(t.page, []);
    expect(await decision(t.page)).toBeNull();
  });

  it.each([
    ['not our format', 'garbage'],
    ['a malformed subject id', `1.not-a-uuid.m0abc.accept_all.necessary:1+analytics:1+functional:1..${POLICY}`],
    [
      'a timestamp far in the future',
      `1.0b7e6a52-3f5c-4d1a-9f5e-2a7c9d1b4e60.zzzzzzzz.accept_all.necessary:1+analytics:1+functional:1..${POLICY}`,
    ],
    ['broken percent-encoding', '%E0%A4%A'],
  ])('ask again, without console errors, when the consent cookie holds %s', async (_, value) => {
    await t.context.addCookies([{ name: 'paloma_consent', value, url: t.server.origin }]);
    const ui = await visit();
    await ui.banner.waitFor();
    await expectRan(t.page, []);
    expect(await decision(t.page)).toBeNull();
    expect(t.messages('error')).toEqual([]);
  });
});

describe('withdrawing', () => {
  it.each([
    ['on the page host', '127.0.0.1', '127.0.0.1'],
    ['on the parent domain', 'www.paloma.test', '.paloma.test'],
  ])('analytics from the footer link deletes its cookies set %s', async (_, host, domain) => {
    const ui = await visit('/', host);
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, EXAMPLE_ALL);
    const analyticsCookies = async () =>
      (await t.context.cookies())
        .filter((c) => /^_(ga|ym)/.test(c.name))
        .map((c) => `${c.name} @ ${c.domain}`)
        .sort();
    expect(await analyticsCookies()).toEqual(
      ['_ga', '_ga_P365DEMO', '_ym_d', '_ym_uid'].map((name) => `${name} @ ${domain}`),
    );

    await ui.footerLink.click();
    await ui.dialog.waitFor();
    expect(await ui.switch('Analytics').isChecked()).toBe(true);
    await ui.switch('Analytics').uncheck();
    await ui.dialogButton('Save preferences').click();

    await expect.poll(analyticsCookies).toEqual([]);
    expect(await decision(t.page)).toMatchObject({
      method: 'withdraw',
      categories: { necessary: true, analytics: false, functional: true },
    });
    expect((await t.context.cookies()).map((c) => c.name)).toContain('chat_visitor');
  });
});

describe('Global Privacy Control', () => {
  it('refuses optional categories without showing the banner', async () => {
    await t.context.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }),
    );
    const ui = await visit();
    await expectRan(t.page, []);
    expect(await ui.banner.count()).toBe(0);
    expect(stubRequests()).toEqual([]);
    expect(await decision(t.page)).toMatchObject({
      method: 'gpc',
      categories: { necessary: true, analytics: false, functional: false },
    });
  });
});

describe('languages', () => {
  const KAZAKH_LETTERS = /[әғқңөұүһі]/i;
  const CYRILLIC_ONLY = /^[\u0400-\u04ff\s«»-]+$/;

  it('<html lang="ru"> shows Russian texts', async () => {
    const ui = await visit('/ru.html');
    await ui.banner.waitFor();
    const buttons = await ui.banner.getByRole('button').allInnerTexts();
    expect(buttons).toHaveLength(3);
    for (const text of buttons) {
      expect(text).toMatch(CYRILLIC_ONLY);
      expect(text).not.toMatch(KAZAKH_LETTERS);
    }
  });

  it('<html lang="kk"> shows Kazakh texts', async () => {
    t.server.page('/kk.html', examplePage({ lang: 'kk' }));
    const ui = await visit('/kk.html');
    await ui.banner.waitFor();
    const buttons = await ui.banner.getByRole('button').allInnerTexts();
    expect(buttons).toHaveLength(3);
    for (const text of buttons) expect(text).toMatch(CYRILLIC_ONLY);
    expect(buttons.join(' ')).toMatch(KAZAKH_LETTERS);
  });
});

describe('data-consent-open', () => {
  it('opens the preferences dialog without following the link', async () => {
    const ui = await visit();
    await t.page.locator('#tour [data-consent-open]').click();
    await ui.dialog.waitFor();
    expect(await ui.dialog.getAttribute('aria-modal')).toBe('true');
    expect(new URL(t.page.url()).hash).toBe('');
  });
});
