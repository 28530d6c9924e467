/** Gated scripts and embeds (design 3.4), and the script-tag API's edges (3.2, 3.3, 3.5). */
import { describe, expect, it } from 'vitest';
import {
  CONFIG,
  consentUI,
  decision,
  expectRan,
  gatedInline,
  gatedSrc,
  marker,
  POLICY,
  settle,
  testPage,
} from './consent.js';
import { useE2E } from './harness.js';
import { RECEIPTS_PATH } from './server.js';

const t = useE2E();

async function open(body: string, config?: object | string | null) {
  await t.page.goto(t.server.page('/gated.html', testPage({ body, config })));
  return consentUI(t.page);
}

describe('gated scripts', () => {
  it('run in document order, inline and external mixed, even when an earlier one is slow', async () => {
    t.server.page('/gated/slow.js', marker('slow-src'));
    t.server.page('/gated/fast.js', marker('fast-src'));
    t.server.delay('/gated/slow.js', 300);
    const ui = await open(
      [
        gatedInline('inline-1', 'analytics'),
        gatedSrc('/gated/slow.js', 'analytics'),
        gatedInline('inline-2', 'analytics'),
        gatedSrc('/gated/fast.js', 'analytics'),
        gatedInline('inline-3', 'analytics'),
      ].join('\n'),
    );
    await settle(t.page);
    expect(t.server.requested('/gated/slow.js')).toBe(false);

    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['inline-1', 'slow-src', 'inline-2', 'fast-src', 'inline-3']);
  });

  it('added to the page later run when their category is allowed, at once or on consent', async () => {
    t.server.page('/gated/late.js', marker('late-src'));
    const ui = await open('');
    const add = (html: string) =>
      t.page.evaluate((h) => document.body.insertAdjacentHTML('beforeend', h), html).then(() => settle(t.page));
    const addScript = (name: string) =>
      t.page.evaluate(
        ([n, code]) => {
          const s = document.createElement('script');
          s.type = 'text/plain';
          s.dataset.category = 'analytics';
          s.text = code as string;
          s.id = n as string;
          document.head.append(s);
        },
        [name, marker(name)],
      );

    await addScript('added-before-consent');
    await add(gatedSrc('/gated/late.js', 'analytics'));
    await expectRan(t.page, []);

    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['added-before-consent', 'late-src']);

    await addScript('added-after-consent');
    await expectRan(t.page, ['added-before-consent', 'late-src', 'added-after-consent']);
  });

  it('with several categories run only when all of them are allowed', async () => {
    await open([gatedInline('both', 'analytics functional'), gatedInline('analytics-only', 'analytics')].join('\n'));
    await t.page.evaluate(() => window.PalomaConsent.set({ analytics: true }));
    await expectRan(t.page, ['analytics-only']);

    await t.page.evaluate(() => window.PalomaConsent.set({ analytics: true, functional: true }));
    await expectRan(t.page, ['analytics-only', 'both']);
  });

  it('with data-type="module" run as modules, inline and external', async () => {
    t.server.page('/gated/answer.mjs', 'export const answer = 42;');
    t.server.page(
      '/gated/module.mjs',
      `import { answer } from './answer.mjs';\n${marker('module-src')}; window.__ran.push(String(answer));`,
    );
    // `import.meta` and `import` are syntax errors in a classic script: a wrong type throws into the page.
    const inline = `<script type="text/plain" data-category="analytics" data-type="module">${marker('module-inline')}; window.__ran.push(typeof import.meta.url);</script>`;
    await open([inline, gatedSrc('/gated/module.mjs', 'analytics', ' data-type="module"')].join('\n'));
    await expectRan(t.page, []);

    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    await expect.poll(async () => (await t.page.evaluate(() => window.__ran ?? [])).length).toBe(4);
    const ran = await t.page.evaluate(() => window.__ran ?? []);
    expect(ran.slice(0, 2)).toEqual(['module-inline', 'string']);
    expect(ran.slice(2)).toEqual(['module-src', '42']);
  });
});

