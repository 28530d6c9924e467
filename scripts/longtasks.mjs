#!/usr/bin/env node
// `node scripts/longtasks.mjs [--returning] [--hint] [--compile] [--runs N]`: how long the SDK holds the main thread on the
// script-tag example with the CPU throttled 4× (as Lighthouse's mobile profile does), over 5 runs.
//
// Default: a first visit, while the engine loads, fetches the UI file and shows the banner.
// --returning: a returning visitor (accepted on a first visit; a fresh context holding only the cookies and
//   localStorage that visit left, Playwright's storageState), until the gated scripts have run: the engine alone.
// --hint: what V8's compile hint (`//# allFunctionsCalledOnLoad`, the engine's first line) does for a returning
//   visitor: interleaved loads of the engine as built and of a copy without that line (served at
//   /nohint/consent.min.js), 10 runs each by default, script time (CDP ScriptDuration, untraced loads) and the engine's
//   first task (traced loads).
//
// Counting long tasks says little here: the page without the SDK has long tasks of its own (its first
// layout, the browser setting up the document). So each load is traced, and a main-thread task counts as
// the SDK's when work in it runs consent.min.js or a consent-ui.*.min.js file (scripts/trace-tasks.mjs). For
// the longest of those the script prints how long it took, how much of it ran inside SDK code, and where the
// time went (compile/parse, script, style/layout, other), next to the longest task of the page without the
// SDK. Reports only: timings vary between machines, so nothing is asserted. Needs `npm run build` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHarness } from '../test/e2e/node-harness.mjs';
import { describe, isConsentFile, longest, sdkTasks, tasksOf, traceCategories } from './trace-tasks.mjs';

const RETURNING = process.argv.includes('--returning');
const HINT = process.argv.includes('--hint');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : HINT ? 10 : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a whole number of runs, 1 or more');
const THROTTLE = 4;
const SETTLE_MS = 500;
/** --hint: after `load`, time for the gated scripts to run before the metrics are read (nothing is evaluated before). */
const HINT_SETTLE_MS = 1000;
const LONG_MS = 50;
const SDK_SCRIPT = '/consent.min.js';
const HINT_LINE = '//# allFunctionsCalledOnLoad\n';
const isSdkUrl = isConsentFile;
// V8's compile steps only on request: tracing them slows what is measured (the SDK's first task took about
// 1.5× as long), so by default a function compiled on its first call counts as script, and compile/parse is
// only the script's own compile.
const COMPILE = process.argv.includes('--compile');
const CATEGORIES = traceCategories(COMPILE);

const { startServer, launchBrowser, EXAMPLE, BUNDLE } = await loadHarness();
const server = await startServer();
const browser = await launchBrowser();
const example = readFileSync(join(EXAMPLE, 'index.html'), 'utf8');
const sdkTag = `<script src="${SDK_SCRIPT}" defer></script>`;
if (!example.includes(sdkTag))
  throw new Error(`examples/script-tag/index.html no longer loads ${SDK_SCRIPT} as expected`);
const withoutSdk = example.replace(sdkTag, '');

const throttled = async (context, page) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  return cdp;
};

/** The trace of one load in a fresh context (cold caches), from navigation until `ready` and a moment more. */
async function trace(url, ready, storageState) {
  const context = await browser.newContext({ storageState });
  const page = await context.newPage();
  await throttled(context, page);
  await browser.startTracing(undefined, { categories: CATEGORIES });
  let events;
  try {
    await page.goto(url);
    await ready(page);
    await page.waitForTimeout(SETTLE_MS);
  } finally {
    events = JSON.parse(await browser.stopTracing()).traceEvents;
    await context.close();
  }
  return events;
}

/** The example's gated analytics tags have run (they push to window.__ran). */
const gatedRan = (page) =>
  page.waitForFunction(() => (window.__ran ?? []).includes('gtag-config'), undefined, { timeout: 15_000 });
const banner = (page) => page.locator('#paloma-consent').getByRole('region').waitFor({ timeout: 15_000 });

