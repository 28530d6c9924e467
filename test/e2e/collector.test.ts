/**
 * The bundle in Chromium posting to a running collector on another loopback origin: pages
 * are served from `localhost` (or a test domain mapped to 127.0.0.1) and the collector
 * listens on `127.0.0.1`, so every receipt is a real cross-origin request with a preflight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listen, type RunningCollector } from '../../packages/collector/src/index.js';
import { TEST_DOMAIN } from './browser.js';
import { CONFIG, consentUI, decision, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { outbox } from './receipts-helpers.js';

const t = useE2E();
const dir = mkdtempSync(join(tmpdir(), 'paloma-e2e-collector-'));
let collector: RunningCollector;

beforeAll(async () => {
  // The harness's server is up by now: allow its origin under the name `localhost` only.
  const allowOrigins = [`http://localhost:${t.server.port}`];
  collector = await listen({ port: 0, host: '127.0.0.1', db: join(dir, 'receipts.sqlite'), allowOrigins });
});

afterAll(async () => {
  await collector?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a page on `host` whose endpoint is the collector, and returns its UI. */
async function visit(host: string) {
  const config = { ...CONFIG, endpoint: `${collector.url}/receipts` };
  t.server.page('/shop.html', testPage({ config }));
  await t.page.goto(t.server.url('/shop.html', host));
  return consentUI(t.page);
}

const storedFor = async () => collector.collector.store.bySubject((await decision(t.page))!.subjectId);
const waiting = () => outbox(t.page).then((entries) => entries.length);

// Playwright does not surface preflights; the POST carrying `Idempotency-Key` cross-origin can only
// have been sent after the collector answered one.
it('stores the receipt of a decision made on an allowed origin, cross-origin', async () => {
  const ui = await visit('localhost');
  const posted = t.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(collector.url));
  await ui.bannerButton('Accept all').click();
  expect((await posted).status()).toBe(201);

  const stored = await storedFor();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({
    method: 'accept_all',
    page: `http://localhost:${t.server.port}/shop.html`,
    previousReceiptId: null,
  });
  await expect.poll(waiting).toBe(0);
});

it('stores nothing from an origin off the allow-list, and the receipt waits in the outbox', async () => {
  const ui = await visit(`www.${TEST_DOMAIN}`);
  const blocked = t.page.waitForEvent('requestfailed', (r) => r.url().startsWith(collector.url));
  await ui.bannerButton('Reject all').click();
  await blocked; // no Access-Control-Allow-Origin for this page: the browser refuses the answer

  expect(await storedFor()).toEqual([]);
  expect(await waiting()).toBe(1);
});
