/** Keyboard use, focus management and axe-core on the banner and the dialog (design 3.6). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consentUI, decision, EXAMPLE_ANALYTICS, expectRan, focused, tabUntil } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core on the whole document (it follows open shadow roots): `rule: targets` per violation. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

async function visit() {
  await t.page.goto(t.server.url('/'));
  const ui = consentUI(t.page);
  await ui.banner.waitFor();
  return ui;
}

describe('keyboard', () => {
  it('a keyboard-only visitor reaches the banner, customizes, escapes and saves', async () => {
    const ui = await visit();
    const onTheWay = await tabUntil(t.page, (f) => f.where === 'banner' && f.name === 'Customize');
    const bannerButtons = onTheWay.filter((f) => f.where === 'banner' && f.tag === 'button').map((f) => f.name);
    expect(bannerButtons).toEqual(['Accept all', 'Reject all', 'Customize']);

    await t.page.keyboard.press('Enter');
    await ui.dialog.waitFor();
    expect((await focused(t.page)).where).toBe('dialog');
    const switches = await tabUntil(t.page, (f) => f.role === 'switch');
    expect(switches.at(-1)).toMatchObject({ name: 'Analytics', checked: false });
    await t.page.keyboard.press('Space');
    expect(await focused(t.page)).toMatchObject({ name: 'Analytics', checked: true });
    await t.page.keyboard.press('Tab');
    expect(await focused(t.page)).toMatchObject({ role: 'switch', name: 'Functional', checked: false });

    await t.page.keyboard.press('Escape');
    await ui.dialog.waitFor({ state: 'detached' });
    expect(await focused(t.page)).toMatchObject({ where: 'banner', name: 'Customize' });
    expect(await decision(t.page)).toBeNull();

    await t.page.keyboard.press('Enter');
    await ui.dialog.waitFor();
    await tabUntil(t.page, (f) => f.name === 'Analytics');
    await t.page.keyboard.press('Space');
    await tabUntil(t.page, (f) => f.name === 'Save preferences');
    await t.page.keyboard.press('Enter');
    await expectRan(t.page, EXAMPLE_ANALYTICS);
    expect(await decision(t.page)).toMatchObject({
      method: 'custom',
      categories: { analytics: true, functional: false },
    });
  });

  it('the preferences dialog is modal: aria-modal, focus trapped both ways, back to the opener on Escape', async () => {
    const ui = consentUI(t.page);
    await t.page.goto(t.server.url('/'));
    await ui.bannerButton('Reject all').click();
    await ui.footerLink.focus();
    await t.page.keyboard.press('Enter');
    await ui.dialog.waitFor();
    expect(await ui.dialog.getAttribute('aria-modal')).toBe('true');
    expect(await t.page.getByRole('dialog', { name: 'Cookie settings' }).count()).toBe(1);

    for (const key of ['Tab', 'Shift+Tab']) {
      for (let i = 0; i < 15; i++) {
        await t.page.keyboard.press(key);
        expect((await focused(t.page)).where, `${key} × ${i + 1}`).toBe('dialog');
      }
    }

    await t.page.keyboard.press('Escape');
    await ui.dialog.waitFor({ state: 'detached' });
    expect(await focused(t.page)).toMatchObject({ where: 'page', name: 'Cookie settings' });
  });

  it('the banner never hides the focused element (WCAG 2.4.11)', async () => {
    const ui = await visit();
    const banner = (await ui.banner.boundingBox())!;
    const hidden: string[] = [];
    // Every focusable element of the page, up to the banner at the end of <body>.
    await tabUntil(t.page, async (f) => {
      if (f.where !== 'page') return true;
      const r = await t.page.evaluate(() => document.activeElement!.getBoundingClientRect().toJSON());
      const inside = (a: number, b: number, start: number, size: number) => a >= start && b <= start + size;
      if (inside(r.top, r.bottom, banner.y, banner.height) && inside(r.left, r.right, banner.x, banner.width)) {
        hidden.push(f.name);
      }
      return false;
    });
    expect(hidden, 'page elements that are entirely behind the banner when focused').toEqual([]);
  });
});

describe('axe-core', () => {
  it('finds no violations with the banner showing', async () => {
    await visit();
    expect(await axeViolations(t.page)).toEqual([]);
  });

  it('finds no violations with the preferences dialog open', async () => {
    const ui = await visit();
    await ui.bannerButton('Customize').click();
    await ui.dialog.waitFor();
    expect(await axeViolations(t.page)).toEqual([]);
  });
});
