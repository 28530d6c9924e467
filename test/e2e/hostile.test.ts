/**
 * Pages that make the SDK's life hard: Trusted Types, a clobbered global or config id, and markup
 * that means the obvious but is not quite what the gate asks for.
 */
import { describe, expect, it } from 'vitest';
import {
  CONFIG,
  consentUI,
  decision,
  expectRan,
  gatedInline,
  gatedSrc,
  marker,
  ran,
  settle,
  testPage,
} from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

const watchViolations = () =>
  t.context.addInitScript(() => {
    const w = window as unknown as { __violations: string[]; __errors: unknown[] };
    w.__violations = [];
    w.__errors = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(e.violatedDirective));
    // Not in the gated iframe: the init script runs in every frame.
    if (window === top) {
      document.addEventListener('DOMContentLoaded', () => window.PalomaConsent.on('error', (e) => w.__errors.push(e)));
    }
  });
const seen = () =>
  t.page.evaluate(() => {
    const w = window as unknown as { __violations: string[]; __errors: { code: string; message: string }[] };
    return { violations: w.__violations, errors: w.__errors };
  });

const gatedPage = () =>
  testPage({
    body: [
      gatedSrc('/stubs/gtag.js', 'analytics'),
      gatedInline('inline', 'analytics'),
      '<iframe data-category="analytics" data-src="/frame.html" title="Frame"></iframe>',
    ].join('\n'),
  });

describe('Trusted Types', () => {
  it('runs gated scripts and loads the UI through the paloma-consent policy when the page allows it', async () => {
    await watchViolations();
    t.server.page('/frame.html', '<p>frame</p>');
    const csp = "require-trusted-types-for 'script'; trusted-types paloma-consent";
    await t.page.goto(t.server.page('/tt.html', gatedPage(), { headers: { 'Content-Security-Policy': csp } }));
    await consentUI(t.page).bannerButton('Accept all').click();
    await expectRan(t.page, ['gtag', 'inline']);
    expect(await t.page.locator('iframe').getAttribute('src')).toBe('/frame.html');
    expect(await seen()).toEqual({ violations: [], errors: [] });
  });

  it('reports each gated script the page blocks, and still activates the others', async () => {
    await watchViolations();
    t.server.page('/frame.html', '<p>frame</p>');
    const csp = "require-trusted-types-for 'script'; trusted-types another-policy";
    await t.page.goto(t.server.page('/tt-refused.html', gatedPage(), { headers: { 'Content-Security-Policy': csp } }));
    // Without its policy the SDK cannot insert its UI file either: reported (before DOMContentLoaded, so
    // on the console only, here), never thrown.
    await expect.poll(() => t.messages('error', /consent UI could not be loaded/)).toHaveLength(1);
    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    await expect.poll(async () => (await seen()).errors.map((e) => e.code)).toEqual(['gate', 'gate']);
    const { errors } = await seen();
    expect(errors[0]?.message).toContain('/stubs/gtag.js');
    expect(errors[1]?.message).toContain('inline');
    expect(await ran(t.page)).toEqual([]);
    expect(await t.page.locator('iframe').getAttribute('src')).toBe('/frame.html');
    expect(t.messages('error', /could not be activated/)).toHaveLength(2);
  });
});

describe('DOM clobbering', () => {
  it('works on a page with <div id="PalomaConsent"> and <form name="PalomaConsent">', async () => {
    const clobber = '<div id="PalomaConsent"></div><form name="PalomaConsent"><input name="init"></form>';
    const html = testPage({ body: gatedInline('analytics', 'analytics') }).replace('<body>', `<body>${clobber}`);
    // Before the SDK's tag too: the engine is deferred, so the whole body is parsed when it runs.
    await t.page.goto(t.server.page('/clobbered.html', html));
    await consentUI(t.page).bannerButton('Accept all').click();
    await expectRan(t.page, ['analytics']);
    expect(t.messages('warning', /loaded twice/)).toEqual([]);
  });

  it('takes only a <script type="application/json"> as the configuration, not an element placed first', async () => {
    const forged = `<div id="paloma-consent-config">${JSON.stringify({ ...CONFIG, policyVersion: 'forged' })}</div>`;
    const html = testPage().replace(
      '<head>',
      `<head>\n${forged.replace('<div', '<template').replace('</div>', '</template>')}`,
    );
    await t.page.goto(t.server.page('/forged-config.html', html.replace('<body>', `<body>${forged}`)));
    await t.page.evaluate(() => window.PalomaConsent.rejectAll());
    expect((await decision(t.page))?.policyVersion).toBe(CONFIG.policyVersion);
  });
});

describe('markup that means the obvious', () => {
  it('warns about a data-category script without type="text/plain", which ran before anything could stop it', async () => {
    const html = testPage({ body: `<script data-category="analytics" id="ungated">${marker('ungated')}</script>` });
    await t.page.goto(t.server.page('/ungated.html', html));
    await consentUI(t.page).banner.waitFor();
    expect(await ran(t.page)).toEqual(['ungated']);
    expect(
      t.messages('warning', /data-category script without type="text\/plain" is not gated.*id="ungated"/),
    ).toHaveLength(1);
  });

  it('gates text/plain with a charset, spaces and an upper-case category, and warns about data-src it cannot handle', async () => {
    t.server.page('/pixel.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const html = testPage({
      body: [
        `<script type="text/plain; charset=utf-8" data-category="NECESSARY">${marker('charset')}</script>`,
        `<script type=" text/plain " data-category=" Analytics ">${marker('spaces')}</script>`,
        '<img data-category="analytics" data-src="/pixel.svg" alt="">',
        '<div data-category="analytics" data-src="/never"></div>',
      ].join('\n'),
    });
    await t.page.goto(t.server.page('/obvious.html', html));
    await consentUI(t.page).banner.waitFor();
    await settle(t.page);
    expect(await ran(t.page)).toEqual(['charset']);
    expect(t.server.requested('/pixel.svg')).toBe(false);
    await consentUI(t.page).bannerButton('Accept all').click();
    await expectRan(t.page, ['charset', 'spaces']);
    await expect.poll(() => t.server.requested('/pixel.svg')).toBe(true);
    expect(t.messages('warning', /data-src is not handled here: <div/)).toHaveLength(1);
  });
});
