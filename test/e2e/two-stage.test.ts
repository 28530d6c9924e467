/**
 * Two-stage loading: the engine on every page, the UI file only when something must be shown, with
 * its integrity checked, the page's nonce, and nothing broken when it cannot be had.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG, consentUI, decision, expectRan, gatedInline, ran, settle, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { DIST } from './server.js';

const t = useE2E();

/** The UI file the build made for `language`, as the server serves it. */
const uiFile = (language = 'en') => {
  const name = readdirSync(DIST).find((f) => f.startsWith(`consent-ui.${language}.`) && f.endsWith('.min.js'));
  if (!name) throw new Error(`no UI file for ${language} in ${DIST}: run npm run build`);
  return { name, path: `/${name}`, bytes: readFileSync(join(DIST, name)) };
};

const uiRequests = () => t.server.requests.filter((r) => r.includes('/consent-ui.'));

/** Records CSP violations from the first script on. */
const watchViolations = () =>
  t.context.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
const violations = () => t.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);

/** A first visit that accepts, then the same browser (cookies, storage) back on the page. */
async function returningVisit(html = testPage({ body: gatedInline('analytics', 'analytics') })) {
  const url = t.server.page('/returning.html', html);
  await t.page.goto(url);
  await consentUI(t.page).bannerButton('Accept all').click();
  await expectRan(t.page, ['analytics']);
  t.server.requests.length = 0;
  await t.page.goto(url);
  await expectRan(t.page, ['analytics']);
  return url;
}

describe('a returning visitor', () => {
  it('fetches the engine alone, and the engine adds nothing to the page', async () => {
    await returningVisit();
    await settle(t.page, 500);
    expect(t.server.requested('/consent.min.js')).toBe(true);
    expect(uiRequests()).toEqual([]);
    expect(
      await t.page.evaluate(() => ({
        host: document.getElementById('paloma-consent'),
        scripts: document.scripts.length,
        styles: document.adoptedStyleSheets.length + document.querySelectorAll('style, link[rel=stylesheet]').length,
      })),
    ).toEqual({ host: null, scripts: 3, styles: 0 });
  });

  it('gets the UI on a click of a data-consent-open element, and the dialog opens', async () => {
    await returningVisit(
      testPage({
        body: `${gatedInline('analytics', 'analytics')}<footer><a href="#settings" data-consent-open>Cookie settings</a></footer>`,
      }),
    );
    await t.page.getByRole('link', { name: 'Cookie settings' }).click();
    await consentUI(t.page).dialog.waitFor();
    expect(uiRequests()).toEqual([`GET ${uiFile().path}`]);
  });
});

