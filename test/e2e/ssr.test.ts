/**
 * examples/ssr-node: the server reads the decision from the Cookie header and leaves refused
 * categories' tags out of the HTML; a decided visitor never sees a banner, not for a frame.
 * The example runs as a user runs it, as its own Node process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentUI, settle } from './consent.js';
import { useE2E } from './harness.js';
import { ROOT } from './server.js';

const t = useE2E();
let example: ChildProcess;
let origin = '';

beforeAll(async () => {
  example = spawn(process.execPath, [join(ROOT, 'examples/ssr-node/server.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(example.stdout!, 'data')) as [Buffer];
  origin = /http:\/\/127\.0\.0\.1:\d+/.exec(line.toString())?.[0] ?? '';
  expect(origin).not.toBe('');
});
afterAll(() => {
  example?.kill();
});

/** Loads the page, recording from its first moment whether the banner's buttons ever appear. */
async function visit() {
  await t.page.addInitScript(() => {
    const w = window as unknown as { bannerSeen: boolean };
    w.bannerSeen = false;
    const look = () => {
      if (document.getElementById('paloma-consent')?.shadowRoot?.querySelector('button')) w.bannerSeen = true;
      else requestAnimationFrame(look);
    };
    look();
  });
  const scripts: string[] = [];
  t.page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await t.page.goto(`${origin}/`);
  return { ui: consentUI(t.page), scripts };
}

const html = async () => (await t.page.request.get(`${origin}/`)).text();
const ran = () => t.page.evaluate(() => (window as unknown as { ran?: string[] }).ran ?? []);
const bannerSeen = () => t.page.evaluate(() => (window as unknown as { bannerSeen: boolean }).bannerSeen);

describe('server-side rendering with readConsent (examples/ssr-node)', () => {
  it('renders every tag gated for an undecided visitor, who sees the banner', async () => {
    const { ui } = await visit();
    await ui.banner.waitFor();
    expect(await bannerSeen()).toBe(true);
    const page = await html();
    expect(page).toContain('<html lang="en" data-consent="undecided">');
    expect(page).toContain('<script type="text/plain" data-category="analytics" src="/analytics.js">');
    await settle(t.page);
    expect(await ran()).toEqual([]);
  });

  it('leaves the analytics tag out of the HTML for a visitor who refused, and shows no banner', async () => {
    const { ui } = await visit();
    await ui.bannerButton('Reject all').click();
    expect(await html()).not.toContain('analytics.js');

    const next = await visit();
    await settle(t.page, 500);
    expect(await bannerSeen()).toBe(false);
    expect(next.scripts).not.toContain('/analytics.js');
    expect(next.scripts).not.toContain('/chat.js');
    expect(await ran()).toEqual([]);
    expect(await t.page.evaluate(() => document.documentElement.dataset.consent)).toBe('decided');
    expect(await t.page.locator('script[data-category]').count()).toBe(0);
  });

  it('renders and runs what a visitor allowed, keeps out what they refused, and shows no banner', async () => {
    const { ui } = await visit();
    await ui.bannerButton('Customize').click();
    await ui.switch('Analytics').check();
    await ui.dialogButton('Save preferences').click();
    await expect.poll(ran).toEqual(['analytics']);

    const next = await visit();
    await expect.poll(ran).toEqual(['analytics']);
    await settle(t.page, 500);
    expect(await bannerSeen()).toBe(false);
    expect(next.scripts).toContain('/analytics.js');
    const page = await html();
    expect(page).toContain('analytics.js');
    expect(page).not.toContain('chat.js');
  });
});