/** A first visit that accepts everything; what it left (cookies, localStorage) for a returning visit. */
async function acceptedState(url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('#paloma-consent').getByRole('button', { name: 'Accept all', exact: true }).first().click();
    await gatedRan(page);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** The median and the longest of the runs' longest tasks, each with its breakdown. */
function summary(label, runs) {
  const sorted = runs.toSorted((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  console.log(`${label}\n  median ${describe(median)}\n  max    ${describe(sorted.at(-1))}`);
}

const stats = (values) => {
  const xs = values.toSorted((a, b) => a - b);
  const mid = xs.length >> 1;
  return { median: xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2, min: xs[0], max: xs.at(-1) };
};
const range = (values) => {
  const { median, min, max } = stats(values);
  return `median ${median.toFixed(1)} ms (${min.toFixed(1)}–${max.toFixed(1)})`;
};

/** The SDK's tasks in one traced load, the longest and the tasks over LONG_MS printed. */
function sdkRun(run, events, url) {
  const tasks = sdkTasks(tasksOf(events, url, isSdkUrl));
  if (tasks.length === 0) throw new Error(`no main-thread task ran ${SDK_SCRIPT}`);
  const over = tasks.filter((t) => t.ms > LONG_MS).length;
  const list = tasks.map((t) => `${t.ms.toFixed(0)} ms (${t.entry}: ${t.files.join(' + ')})`).join(', ');
  console.log(`run ${run}: SDK tasks ${list}; ${over} over ${LONG_MS} ms`);
  console.log(`  longest ${describe(longest(tasks))}`);
  return tasks;
}

/** --hint: one returning-visit load, untraced: script time after the gated scripts had time to run. */
async function scriptTime(url, storageState) {
  const context = await browser.newContext({ storageState });
  try {
    const page = await context.newPage();
    const cdp = await throttled(context, page);
    await cdp.send('Performance.enable');
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(HINT_SETTLE_MS);
    const { metrics } = await cdp.send('Performance.getMetrics');
    if (!(await page.evaluate(() => (window.__ran ?? []).includes('gtag-config'))))
      throw new Error(`${url}: the gated scripts did not run within ${HINT_SETTLE_MS} ms of load`);
    return metrics.find((m) => m.name === 'ScriptDuration').value * 1000;
  } finally {
    await context.close();
  }
}

async function hint(url, state) {
  const engine = readFileSync(BUNDLE, 'utf8');
  if (!engine.startsWith(HINT_LINE)) throw new Error(`${BUNDLE} no longer starts with ${HINT_LINE.trim()}`);
  server.page('/nohint/consent.min.js', engine.slice(HINT_LINE.length));
  const bare = server.page(
    '/nohint.html',
    example.replace(sdkTag, '<script src="/nohint/consent.min.js" defer></script>'),
  );
  const variants = [
    { label: 'with the compile hint (as built)', url, script: [], first: [], sdk: [] },
    { label: 'without it (first line removed)', url: bare, script: [], first: [], sdk: [] },
  ];
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which goes first, so that neither always follows the other.
    for (const v of run % 2 ? variants : variants.toReversed()) {
      v.script.push(await scriptTime(v.url, state));
      const tasks = sdkTasks(tasksOf(await trace(v.url, gatedRan, state), v.url, isSdkUrl));
      if (tasks.length === 0) throw new Error(`${v.url}: no main-thread task ran the engine`);
      v.first.push(tasks[0].ms);
      v.sdk.push(tasks[0].sdkMs);
    }
    console.log(
      `run ${run}: ${variants.map((v) => `${v.url.endsWith('/') ? 'hint' : 'no hint'} script ${v.script.at(-1).toFixed(1)} ms, first task ${v.first.at(-1).toFixed(1)} ms`).join('; ')}`,
    );
  }
  console.log(`\nReturning visitor, CPU throttled ${THROTTLE}×, ${RUNS} interleaved runs per variant`);
  for (const v of variants) {
    console.log(`${v.label}:`);
    console.log(`  script time (ScriptDuration)   ${range(v.script)}`);
    console.log(`  engine's first task            ${range(v.first)}`);
    console.log(`    of it in engine code         ${range(v.sdk)}`);
  }
}

let status = 0;
try {
  const url = server.url('/');
  const bare = server.page('/without-sdk.html', withoutSdk);
  const state = RETURNING || HINT ? await acceptedState(url) : undefined;
  if (HINT) await hint(url, state);
  else {
    const sdk = [];
    const baseline = [];
    for (let run = 1; run <= RUNS; run++) {
      const tasks = sdkRun(run, await trace(url, RETURNING ? gatedRan : banner, state), url);
      sdk.push(longest(tasks));
      baseline.push(longest(tasksOf(await trace(bare, async () => {}, state), bare, isSdkUrl)));
      console.log(`  without the SDK, longest task ${describe(baseline.at(-1))}`);
    }
    const compile = COMPILE
      ? 'V8 compile steps traced (slower)'
      : 'lazy compile counted as script (--compile traces it)';
    const visit = RETURNING
      ? 'returning visitor (accepted before), until the gated scripts ran'
      : 'first visit, until the banner shows';
    console.log(`\n${visit}; CPU throttled ${THROTTLE}×, ${RUNS} runs, ${compile}`);
    summary('longest task running SDK code:', sdk);
    summary('longest task of the page without the SDK:', baseline);
  }
} catch (error) {
  console.error(
    'measuring failed (the page did not load or show the banner, or the trace is not what this script reads):',
    error,
  );
  status = 1;
} finally {
  await browser.close();
  await server.close();
}
process.exit(status);
