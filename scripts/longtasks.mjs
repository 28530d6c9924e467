#!/usr/bin/env node
// `node scripts/longtasks.mjs`: long tasks (over 50 ms) while the script-tag example loads and
// shows the banner, with the CPU throttled 4× (as Lighthouse's mobile profile does), over 5 runs,
// next to the same page without the SDK, so what the SDK adds stands out. Reports only: timings
// vary between machines, so nothing is asserted. Needs `npm run build` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHarness } from '../test/e2e/node-harness.mjs';

const RUNS = 5;
const THROTTLE = 4;
const SETTLE_MS = 500;

const { startServer, launchBrowser, EXAMPLE } = await loadHarness();
const server = await startServer();
const browser = await launchBrowser();
const withoutSdk = readFileSync(join(EXAMPLE, 'index.html'), 'utf8').replace(
  '<script src="/consent.min.js" defer></script>',
  '',
);

/** Long tasks from navigation until `ready` resolves, plus a moment for the last ones to be reported. */
async function measure(url, ready) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  await page.goto(url);
  await ready(page);
  await page.waitForTimeout(SETTLE_MS);
  const tasks = await page.evaluate(() => window.__longTasks);
  await context.close();
  return { count: tasks.length, longest: Math.max(0, ...tasks) };
}

const summary = (label, results) => {
  const total = results.reduce((n, r) => n + r.count, 0);
  const longest = Math.max(...results.map((r) => r.longest));
  console.log(
    `${label}: ${total} long task(s) over ${RUNS} runs (${(total / RUNS).toFixed(1)} per run), longest ${longest.toFixed(0)} ms`,
  );
};

let status = 0;
try {
  const sdk = [];
  const baseline = [];
  for (let run = 1; run <= RUNS; run++) {
    const a = await measure(server.url('/'), (page) =>
      page.locator('#paloma-consent').getByRole('region').waitFor({ timeout: 15_000 }),
    );
    const b = await measure(server.page('/without-sdk.html', withoutSdk), async () => {});
    sdk.push(a);
    baseline.push(b);
    console.log(
      `run ${run}: with the banner ${a.count} long task(s), longest ${a.longest.toFixed(0)} ms; ` +
        `without the SDK ${b.count}, longest ${b.longest.toFixed(0)} ms`,
    );
  }
  console.log(`CPU throttled ${THROTTLE}×`);
  summary('example page showing the banner', sdk);
  summary('same page without the SDK      ', baseline);
} catch (error) {
  console.error('the example page failed to load or show the banner:', error);
  status = 1;
} finally {
  await browser.close();
  await server.close();
}
process.exit(status);
