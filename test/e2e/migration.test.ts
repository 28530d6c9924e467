/**
 * docs/migrating-from-vanilla-cookieconsent.md says vanilla-cookieconsent v3's gated markup works as it is,
 * and names the two forms that do not: `data-src` on a script, and `data-category="!<id>"`.
 */
import { expect, it } from 'vitest';
import { consentUI, expectRan, gatedInline, gatedSrc, marker, ran, settle, testPage } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

/** Markup as vanilla-cookieconsent's documentation writes it. */
const VANILLA_MARKUP = [
  gatedInline('inline', 'analytics', ' data-service="Google Analytics"'),
  gatedSrc('/vanilla/stats.js', 'analytics', ' data-service="Yandex Metrica"'),
  gatedSrc('/vanilla/module.js', 'functional', ' data-type="module"'),
  '<script type="text/plain" data-category="analytics" data-src="/vanilla/data-src.js"></script>',
  gatedInline('negated', '!analytics'),
].join('\n');

async function open() {
  t.server.page('/vanilla/stats.js', marker('src'));
  // `import.meta` is a syntax error in a classic script: this records only if it ran as a module.
  t.server.page('/vanilla/module.js', "(window.__ran = window.__ran || []).push('module:' + typeof import.meta);");
  t.server.page('/vanilla/data-src.js', marker('data-src'));
  await t.page.goto(t.server.page('/vanilla.html', testPage({ body: VANILLA_MARKUP })));
  return consentUI(t.page);
}

it("runs vanilla-cookieconsent's gated scripts unchanged once their categories are allowed", async () => {
  const ui = await open();
  await settle(t.page);
  expect(await ran(t.page)).toEqual([]);

  await ui.bannerButton('Accept all').click();
  await expectRan(t.page, ['inline', 'src', 'module:object']);
  // The two forms the guide says to change: a script's `data-src` is never fetched, `!analytics` never runs.
  expect(t.server.requested('/vanilla/data-src.js')).toBe(false);
});

it('never runs a `!category` script, also when the category is refused', async () => {
  const ui = await open();
  await ui.bannerButton('Reject all').click();
  await settle(t.page);
  expect(await ran(t.page)).toEqual([]);
});
