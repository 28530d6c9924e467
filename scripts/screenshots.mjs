#!/usr/bin/env node
// `npm run screenshots`: every surface of the UI on the script-tag example, in English, Russian and
// Kazakh, on a desktop (1280 px) and a phone (375 px), in light and dark: the banner in both layouts
// (`bar`, `box`), the preferences dialog, and after a decision the settings button and the
// placeholder of the page's refused video. PNGs in
// .screenshots/ (git-ignored), named <surface>-<lang>-<width>-<scheme>.png. Needs `npm run build` first.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHarness } from '../test/e2e/node-harness.mjs';
import { consoleScreenshots } from './console-screenshots.mjs';

const OUT = '.screenshots';
const VIEWPORTS = { 1280: { width: 1280, height: 800 }, 375: { width: 375, height: 740 } };
const SCHEMES = ['light', 'dark'];
const CUSTOMIZE = { en: 'Customize', ru: 'Настроить', kk: 'Баптау' };
const REJECT = { en: 'Reject all', ru: 'Отклонить все', kk: 'Барлығынан бас тарту' };
const FILES = { en: 'index.html', ru: 'ru.html', kk: 'kk.html' };

const { startServer, launchBrowser, EXAMPLE } = await loadHarness();
const server = await startServer();
const browser = await launchBrowser();
mkdirSync(OUT, { recursive: true });

/** The example page of `lang` with extra options merged into its configuration. */
const variant = (lang, layout, options) => {
  const html = readFileSync(join(EXAMPLE, FILES[lang]), 'utf8');
  const extra = Object.entries(options)
    .map(([key, value]) => `"${key}": ${JSON.stringify(value)}, `)
    .join('');
  return server.page(`/shot-${layout}-${FILES[lang]}`, html.replace('"policyVersion"', `${extra}"policyVersion"`));
};

let failed = false;
const shot = async (page, name) => {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  console.log(path);
};

try {
  for (const lang of Object.keys(FILES)) {
    const pages = { bar: variant(lang, 'bar', {}), box: variant(lang, 'box', { layout: 'box', settingsButton: true }) };
    for (const [width, viewport] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const suffix = `${lang}-${width}-${colorScheme}`;
        const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: width === '375' ? 2 : 1 });
        const page = await context.newPage();
        page.on('pageerror', (error) => {
          failed = true;
          console.error(`${suffix}: page error: ${error.message}`);
        });
        const host = page.locator('#paloma-consent');
        for (const [layout, url] of Object.entries(pages)) {
          await context.clearCookies();
          await page.goto(url);
          await host.getByRole('region').waitFor();
          await shot(page, `banner-${layout}-${suffix}`);
          if (layout === 'bar') {
            await host.getByRole('button', { name: CUSTOMIZE[lang], exact: true }).click();
            await host.locator('[role="dialog"][aria-modal="true"]').waitFor();
            await shot(page, `preferences-${suffix}`);
          } else {
            await host.getByRole('button', { name: REJECT[lang], exact: true }).click();
            await host.locator('button.sb').waitFor();
            await shot(page, `settings-button-${suffix}`);
            await page.locator('paloma-placeholder').first().scrollIntoViewIfNeeded();
            await shot(page, `placeholder-${suffix}`);
          }
        }
        await context.close();
      }
    }
  }
  // The collector's operator console (console-<page>-<lang>-1280.png).
  await consoleScreenshots(browser, shot);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
