/** examples/npm-react in Chromium: useConsent() follows the banner, reset() and the app's own actions. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { consentUI } from './consent.js';
import { useE2E } from './harness.js';
import { ROOT } from './server.js';

const t = useE2E();
const out = mkdtempSync(join(tmpdir(), 'paloma-react-example-'));
const files: [path: string, body: string][] = [];

beforeAll(async () => {
  // The example as `npm run example:react` builds it (against packages/consent/dist), into a folder of our own.
  await build({
    configFile: join(ROOT, 'examples/npm-react/vite.config.ts'),
    build: { outDir: out, emptyOutDir: true },
    logLevel: 'silent',
  });
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  for (const file of walk(out)) files.push([`/react/${relative(out, file)}`, readFileSync(file, 'utf8')]);
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

beforeEach(async () => {
  for (const [path, body] of files) t.server.page(path, body);
  // The map is a third-party embed: answered here, never fetched.
  await t.context.route('https://www.openstreetmap.org/**', (route) => route.fulfill({ body: 'a map' }));
});

const status = () => t.page.locator('main output').textContent();
const map = () => t.page.locator('iframe[title="Office map"]');

it('renders undecided, then the decision the banner records, then undecided again after reset()', async () => {
  await t.page.goto(t.server.url('/react/index.html'));
  expect(await status()).toBe('Not decided yet');
  expect(await map().count()).toBe(0);

  await consentUI(t.page).bannerButton('Accept all').click();
  await expect.poll(status).toMatch(/^Decided \(accept_all\)/);
  expect(await map().count()).toBe(1);

  await t.page.getByRole('button', { name: 'Forget my choice' }).click();
  await expect.poll(status).toBe('Not decided yet');
  expect(await map().count()).toBe(0);
});

it("allows the map from the app's own button, keeping the other choices refused", async () => {
  await t.page.goto(t.server.url('/react/index.html'));
  await t.page.getByRole('button', { name: /Show the map/ }).click();
  await expect.poll(status).toMatch(/^Decided \(custom\)/);
  expect(await map().count()).toBe(1);
  expect(await t.page.evaluate(() => document.cookie)).toContain('paloma_consent');
  const [receipt] = await t.server.receipts.wait(1);
  expect(receipt?.body).toMatchObject({
    method: 'custom',
    categories: { necessary: true, analytics: false, functional: false, maps: true },
  });
});
