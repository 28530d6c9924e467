/**
 * The consent cookie against cookies another subdomain plants (design: consent cookie), and
 * against a polluted `Object.prototype`, in real Chromium. `*.paloma.test` resolves to 127.0.0.1,
 * so `a.paloma.test` is a real sibling of `www.paloma.test` that may set cookies for `paloma.test`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consentUI, decision, expectRan, gatedInline, POLICY, ran, settle, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { type HttpsFront, startHttpsFront } from './https.js';

const t = useE2E();
let https: HttpsFront;

beforeAll(async () => {
  https = await startHttpsFront(t.server.port);
});
afterAll(() => https?.close());

const OURS = 'www.paloma.test';
const SIBLING = 'a.paloma.test';
/** The page under the longer path the planted cookie is set for: the browser lists that cookie first. */
const SHOP = '/shop/';
const GATED = gatedInline('analytics', 'analytics') + gatedInline('functional', 'functional');

/** An Accept all cookie in the SDK's format, as a sibling would craft it. */
const acceptAll = () =>
  `1.${randomUUID()}.${Date.now().toString(36)}.accept_all.necessary:1+analytics:1+functional:1..${POLICY}`;

type Scheme = 'http' | 'https';
const url = (scheme: Scheme, path: string, host: string) =>
  scheme === 'https' ? https.url(path, host) : t.server.url(path, host);

async function open(scheme: Scheme, path = SHOP) {
  t.server.page('/', testPage({ body: GATED }));
  t.server.page(SHOP, testPage({ body: GATED }));
  await t.page.goto(url(scheme, path, OURS));
  return consentUI(t.page);
}

/** A page of the sibling subdomain sets `cookie` through `document.cookie`, as any script there could. */
async function plant(scheme: Scheme, ...cookies: string[]) {
  t.server.page(
    '/plant.html',
    `<!doctype html><script>${cookies.map((c) => `document.cookie = ${JSON.stringify(c)};`).join('')}</script>`,
  );
  await t.page.goto(url(scheme, '/plant.html', SIBLING));
}

/** The consent cookies the browser holds, `name @ domain path` (a leading dot: set for a parent domain). */
const consentCookies = async () =>
  (await t.context.cookies())
    .filter((c) => c.name.includes('paloma_consent'))
    .map((c) => `${c.name} @ ${c.domain} ${c.path}${c.secure ? ' Secure' : ''}`)
    .sort();

/** What the page's own scripts see: the values of the consent cookie's name, in the browser's order. */
const seen = (name: string) =>
  t.page.evaluate(
    (n) =>
      document.cookie
        .split('; ')
        .filter((c) => c.startsWith(`${n}=`))
        .map((c) => decodeURIComponent(c.slice(n.length + 1))),
    name,
  );

describe('a consent cookie planted by a sibling subdomain, on http', () => {
  it('never overrides Reject all: the visitor counts as undecided, the banner shows and nothing gated runs', async () => {
    let ui = await open('http');
    await ui.bannerButton('Reject all').click();
    expect(await decision(t.page)).toMatchObject({ method: 'reject_all' });

    const planted = acceptAll();
    await plant('http', `paloma_consent=${planted}; domain=paloma.test; path=/shop`);
    ui = await open('http');
    // The attack as the page sees it: the planted Accept all is listed first, where one cookie read finds it.
    expect((await seen('paloma_consent'))[0]).toBe(planted);
    expect(await seen('paloma_consent')).toHaveLength(2);
    await ui.banner.waitFor();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    expect(await decision(t.page)).toBeNull();
    expect(await t.page.evaluate(() => window.PalomaConsent.has('analytics'))).toBe(false);

    // Deciding again holds for the page; the planted cookie stays undecided on later pages, never allowed.
    await ui.bannerButton('Reject all').click();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    await t.page.reload();
    await ui.banner.waitFor();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
  });

  it('restores the decision where no other cookie of the name is seen', async () => {
    const ui = await open('http');
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['analytics', 'functional']);
    await plant('http', `paloma_consent=${acceptAll()}; domain=paloma.test; path=/shop`);
    await t.page.goto(url('http', '/', OURS));
    await expectRan(t.page, ['analytics', 'functional']);
    expect(await decision(t.page)).toMatchObject({ method: 'accept_all' });
  });
});