describe('gated iframes', () => {
  it('get their src only once their category is allowed', async () => {
    t.server.page('/gated/map.html', '<!doctype html><title>Map</title><p>Map of our office</p>');
    const ui = await open(
      '<iframe title="Our office on the map" data-category="functional" data-src="/gated/map.html"></iframe>',
    );
    const iframe = t.page.locator('iframe');

    await ui.bannerButton('Reject all').click();
    await settle(t.page);
    expect(await iframe.getAttribute('src')).toBeNull();
    expect(t.server.requested('/gated/map.html')).toBe(false);

    await t.page.evaluate(() => window.PalomaConsent.set({ analytics: true }));
    await settle(t.page);
    expect(await iframe.getAttribute('src')).toBeNull();

    await t.page.evaluate(() => window.PalomaConsent.set({ functional: true }));
    await expect.poll(() => iframe.getAttribute('src')).toBe('/gated/map.html');
    await expect.poll(() => t.page.frameLocator('iframe').locator('p').textContent()).toBe('Map of our office');
  });
});

describe('configuration and API', () => {
  it('init() twice warns and keeps the first configuration', async () => {
    const ui = await open(gatedInline('analytics', 'analytics'), null);
    await settle(t.page);
    expect(await ui.banner.count()).toBe(0);

    await t.page.evaluate((config) => window.PalomaConsent.init(config), CONFIG);
    await ui.banner.waitFor();
    expect(t.messages('warning', /init/)).toEqual([]);

    await t.page.evaluate(() => window.PalomaConsent.init({ policyVersion: 'second', respectGpc: false }));
    expect(t.messages('warning', /init/)).toHaveLength(1);
    expect(await t.page.locator('#paloma-consent').count()).toBe(1);

    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['analytics']);
    expect((await decision(t.page))?.policyVersion).toBe(POLICY);
  });

  it('takes simple options from data-* attributes of its own script tag, without a config block', async () => {
    const html = testPage({ config: null, body: gatedInline('analytics', 'analytics') }).replace(
      '<script src="/consent.min.js" defer>',
      `<script src="/consent.min.js" data-policy-version="${POLICY}" data-language="ru" data-endpoint="${RECEIPTS_PATH}" defer>`,
    );
    await t.page.goto(t.server.page('/data-options.html', html));
    const ui = consentUI(t.page);
    await ui.bannerButton('Принять все').click(); // data-language="ru" over <html lang="en">
    await expectRan(t.page, ['analytics']);
    const [received] = await t.server.receipts.wait(1);
    expect(received!.body).toMatchObject({ policyVersion: POLICY, language: 'ru', method: 'accept_all' });
  });

  it('keeps listeners a page attaches before init()', async () => {
    const ui = await open('', null);
    await settle(t.page);
    await t.page.evaluate((config) => {
      window.changes = 0;
      window.PalomaConsent.on('change', () => {
        window.changes = (window.changes ?? 0) + 1;
      });
      window.PalomaConsent.init(config);
    }, CONFIG);
    await ui.bannerButton('Accept all').click();
    expect(await t.page.evaluate(() => window.changes)).toBe(1);
  });

  it.each([
    [
      'is not valid JSON',
      `{ "policyVersion": "${POLICY}", }`,
      /paloma-consent-config.*JSON|JSON.*paloma-consent-config/,
    ],
    ['has an invalid field', '{ "policyVersion": 20240101 }', /policyVersion/],
    ['holds null instead of an object', 'null', /\(config\): expected an object, got null/],
    ['holds a list instead of an object', `["${POLICY}"]`, /\(config\): expected an object, got an array/],
  ])('a config block that %s is reported on the console; no banner, nothing gated runs', async (_, json, named) => {
    const ui = await open(
      [gatedInline('analytics', 'analytics'), gatedInline('functional', 'functional')].join('\n'),
      json,
    );
    await settle(t.page);
    expect(t.messages('error', named)).toHaveLength(1);
    expect(await ui.banner.count()).toBe(0);

    // The safe state holds whatever the page calls.
    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    await expectRan(t.page, []);
    expect(await decision(t.page)).toBeNull();
  });
});