describe('an undecided visitor', () => {
  it('starts fetching the UI when the engine runs, before the page has finished loading', async () => {
    t.server.page('/slow.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t.server.delay('/slow.svg', 3000);
    await t.page.goto(t.server.page('/early.html', testPage({ body: '<img src="/slow.svg" alt="">' })), {
      waitUntil: 'commit',
    });
    await consentUI(t.page).banner.waitFor();
    expect(await t.page.evaluate(() => document.readyState)).not.toBe('complete');
  });

  it('loads the UI file of its language only, with integrity and crossorigin set', async () => {
    await t.page.goto(t.server.page('/ru.html', testPage({ lang: 'ru' })));
    await consentUI(t.page).bannerButton('Принять все').waitFor();
    const ru = uiFile('ru');
    expect(uiRequests()).toEqual([`GET ${ru.path}`]);
    const tag = await t.page.evaluate(() => {
      const s = document.querySelector('script[src*="consent-ui."]') as HTMLScriptElement;
      return { integrity: s.integrity, crossOrigin: s.crossOrigin };
    });
    expect(tag).toEqual({
      integrity: `sha256-${createHash('sha256').update(ru.bytes).digest('base64')}`,
      crossOrigin: 'anonymous',
    });
  });

  it('opens the dialog asked for before the UI arrived, once it has', async () => {
    t.server.delay(uiFile().path, 800);
    const ask = `<script src="/ask.js"></script>`;
    t.server.page(
      '/ask.js',
      "document.addEventListener('DOMContentLoaded', () => { PalomaConsent.showPreferences(); window.__asked = !document.getElementById('paloma-consent'); })",
    );
    await t.page.goto(t.server.page('/ask.html', testPage({ body: ask })), { waitUntil: 'commit' });
    await consentUI(t.page).dialog.waitFor();
    // Asked while the UI file was still on its way (held back 800 ms), shown once it came.
    expect(await t.page.evaluate(() => (window as unknown as { __asked: boolean }).__asked)).toBe(true);
  });

  it('fetches the UI from uiUrl on another origin (a CDN)', async () => {
    const cdn = t.server.url('/', 'cdn.paloma.test');
    await t.page.goto(t.server.page('/cdn.html', testPage({ config: { ...CONFIG, uiUrl: cdn } })));
    await consentUI(t.page).banner.waitFor();
    expect(
      await t.page.evaluate(() => (document.querySelector('script[src*="consent-ui."]') as HTMLScriptElement).src),
    ).toBe(`${cdn}${uiFile().name}`);
  });
});

describe('when the UI cannot be had', () => {
  const gatedPage = () =>
    testPage({ body: gatedInline('necessary-ok', 'necessary') + gatedInline('analytics', 'analytics') });

  for (const [what, breakIt] of [
    ['answers 404', () => t.server.page(uiFile().path, 'not found', { status: 404 })],
    [
      'is altered by one byte',
      () => {
        const { path, bytes } = uiFile();
        const altered = Buffer.from(bytes);
        const at = altered.length - 2;
        altered[at] = (altered[at] as number) ^ 1;
        t.server.page(path, altered);
      },
    ],
  ] as const) {
    it(`reports a "ui" error when the UI file ${what}, runs nothing gated, throws nothing, and retries when asked`, async () => {
      breakIt();
      await t.context.addInitScript(() => {
        const w = window as unknown as { __errors: unknown[] };
        w.__errors = [];
        document.addEventListener('DOMContentLoaded', () =>
          window.PalomaConsent.on('error', (error) => w.__errors.push(error)),
        );
      });
      await t.page.goto(t.server.page('/broken.html', gatedPage()));
      await expect
        .poll(() => t.page.evaluate(() => (window as unknown as { __errors: { code: string }[] }).__errors))
        .toEqual([{ code: 'ui', message: expect.stringContaining('consent-ui.en.') }]);
      await settle(t.page);
      expect(await ran(t.page)).toEqual(['necessary-ok']);
      expect(await decision(t.page)).toBeNull();
      expect(t.messages('error', /consent UI could not be loaded/)).toHaveLength(1);

      t.server.reset();
      await t.page.evaluate(() => window.PalomaConsent.showPreferences());
      await consentUI(t.page).dialog.waitFor();
      expect(await ran(t.page)).toEqual(['necessary-ok']);
    });
  }
});

describe('Content-Security-Policy', () => {
  it("shows the banner under script-src 'nonce-…' 'strict-dynamic' with no violation, the UI file carrying the nonce", async () => {
    await watchViolations();
    const nonce = 'dHdvLXN0YWdl';
    const html = testPage().replace(
      '<script src="/consent.min.js" defer>',
      `<script src="/consent.min.js" nonce="${nonce}" defer>`,
    );
    const csp = `script-src 'nonce-${nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'`;
    await t.page.goto(t.server.page('/strict.html', html, { headers: { 'Content-Security-Policy': csp } }));
    const ui = consentUI(t.page);
    await ui.bannerButton('Accept all').click();
    expect(
      await t.page.evaluate(() => (document.querySelector('script[src*="consent-ui."]') as HTMLScriptElement).nonce),
    ).toBe(nonce);
    expect(await violations()).toEqual([]);
  });

  it("shows the banner under script-src 'self' with no violation", async () => {
    await watchViolations();
    const csp = "default-src 'self'; script-src 'self'; style-src 'self'";
    await t.page.goto(t.server.page('/self.html', testPage(), { headers: { 'Content-Security-Policy': csp } }));
    await consentUI(t.page).bannerButton('Reject all').click();
    expect(await violations()).toEqual([]);
  });
});
