/**
 * Where focus goes when the banner or the dialog closes: back to where the visitor was, never to
 * `<body>`, and without scrolling the page (the visitor may have scrolled since).
 */
import { describe, expect, it } from 'vitest';
import { consentUI, testPage } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

const PAGE = testPage({
  body: `<button id="start">Start here</button>
<div style="height:3000px"></div>
<a id="open" href="#" data-consent-open>Cookie settings</a>
<div style="height:3000px"></div>
<button id="last">Last page control</button>
<div style="height:1500px"></div>`,
});

/** The focused element's id (followed into the shadow root: the UI's buttons have none, so their text). */
const where = () =>
  t.page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.id || `${active?.tagName.toLowerCase()}:${active?.textContent?.trim()}`;
  });
const scrollY = () => t.page.evaluate(() => window.scrollY);
const scrollTo = (y: number) => t.page.evaluate((to) => window.scrollTo(0, to), y);

async function visit(decided = false) {
  await t.page.goto(t.server.page('/focus.html', PAGE));
  const ui = consentUI(t.page);
  if (decided) {
    await t.page.waitForFunction(() => window.PalomaConsent?.get);
    await t.page.evaluate(() => window.PalomaConsent.rejectAll());
  } else await ui.banner.waitFor();
  return ui;
}

describe('focus after a decision', () => {
  for (const name of ['Accept all', 'Reject all']) {
    it(`${name} in the banner (a click) gives focus back to the page's element, without scrolling`, async () => {
      const ui = await visit();
      await t.page.focus('#start');
      await scrollTo(1500);
      await ui.bannerButton(name).click();
      await ui.banner.waitFor({ state: 'detached' });
      expect(await where()).toBe('start');
      expect(await scrollY()).toBe(1500);
    });
  }

  it('Accept all in the banner (keyboard, Tab from the last control) gives focus back to that control', async () => {
    const ui = await visit();
    await t.page.focus('#last');
    await t.page.keyboard.press('Tab');
    expect(await where()).toBe('button:Accept all');
    const y = await scrollY();
    await t.page.keyboard.press('Enter');
    await ui.banner.waitFor({ state: 'detached' });
    expect(await where()).toBe('last');
    expect(await scrollY()).toBe(y);
  });

  // Closing without a decision goes back to the banner, to the button that opened the dialog.
  const closers: Array<[string, string]> = [
    ['Save preferences', 'start'],
    ['Accept all', 'start'],
    ['Reject all', 'start'],
    ['Escape', 'button:Customize'],
    ['Close', 'button:Customize'],
  ];
  for (const [closer, expected] of closers) {
    it(`the dialog opened from the banner, closed by ${closer}: focus on ${expected}, no scroll`, async () => {
      const ui = await visit();
      await t.page.focus('#start');
      await scrollTo(1500);
      await ui.bannerButton('Customize').click();
      await ui.dialog.waitFor();
      await scrollTo(2200);
      if (closer === 'Escape') await t.page.keyboard.press('Escape');
      else await ui.dialogButton(closer).click();
      await ui.dialog.waitFor({ state: 'detached' });
      expect(await where()).toBe(expected);
      expect(await scrollY()).toBe(2200);
    });

    it(`the dialog opened from a data-consent-open link, closed by ${closer}: focus on the link, no scroll`, async () => {
      const ui = await visit(true);
      await t.page.focus('#open');
      await t.page.keyboard.press('Enter');
      await ui.dialog.waitFor();
      const y = (await scrollY()) + 700;
      await scrollTo(y);
      if (closer === 'Escape') await t.page.keyboard.press('Escape');
      else await ui.dialogButton(closer).click();
      await ui.dialog.waitFor({ state: 'detached' });
      expect(await where()).toBe('open');
      expect(await scrollY()).toBe(y);
    });
  }
});
