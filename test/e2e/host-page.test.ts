/** Living in someone else's page: no layout shift, no restyling by the host's CSS, a strict CSP. */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consentUI, expectRan, gatedSrc, testPage } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

describe('layout', () => {
  it('showing the banner shifts nothing on the page', async () => {
    await t.context.addInitScript(() => {
      const w = window as unknown as { __shift: number };
      w.__shift = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__shift += (entry as unknown as { value: number }).value;
      }).observe({ type: 'layout-shift', buffered: true });
    });
    // The page renders first; the SDK arrives later, as on a slow network.
    t.server.delay('/consent.min.js', 500);
    await t.page.goto(t.server.url('/'), { waitUntil: 'commit' });
    const main = t.page.locator('main h1');
    await main.waitFor();
    await t.page.evaluate(() => new Promise(requestAnimationFrame));
    const before = await main.boundingBox();

    const ui = consentUI(t.page);
    await ui.banner.waitFor();
    await t.page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await main.boundingBox()).toEqual(before);
    expect(await t.page.evaluate(() => (window as unknown as { __shift: number }).__shift)).toBe(0);
  });
});

/** What makes a control look the way it does, and whether it can be seen. */
const looks = (buttons: Locator) =>
  buttons.evaluateAll((elements) =>
    elements.map((el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return {
        text: el.textContent,
        ...Object.fromEntries(
          [
            'display',
            'visibility',
            'opacity',
            'color',
            'backgroundColor',
            'fontSize',
            'fontFamily',
            'fontWeight',
            'letterSpacing',
            'textTransform',
            'lineHeight',
          ].map((p) => [p, s.getPropertyValue(p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))]),
        ),
        size: [Math.round(r.width), Math.round(r.height)],
      };
    }),
  );

const HOSTILE_CSS = `
  #paloma-consent div, #paloma-consent button, #paloma-consent * { display: none !important; }
  div { visibility: hidden !important; opacity: 0.2 !important; }
  div:empty { display: none !important; }
  body > div:last-child { transform: scale(0.5) !important; filter: blur(4px) !important; }
  button { display: none !important; background: red !important; color: red !important; font-size: 4px !important; }
  section, [role="region"], [role="dialog"] { display: none !important; }
  html, body { font: 8px/1 serif !important; color: transparent !important; letter-spacing: 6px !important;
    text-transform: uppercase !important; visibility: hidden; }
`;

describe('host page styles', () => {
  it('cannot hide or restyle the banner', async () => {
    const ui = consentUI(t.page);
    await t.page.goto(t.server.page('/clean.html', testPage()));
    await ui.banner.waitFor();
    // CSS, not role, locators: hidden buttons must show up in the comparison, not vanish from it.
    const buttons = ui.host.locator('button');
    const clean = await looks(buttons);

    await t.page.goto(t.server.page('/hostile.html', testPage({ head: `<style>${HOSTILE_CSS}</style>` })));
    await ui.host.waitFor({ state: 'attached' });
    await buttons.first().waitFor({ state: 'attached' });
    expect(await looks(buttons)).toEqual(clean);
    for (const button of await buttons.all()) expect(await button.isVisible()).toBe(true);
    const host = await ui.host.evaluate((el) => {
      const s = getComputedStyle(el);
      return { display: s.display, opacity: s.opacity, transform: s.transform, filter: s.filter };
    });
    expect(host).toMatchObject({ opacity: '1', transform: 'none', filter: 'none' });
    expect(host.display).not.toBe('none');
  });
});

describe('Content-Security-Policy', () => {
  it("works under default-src 'self'; script-src 'self'; style-src 'self' with no violation", async () => {
    await t.context.addInitScript(() => {
      const w = window as unknown as { __violations: string[] };
      w.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    const csp = "default-src 'self'; script-src 'self'; style-src 'self'";
    const html = testPage({
      head: '<link rel="stylesheet" href="/styles.css">',
      body: [
        gatedSrc('/stubs/gtag.js', 'analytics'),
        gatedSrc('/stubs/metrika.js', 'analytics'),
        gatedSrc('/stubs/chat.js', 'functional'),
      ].join('\n'),
    });
    await t.page.goto(t.server.page('/csp.html', html, { headers: { 'Content-Security-Policy': csp } }));

    const ui = consentUI(t.page);
    await ui.banner.waitFor();
    // Styled: the SDK's stylesheet applied (unstyled, the banner would sit in the flow).
    expect(await ui.banner.evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['gtag', 'metrika', 'chat']);

    expect(await t.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
    expect(t.console.filter((m) => /Content.Security.Policy/i.test(m.text))).toEqual([]);
  });
});

describe('small screens and motion', () => {
  it('fits a 320 px wide screen at 200 % zoom: every control inside the viewport, nothing scrolls sideways', async () => {
    // A 640 px window at 200 % zoom lays out like this 320 CSS px viewport (the contract names both).
    const page = await t.newContext({ viewport: { width: 320, height: 640 }, deviceScaleFactor: 2 });
    await page.goto(t.server.page('/small.html', testPage()));
    const ui = consentUI(page);
    const inside = (controls: Locator) =>
      controls.evaluateAll((elements) =>
        elements.map((el) => {
          const r = el.getBoundingClientRect();
          return r.left >= 0 && r.right <= innerWidth && r.width >= 24 && r.height >= 24;
        }),
      );
    await ui.banner.waitFor();
    expect(await inside(ui.banner.getByRole('button'))).toEqual([true, true, true]);
    await ui.bannerButton('Customize').click();
    expect(await inside(ui.dialog.getByRole('button'))).toEqual([true, true, true, true]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  });

  it('moves nothing under prefers-reduced-motion', async () => {
    const transition = async (reducedMotion: 'reduce' | 'no-preference') => {
      const page = await t.newContext({ reducedMotion });
      await page.goto(t.server.page('/motion.html', testPage()));
      const ui = consentUI(page);
      await ui.bannerButton('Customize').click();
      return ui.switch('Analytics').evaluate((el) => getComputedStyle(el, '::before').transitionDuration);
    };
    expect(await transition('no-preference')).not.toBe('0s');
    expect(await transition('reduce')).toBe('0s');
  });
});
