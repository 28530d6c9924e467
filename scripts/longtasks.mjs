#!/usr/bin/env node
// `node scripts/longtasks.mjs [--compile]`: how long the SDK holds the main thread while the script-tag example
// loads and shows the banner, with the CPU throttled 4× (as Lighthouse's mobile profile does), over 5 runs.
//
// Counting long tasks says little here: the page without the SDK has long tasks of its own (its first
// layout, the browser setting up the document). So each load is traced, and a main-thread task counts as
// the SDK's when work in it runs consent.min.js (its compile, its top level, a timer or callback of it; a
// frame that draws the banner counts only when SDK code runs in it). For the longest of those the script
// prints how long it took, how much of it ran inside SDK code, and where the time went (compile/parse,
// script, style/layout, other), next to the longest task of the page without the SDK. Reports only: timings
// vary between machines, so nothing is asserted. Needs `npm run build` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadHarness } from '../test/e2e/node-harness.mjs';

const RUNS = 5;
const THROTTLE = 4;
const SETTLE_MS = 500;
const LONG_MS = 50;
const SDK_SCRIPT = '/consent.min.js';
// Tasks (toplevel), script, style and layout (devtools.timeline). V8's compile steps only on request: tracing
// them slows what is measured (the SDK's first task took about 1.5× as long), so by default a function compiled
// on its first call counts as script, and compile/parse is only the script's own compile.
const COMPILE = process.argv.includes('--compile');
const CATEGORIES = ['toplevel', 'devtools.timeline', 'v8.execute'];
if (COMPILE) CATEGORIES.push('disabled-by-default-v8.compile');
// What Chromium has named a main-thread task over the years (Lighthouse accepts the same).
const TASKS = new Set([
  'ThreadControllerImpl::RunTask',
  'RunTask',
  'ThreadControllerImpl::DoWork',
  'TaskQueueManager::ProcessTaskFromWorkQueue',
]);
const SCRIPT = new Set(['EvaluateScript', 'v8.run', 'FunctionCall', 'v8.callFunction', 'TimerFire', 'EventDispatch']);
const STYLE = new Set(['UpdateLayoutTree', 'RecalculateStyles', 'Layout', 'ParseAuthorStyleSheet']);
// Events that run SDK code and name its URL (the one saying the download finished names it too, but is no work).
const SDK_WORK = new Set(['EvaluateScript', 'v8.compile', 'FunctionCall']);
const ENTRIES = { EvaluateScript: 'top level', TimerFire: 'timer', EventDispatch: 'event', FunctionCall: 'callback' };
const PARTS = { compile: 'compile/parse', script: 'script', style: 'style/layout', other: 'other' };

const { startServer, launchBrowser, EXAMPLE } = await loadHarness();
const server = await startServer();
const browser = await launchBrowser();
const example = readFileSync(join(EXAMPLE, 'index.html'), 'utf8');
const withoutSdk = example.replace(`<script src="${SDK_SCRIPT}" defer></script>`, '');
if (withoutSdk === example) throw new Error(`examples/script-tag/index.html no longer loads ${SDK_SCRIPT} as expected`);

