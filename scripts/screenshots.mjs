#!/usr/bin/env node
// `npm run screenshots`: the script-tag example in English, Russian and Kazakh, on a desktop and a
// phone, with the banner and with the preferences dialog; PNGs in .screenshots/ (git-ignored).
// Needs `npm run build` first.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadHarness } from '../test/e2e/node-harness.mjs';

const OUT = '.screenshots';
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 360, height: 740 } };
const CUSTOMIZE = { en: 'Customize', ru: 'Настроить', kk: 'Баптау' };

const { startServer, launchBrowser } = await loadHarness();
const server = await startServer();
const browser = await launchBrowser();
const pages = { en: server.url('/'), ru: server.url('/ru.html'), kk: server.url('/kk.html') };
mkdirSync(OUT, { recursive: true });

let failed = false;
try {
  for (const [lang, url] of Object.entries(pages)) {
    for (const [device, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: device === 'phone' ? 2 : 1 });
      const page = await context.newPage();
      page.on('pageerror', (error) => {
        failed = true;
        console.error(`${lang}/${device}: page error: ${error.message}`);
      });
      await page.goto(url);
      const host = page.locator('#paloma-consent');
      await host.getByRole('region').waitFor();
      const banner = join(OUT, `banner-${lang}-${device}.png`);
      await page.screenshot({ path: banner });
      console.log(banner);

      await host.getByRole('button', { name: CUSTOMIZE[lang], exact: true }).click();
      await host.locator('[role="dialog"][aria-modal="true"]').waitFor();
      const dialog = join(OUT, `preferences-${lang}-${device}.png`);
      await page.screenshot({ path: dialog });
      console.log(dialog);
      await context.close();
    }
  }
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
