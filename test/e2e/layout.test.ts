/**
 * The UI's layout as a visitor sees it, measured in Chromium: no button label wraps on a desktop
 * in any built-in language, the buttons stack full width on a phone, the `theme` option, and the
 * banner hidden under the dialog it opened.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CONFIG, consentUI, testPage } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

const CUSTOMIZE = { en: 'Customize', ru: 'Настроить', kk: 'Баптау' } as const;
type Lang = keyof typeof CUSTOMIZE;
const LANGS = Object.keys(CUSTOMIZE) as Lang[];

interface Measured {
  label: string;
  /** Lines of the label's text: distinct tops of its rectangles. */
  lines: number;
  width: number;
  height: number;
}

/** Each button in `selector` (inside the shadow root): its label's line count and its size. */
const buttons = (page: Page, selector: string): Promise<Measured[]> =>
  page.evaluate((sel) => {
    const root = document.getElementById('paloma-consent')?.shadowRoot;
    return Array.from(root?.querySelectorAll<HTMLElement>(sel) ?? [], (button) => {
      const range = document.createRange();
      range.selectNodeContents(button);
      const tops = new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top)));
      const { width, height } = button.getBoundingClientRect();
      return { label: button.textContent ?? '', lines: tops.size, width, height };
    });
  }, selector);

/** The width of the content box of the element matching `selector` in the shadow root. */
const contentWidth = (page: Page, selector: string) =>
  page.evaluate((sel) => {
    const el = document.getElementById('paloma-consent')?.shadowRoot?.querySelector<HTMLElement>(sel);
    if (!el) return -1;
    const style = getComputedStyle(el);
    return el.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
  }, selector);

async function open(lang: Lang, width: number, config: object = CONFIG) {
  await t.newContext({ viewport: { width, height: 800 } });
  await t.page.goto(t.server.page(`/layout-${lang}.html`, testPage({ lang, config })));
  const ui = consentUI(t.page);
  await ui.banner.waitFor();
  return ui;
}

describe('button labels', () => {
  for (const lang of LANGS) {
    it(`no label wraps at 1280 px in ${lang}, in the banner and in the dialog, and the buttons share one size`, async () => {
      const ui = await open(lang, 1280);
      const banner = await buttons(t.page, '.bn .bs button');
      expect(banner).toHaveLength(3);
      for (const b of banner) expect(b.lines, b.label).toBe(1);
      expect(new Set(banner.map((b) => Math.round(b.width))).size, 'one width').toBe(1);
      expect(new Set(banner.map((b) => Math.round(b.height))).size, 'one height').toBe(1);

      await ui.bannerButton(CUSTOMIZE[lang]).click();
      await ui.dialog.waitFor();
      const dialog = await buttons(t.page, '.dl .bs button');
      expect(dialog).toHaveLength(3);
      for (const b of dialog) expect(b.lines, b.label).toBe(1);
      expect(new Set(dialog.map((b) => Math.round(b.width))).size, 'one width').toBe(1);
    });
  }

  for (const layout of ['bar', 'box']) {
    for (const lang of LANGS) {
      it(`at 375 px the three buttons stack, each as wide as the ${layout} banner's content box (${lang})`, async () => {
        const ui = await open(lang, 375, { ...CONFIG, layout });
        const banner = await buttons(t.page, '.bn .bs button');
        const box = await contentWidth(t.page, '.bn');
        expect(box).toBeGreaterThan(250);
        for (const b of banner) {
          expect(b.width, b.label).toBeCloseTo(box, 0);
          expect(b.lines, b.label).toBe(1);
        }

        await ui.bannerButton(CUSTOMIZE[lang]).click();
        await ui.dialog.waitFor();
        const dialog = await buttons(t.page, '.dl .bs button');
        const dialogBox = await contentWidth(t.page, '.dl');
        for (const b of dialog) expect(b.width, b.label).toBeCloseTo(dialogBox, 0);
      });
    }
  }
});

describe('theme', () => {
  const background = (page: Page) =>
    page.evaluate(() => {
      const banner = document.getElementById('paloma-consent')?.shadowRoot?.querySelector('.bn');
      return banner ? getComputedStyle(banner).backgroundColor : '';
    });
  const placeholderBackground = (page: Page) =>
    page.locator('paloma-placeholder').evaluate((host) => {
      const box = host.shadowRoot?.querySelector('.ph');
      return box ? getComputedStyle(box).backgroundColor : '';
    });
  const EMBED =
    '<iframe title="Video" width="400" height="225" data-category="functional" data-src="about:blank"></iframe>';
  const WHITE = 'rgb(255, 255, 255)';
  const DARK = 'rgb(34, 34, 34)';

  const PLACEHOLDER_LIGHT = 'rgb(242, 242, 242)';
  for (const [theme, scheme, expected, placeholder] of [
    [undefined, 'light', WHITE, PLACEHOLDER_LIGHT],
    [undefined, 'dark', DARK, DARK],
    ['auto', 'dark', DARK, DARK],
    ['light', 'dark', WHITE, PLACEHOLDER_LIGHT],
    ['dark', 'light', DARK, DARK],
  ] as const) {
    it(`theme ${theme ?? '(default)'} under prefers-color-scheme: ${scheme} paints the banner ${expected} and a placeholder ${placeholder}`, async () => {
      await t.newContext({ colorScheme: scheme });
      const config = theme ? { ...CONFIG, theme } : CONFIG;
      await t.page.goto(t.server.page('/theme.html', testPage({ config, body: EMBED })));
      await consentUI(t.page).banner.waitFor();
      expect(await t.page.locator('#paloma-consent').getAttribute('data-theme')).toBe(theme ?? 'auto');
      expect(await background(t.page)).toBe(expected);
      expect(await placeholderBackground(t.page)).toBe(placeholder);
    });
  }
});

describe('the banner under the dialog', () => {
  it('is hidden while the dialog it opened is up, and shows again (with focus) when the dialog closes', async () => {
    const ui = await open('en', 1280);
    await ui.bannerButton('Customize').click();
    await ui.dialog.waitFor();
    expect(await ui.banner.isVisible()).toBe(false);
    expect(await ui.host.locator('section').count(), 'still there, to take focus back').toBe(1);
    await t.page.keyboard.press('Escape');
    await ui.dialog.waitFor({ state: 'detached' });
    expect(await ui.banner.isVisible()).toBe(true);
    expect(await ui.bannerButton('Customize').evaluate((b) => b.matches(':focus'))).toBe(true);
  });
});

describe('cookie declaration', () => {
  it("lists a category's cookies collapsed under it; the summary opens by keyboard and is a 24 px target", async () => {
    const cookies = [
      '_ga_*',
      { name: '_ym_uid', purpose: { en: 'Visitor id', ru: 'Идентификатор' }, lifetime: '1 year' },
    ];
    const ui = await open('en', 1280, { ...CONFIG, categories: { analytics: { cookies } } });
    await ui.bannerButton('Customize').click();
    await ui.dialog.waitFor();
    const summary = ui.dialog.locator('summary');
    expect(await summary.count()).toBe(1);
    const item = ui.dialog.locator('details li');
    expect(await item.isVisible()).toBe(false);
    expect((await summary.boundingBox())?.height).toBeGreaterThanOrEqual(24);
    await summary.focus();
    await t.page.keyboard.press('Enter');
    expect(await item.isVisible()).toBe(true);
    expect(await item.textContent()).toBe('_ym_uid — Visitor id — 1 year');
  });
});