describe('on https, the __Host- cookie', () => {
  // The certificate is self-signed.
  beforeEach(() => t.newContext({ ignoreHTTPSErrors: true }));

  it('is what the SDK writes: Secure, for this host only, Path=/', async () => {
    const ui = await open('https', '/');
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['analytics', 'functional']);
    expect(await consentCookies()).toEqual([`__Host-paloma_consent @ ${OURS} / Secure`]);
  });

  it('keeps Reject all whatever a sibling plants under the plain name, and shows no banner', async () => {
    await open('https');
    await consentUI(t.page).bannerButton('Reject all').click();
    await plant('https', `paloma_consent=${acceptAll()}; domain=paloma.test; path=/shop; Secure`);
    const ui = await open('https');
    expect(await seen('paloma_consent')).toHaveLength(1);
    await settle(t.page, 500);
    expect(await ran(t.page)).toEqual([]);
    expect(await decision(t.page)).toMatchObject({ method: 'reject_all' });
    expect(await ui.banner.count()).toBe(0);
  });

  it('cannot be planted by a sibling for a new visitor: the plain name it can plant counts as undecided', async () => {
    const planted = acceptAll();
    await plant(
      'https',
      `paloma_consent=${planted}; domain=paloma.test; path=/; Secure`,
      `__Host-paloma_consent=${planted}; domain=paloma.test; path=/; Secure`,
    );
    // The browser refused the __Host- cookie with a Domain; the plain one is there for every subdomain.
    expect(await consentCookies()).toEqual(['paloma_consent @ .paloma.test / Secure']);
    const ui = await open('https', '/');
    await ui.banner.waitFor();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    expect(await decision(t.page)).toBeNull();
    expect(await consentCookies()).toEqual(['paloma_consent @ .paloma.test / Secure']);
  });

  it('takes over a version-1 cookie of this host once, and the old one is deleted', async () => {
    const v1 = acceptAll();
    // What version 1 wrote here: host-only, Path=/, Secure.
    await t.context.addCookies([{ name: 'paloma_consent', value: v1, url: https.url('/', OURS), secure: true }]);
    t.server.page('/', testPage({ body: GATED }));
    await t.page.goto(https.url('/', OURS));
    await expectRan(t.page, ['analytics', 'functional']);
    expect(await consentCookies()).toEqual([`__Host-paloma_consent @ ${OURS} / Secure`]);
    expect(await seen('__Host-paloma_consent')).toEqual([v1]);
    expect(t.server.receipts.received).toEqual([]);
  });
});

describe('a polluted Object.prototype', () => {
  it('allows no category: after Reject all and set({}) no gated script of it runs', async () => {
    const pollute = '<script>Object.prototype.tracking = true; Object.prototype.analytics = true;</script>';
    t.server.page(
      '/polluted.html',
      testPage({ head: pollute, body: gatedInline('tracking', 'tracking') + gatedInline('analytics', 'analytics') }),
    );
    await t.page.goto(t.server.url('/polluted.html'));
    const ui = consentUI(t.page);
    await ui.bannerButton('Reject all').click();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    expect(
      await t.page.evaluate(() => [window.PalomaConsent.has('tracking'), window.PalomaConsent.has('analytics')]),
    ).toEqual([false, false]);
    await t.page.evaluate(() => window.PalomaConsent.set({}));
    await t.page.reload();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);
    expect(await decision(t.page)).toMatchObject({ method: 'custom', categories: { analytics: false } });
  });
});