/** The trace of one load in a fresh context (cold caches), from navigation until `ready` and a moment more. */
async function trace(url, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
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

/** What kind of work an event is; `undefined` for wrappers, which count as their parent's kind. */
function kindOf({ name, cat }) {
  if (name.includes('GC')) return 'other';
  if (cat.includes('v8.compile') || name === 'v8.compile') return 'compile';
  if (SCRIPT.has(name) || cat === 'v8.execute') return 'script';
  if (STYLE.has(name)) return 'style';
  return undefined;
}

const isSdkWork = (e) => SDK_WORK.has(e.name) && (e.args.data?.url ?? '').endsWith(SDK_SCRIPT);

/**
 * The tasks of the main thread of the renderer that parsed `url`, each with its duration, the time by kind of
 * work (an event's own time, without its children's: events on one thread nest), and, when it ran SDK code,
 * what ran it and how long that code (and the work it caused, such as a forced layout) took.
 */
function tasksOf(events, url) {
  const parse = events.find((e) => e.name === 'ParseHTML' && e.args.beginData?.url === url);
  if (!parse) throw new Error(`no renderer parsed ${url}`);
  const thread = events
    .filter((e) => e.ph === 'X' && e.pid === parse.pid && e.tid === parse.tid)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = [];
  const open = [];
  for (const e of thread) {
    while (open.length > 0 && open.at(-1).end <= e.ts) open.pop();
    const parent = open.at(-1);
    if (!parent && !TASKS.has(e.name)) continue;
    const task = parent?.task ?? { ms: e.dur / 1000, time: { other: 0 }, sdkMs: 0 };
    if (!parent) tasks.push(task);
    const kind = kindOf(e) ?? parent?.kind ?? 'other';
    task.time[kind] = (task.time[kind] ?? 0) + e.dur / 1000;
    if (parent) task.time[parent.kind] -= e.dur / 1000;
    // The outermost script event above SDK code is what ran it.
    const entry = kind === 'script' && parent?.kind !== 'script' ? e.name : parent?.entry;
    const inSdk = parent?.inSdk || isSdkWork(e);
    if (inSdk && !parent?.inSdk) {
      task.sdkMs += e.dur / 1000;
      task.entry ??= ENTRIES[entry] ?? e.name;
    }
    open.push({ end: e.ts + e.dur, kind, entry, inSdk, task });
  }
  return tasks;
}

const longest = (tasks) => {
  if (tasks.length === 0) throw new Error('the trace holds no main-thread task: did Chromium rename its task events?');
  return tasks.reduce((a, b) => (b.ms > a.ms ? b : a));
};
const ms = (n) => `${(n ?? 0).toFixed(0)} ms`;
const parts = (task) =>
  Object.entries(PARTS)
    .map(([part, label]) => `${label} ${ms(task.time[part])}`)
    .join(', ');
const describe = (task) => `${ms(task.ms)}${task.entry ? `, SDK code ${ms(task.sdkMs)}` : ''}: ${parts(task)}`;

/** The median and the longest of the runs' longest tasks, each with its breakdown. */
function summary(label, runs) {
  const sorted = runs.toSorted((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  console.log(`${label}\n  median ${describe(median)}\n  max    ${describe(sorted.at(-1))}`);
}

let status = 0;
try {
  const url = server.url('/');
  const bare = server.page('/without-sdk.html', withoutSdk);
  const banner = (page) => page.locator('#paloma-consent').getByRole('region').waitFor({ timeout: 15_000 });
  const sdk = [];
  const baseline = [];
  for (let run = 1; run <= RUNS; run++) {
    const tasks = tasksOf(await trace(url, banner), url).filter((t) => t.entry);
    if (tasks.length === 0) throw new Error(`no main-thread task ran ${SDK_SCRIPT}`);
    sdk.push(longest(tasks));
    baseline.push(longest(tasksOf(await trace(bare, async () => {}), bare)));
    const over = tasks.filter((t) => t.ms > LONG_MS).length;
    const list = tasks.map((t) => `${ms(t.ms)} (${t.entry})`).join(', ');
    console.log(`run ${run}: SDK tasks ${list}; ${over} over ${LONG_MS} ms`);
    console.log(`  longest ${describe(sdk.at(-1))}`);
    console.log(`  without the SDK, longest task ${describe(baseline.at(-1))}`);
  }
  const compile = COMPILE ? 'V8 compile steps traced (slower)' : 'lazy compile counted as script (--compile traces it)';
  console.log(`\nCPU throttled ${THROTTLE}×, ${RUNS} runs, ${compile}`);
  summary('longest task running SDK code:', sdk);
  summary('longest task of the page without the SDK:', baseline);
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
