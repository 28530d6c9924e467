#!/usr/bin/env node
// `npm run bench`: Paloma Consent next to its peers (vanilla-cookieconsent, klaro, tarteaucitronjs, Osano's
// cookieconsent; all devDependencies, so nothing is installed at run time) in headless Chromium on 127.0.0.1.
// Each library gets one generated page with the same three categories (necessary, analytics, functional)
// and one gated script per optional category, configured the way its docs show; a page without any library
// is the baseline.
//
// First visit, in a fresh browser context: time from navigation start to the accept button being visible
// (the baseline: to the page's heading being visible, by the same probe), script time (CDP
// Performance.getMetrics ScriptDuration), the longest task on the page (PerformanceObserver `longtask`
// entries: only tasks over 50 ms exist for it, and it cannot tell whose they are), layout shift, JS heap
// after a GC, and time from the accept click to both gated scripts running.
// Returning visit: a fresh context holding only the cookies and localStorage the first visit left
// (Playwright storageState): the library files fetched, script time, navigation → first gated script ran,
// the page's longest task (as above), and, from a second, traced load, the library's longest task: the
// longest main-thread task that ran the library's code (scripts/trace-tasks.mjs, as scripts/longtasks.mjs).
// Unthrottled and at 4× CPU slowdown, 7 runs each: medians with min–max, ratios peer/ours, then the
// two-stage issue's goals from the same runs (met / not met, never failing the run).
// Transfer sizes are those of the library files the page actually requested (ours: the engine and, when
// something is shown, its UI file), compressed with zlib (gzip level 9, brotli q11, as scripts/size.mjs).
// Prints tables and writes .bench/bench-<date>.json. `--quick` (CI): 1 run, unthrottled only.
// Timings are reported, never asserted: it exits non-zero only when a page fails to load, a library never
// shows its accept button, or no gated script runs on a returning visit. Needs `npm run build` first.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { loadHarness } from '../test/e2e/node-harness.mjs';
import { longest, sdkTasks, tasksOf, traceCategories } from './trace-tasks.mjs';

const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : 7;
const RATES = QUICK ? [1] : [1, 4];
/** How long a library may take to show its button (or run its gated scripts) before it counts as failed. */
const TIMEOUT_MS = 20_000;
/**
 * After the button shows: time for the library to finish its start-up work before script time and
 * heap are read, and before the click, so that the click lands when a visitor could make it (a
 * second is quick for a human; tarteaucitron attaches its button handlers 500 ms after rendering).
 */
const SETTLE_MS = 1000;
/** How long the gated scripts may take to run after the click before the run records no time. */
const GATED_TIMEOUT_MS = 5000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_DIR = join(ROOT, 'packages/consent/dist');
const require = createRequire(import.meta.url);

const packageRoot = (name) => {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return join(ROOT, 'node_modules', name);
  }
};
const versionOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;

// --- the libraries -------------------------------------------------------------------------------

/**
 * The two gated stubs: each records when it ran (in the page's own clock) and says so over the console, so
 * that a returning visit is timed without Playwright evaluating anything in the page.
 */
const GATED = ['analytics', 'functional'];
const stub = (category) =>
  `window.__gated_${category} = performance.now();\nconsole.debug('__bench:gated', window.__gated_${category});\n`;

/** The gated tags for libraries that gate `<script type="text/plain" data-category>` (ours and vanilla-cookieconsent). */
const gatedByCategory = GATED.map(
  (c) => `<script type="text/plain" data-category="${c}" src="/gated-${c}.js"></script>`,
).join('\n');

const vanillaConfig = {
  hideFromBots: false, // its default hides the banner from headless browsers
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {}, functional: {} },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description:
            'Strictly necessary cookies keep the site working; analytics and functional ones need your consent.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Customize',
        },
        preferencesModal: {
          title: 'Cookie preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save',
          sections: [
            { title: 'Strictly necessary', description: 'Always on.', linkedCategory: 'necessary' },
            { title: 'Analytics', description: 'Visit statistics.', linkedCategory: 'analytics' },
            { title: 'Functional', description: 'Chat and embeds.', linkedCategory: 'functional' },
          ],
        },
      },
    },
  },
};

const klaroConfig = {
  version: 1,
  lang: 'en',
  acceptAll: true, // the notice's primary button then accepts every service
  translations: {
    zz: { privacyPolicyUrl: '/privacy' },
    en: { purposes: { necessary: 'Strictly necessary', analytics: 'Analytics', functional: 'Functional' } },
  },
  services: [
    { name: 'necessary', title: 'Consent cookie', purposes: ['necessary'], required: true },
    { name: 'analytics', title: 'Analytics', purposes: ['analytics'] },
    { name: 'functional', title: 'Functional', purposes: ['functional'] },
  ],
};

/** tarteaucitron's own categories: "analytic" for analytics, "support" (chat widgets) for functional. */
const tarteaucitronSetup = `
tarteaucitron.init({ useExternalJs: true, highPrivacy: true, AcceptAllCta: true, DenyAllCta: true, mandatory: true, orientation: 'middle' });
${GATED.map(
  (
    c,
  ) => `tarteaucitron.services.paloma_${c} = { key: 'paloma_${c}', type: '${c === 'analytics' ? 'analytic' : 'support'}', name: '${c}', needConsent: true, cookies: [],
  js: function () { tarteaucitron.addScript('/gated-${c}.js'); }, fallback: function () {} };`,
).join('\n')}
(tarteaucitron.job = tarteaucitron.job || []).push(${GATED.map((c) => `'paloma_${c}'`).join(', ')});`;

/**
 * Osano's cookieconsent gates nothing itself and has no categories: its opt-in banner answers allow or deny
 * for everything, and the page adds its scripts from the callbacks (onInitialise: a returning visitor's
 * stored answer; onStatusChange: the click), as its docs show.
 */
const osanoSetup = `
function palomaLoadGated() {
  ${JSON.stringify(GATED)}.forEach(function (c) {
    var s = document.createElement('script');
    s.src = '/gated-' + c + '.js';
    document.head.appendChild(s);
  });
}
window.cookieconsent.initialise({
  type: 'opt-in',
  content: { message: 'We use cookies for analytics and functional features.', allow: 'Accept all', deny: 'Reject all', link: 'Learn more', href: '/privacy' },
  onInitialise: function (status) { if (status === 'allow') palomaLoadGated(); },
  onStatusChange: function (status) { if (status === 'allow') palomaLoadGated(); }
});`;

/**
 * `find` runs in the page (a function source) and returns the accept-all button, or nothing yet;
 * `accept` is the same button as a Playwright locator, for the click.
 */
const LIBS = [
  {
    id: 'paloma',
    name: '@paloma365/consent',
    version: versionOf(join(ROOT, 'packages/consent')),
    root: BUNDLE_DIR,
    gating: 'script type="text/plain" data-category="analytics|functional" src=…',
    acceptSelector: '#paloma-consent (open shadow root) button "Accept all"',
    head: '',
    body: `${gatedByCategory}
<script type="application/json" id="paloma-consent-config">{"policyVersion":"1"}</script>
<script src="/lib/paloma/consent.min.js"></script>`,
    find: `() => [...(document.getElementById('paloma-consent')?.shadowRoot?.querySelectorAll('button') ?? [])].find((b) => b.textContent.trim() === 'Accept all')`,
    accept: (page) => page.locator('#paloma-consent').getByRole('button', { name: 'Accept all', exact: true }).first(),
  },
  {
    id: 'vanilla',
    name: 'vanilla-cookieconsent',
    version: versionOf(packageRoot('vanilla-cookieconsent')),
    root: packageRoot('vanilla-cookieconsent'),
    gating: 'script type="text/plain" data-category="analytics|functional" src=… (manageScriptTags)',
    acceptSelector: '#cc-main .cm button[data-role="all"]',
    head: '<link rel="stylesheet" href="/lib/vanilla/dist/cookieconsent.css" />',
    body: `${gatedByCategory}
<script src="/lib/vanilla/dist/cookieconsent.umd.js"></script>
<script>CookieConsent.run(${JSON.stringify(vanillaConfig)});</script>`,
    find: `() => document.querySelector('#cc-main .cm button[data-role="all"]')`,
    accept: (page) => page.locator('#cc-main .cm button[data-role="all"]'),
  },
  {
    id: 'klaro',
    name: 'klaro',
    version: versionOf(packageRoot('klaro')),
    root: packageRoot('klaro'),
    gating: 'script type="text/plain" data-type="application/javascript" data-name="analytics|functional" data-src=…',
    acceptSelector: '.klaro .cookie-notice .cn-buttons .cm-btn-success (acceptAll: true)',
    head: '',
    body: `${GATED.map(
      (c) =>
        `<script type="text/plain" data-type="application/javascript" data-name="${c}" data-src="/gated-${c}.js"></script>`,
    ).join('\n')}
<script>window.klaroConfig = ${JSON.stringify(klaroConfig)};</script>
<script src="/lib/klaro/dist/klaro.js"></script>`,
    find: `() => document.querySelector('.klaro .cookie-notice .cn-buttons .cm-btn-success')`,
    accept: (page) => page.locator('.klaro .cookie-notice .cn-buttons .cm-btn-success'),
  },
  {
    id: 'tarteaucitron',
    name: 'tarteaucitronjs',
    version: versionOf(packageRoot('tarteaucitronjs')),
    root: packageRoot('tarteaucitronjs'),
    gating:
      'custom services (tarteaucitron.services.paloma_analytics|paloma_functional, js() calls tarteaucitron.addScript) pushed to tarteaucitron.job; useExternalJs: true with the English lang file in a script tag (no services catalogue)',
    acceptSelector: '#tarteaucitronPersonalize2 ("OK, accept all")',
    head: '',
    body: `<script>window.tarteaucitronForceLanguage = 'en';</script>
<script src="/lib/tarteaucitron/tarteaucitron.min.js"></script>
<script src="/lib/tarteaucitron/lang/tarteaucitron.en.min.js"></script>
<script>${tarteaucitronSetup}</script>`,
    find: `() => document.getElementById('tarteaucitronPersonalize2')`,
    accept: (page) => page.locator('#tarteaucitronPersonalize2'),
  },
  {
    id: 'osano',
    name: 'cookieconsent (Osano)',
    version: versionOf(packageRoot('cookieconsent')),
    root: packageRoot('cookieconsent'),
    gating:
      'none of its own (one allow/deny answer, no categories): onInitialise/onStatusChange add both gated scripts on "allow"',
    acceptSelector: '.cc-window .cc-allow ("Accept all", type: "opt-in")',
    head: '<link rel="stylesheet" href="/lib/osano/build/cookieconsent.min.css" />',
    body: `<script src="/lib/osano/build/cookieconsent.min.js"></script>
<script>${osanoSetup}</script>`,
    find: `() => document.querySelector('.cc-window .cc-allow')`,
    accept: (page) => page.locator('.cc-window .cc-allow'),
  },
];
const OURS = LIBS[0];
const VANILLA = LIBS[1];
/**
 * The same page with no library at all: what the page itself costs. Its "accept button" is the page's
 * heading, found by the same probe, so that a library's time to its button minus this is what the library adds.
 */
const BLANK = {
  id: 'blank',
  name: 'page without a library',
  root: ROOT,
  head: '',
  body: '',
  find: `() => document.querySelector('h1')`,
  accept: (page) => page.locator('h1'),
};

const page = (lib) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Benchmark: ${lib.name}</title>
<style>body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; padding: 1rem 2rem; max-width: 48rem; }</style>
${lib.head}
</head>
<body>
<header><strong>Paloma365</strong> · POS for restaurants, cafes and shops</header>
<main>
<h1>Pricing</h1>
${Array.from(
  { length: 6 },
  (_, i) =>
    `<p>Plan ${i + 1}: cloud point of sale, kitchen display, inventory and reports for one venue. Works offline and syncs when the connection is back; staff accounts, loyalty cards and fiscal receipts are included.</p>`,
).join('\n')}
</main>
${lib.body}
</body>
</html>
`;

// --- the server ----------------------------------------------------------------------------------

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.json': 'application/json' };
const served = new Map(); // absolute path → { raw, gzip } (gzip -9, also what goes over the wire)
const readServed = (path) => {
  if (!served.has(path)) {
    const raw = readFileSync(path);
    served.set(path, { raw, gzip: gzipSync(raw, { level: 9 }) });
  }
  return served.get(path);
};

/** The file behind a `/lib/<id>/…` path, or undefined (unknown library, escape attempt, missing file). */
const libFile = (pathname) => {
  const [, , id, ...rest] = pathname.split('/');
  const lib = LIBS.find((l) => l.id === id);
  if (!lib || rest.length === 0) return undefined;
  const path = normalize(join(lib.root, ...rest.map(decodeURIComponent)));
  return path.startsWith(lib.root + sep) && existsSync(path) ? path : undefined;
};

const pages = new Map([BLANK, ...LIBS].map((lib) => [`/${lib.id}.html`, Buffer.from(page(lib))]));
const stubs = new Map(GATED.map((c) => [`/gated-${c}.js`, Buffer.from(stub(c))]));

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://127.0.0.1');
  let body;
  let type;
  if (pages.has(pathname)) [body, type] = [{ raw: pages.get(pathname) }, TYPES['.html']];
  else if (stubs.has(pathname)) [body, type] = [{ raw: stubs.get(pathname) }, TYPES['.js']];
  else if (pathname.startsWith('/lib/')) {
    const path = libFile(pathname);
    if (path) [body, type] = [readServed(path), TYPES[extname(path)] ?? 'application/octet-stream'];
  }
  if (!body) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const gzip = body.gzip && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  res.writeHead(200, {
    'Content-Type': `${type}; charset=utf-8`,
    'Cache-Control': 'no-store',
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(gzip ? body.gzip : body.raw);
});

// --- one page load -------------------------------------------------------------------------------

/**
 * Installed before any page script. Records, in the page's own clock (ms since navigation start),
 * when the accept button first renders visible (checked every animation frame, so nothing forces a
 * layout in the middle of the library's work), layout shifts, the longest long task (the browser
 * reports only tasks over 50 ms, so 0 means none) and the first click; reports "visible" over the
 * console so that nothing else runs in the page until the metrics are read. `find` null: no button
 * to wait for (a returning visit).
 */
function probe(find) {
  const bench = { visibleAt: null, clickAt: null, shift: 0, longTask: 0 };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTask = Math.max(bench.longTask, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  addEventListener(
    'click',
    () => {
      if (bench.clickAt === null) bench.clickAt = performance.now();
    },
    true,
  );
  const visible = (el) => {
    if (!el?.isConnected) return false;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    if (box.bottom <= 0 || box.right <= 0 || box.top >= innerHeight || box.left >= innerWidth) return false;
    return el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const tick = () => {
    let el;
    try {
      el = find();
    } catch {}
    if (visible(el)) {
      bench.visibleAt = performance.now();
      console.debug('__bench:visible', bench.visibleAt);
    } else requestAnimationFrame(tick);
  };
  if (find) requestAnimationFrame(tick);
}

const metric = (metrics, name) => metrics.find((m) => m.name === name)?.value;

/** Resolves with the console event's argument, or rejects after `ms`. */
const consoleEvent = (tab, name, ms) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      tab.off('console', listener);
      reject(new Error(`no ${name} within ${ms} ms`));
    }, ms);
    const listener = (message) => {
      if (message.text().startsWith(`${name} `)) {
        clearTimeout(timer);
        tab.off('console', listener);
        resolve(Number(message.text().slice(name.length + 1)));
      }
    };
    tab.on('console', listener);
  });

class BenchFailure extends Error {}

const VIEWPORT = { width: 1280, height: 800 };

/** A fresh context's tab with the error, request and CDP plumbing every load needs. */
async function open(browser, rate, storageState) {
  const context = await browser.newContext({ viewport: VIEWPORT, storageState });
  const tab = await context.newPage();
  const requested = new Set();
  tab.on('requestfinished', (request) => requested.add(new URL(request.url()).pathname));
  const errors = [];
  tab.on('pageerror', (error) => errors.push(error.message));
  const cdp = await context.newCDPSession(tab);
  await cdp.send('Performance.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const files = () => [...requested].filter((p) => p.startsWith('/lib/')).sort();
  return { context, tab, cdp, errors, files };
}

const goto = async (tab, origin, lib) => {
  const response = await tab
    .goto(`${origin}/${lib.id}.html`, { waitUntil: 'load', timeout: TIMEOUT_MS })
    .catch((error) => {
      throw new BenchFailure(`${lib.name}: the page failed to load: ${error.message}`);
    });
  if (!response?.ok()) throw new BenchFailure(`${lib.name}: the page failed to load (HTTP ${response?.status()})`);
};

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** A first visit: the metrics, and what the visit left after accepting (for the returning visit). */
async function measure(browser, origin, lib, rate) {
  const { context, tab, cdp, errors, files } = await open(browser, rate);
  try {
    await context.addInitScript({ content: `(${probe})(${lib.find});` });
    const visible = consoleEvent(tab, '__bench:visible', TIMEOUT_MS);
    visible.catch(() => {}); // awaited below; a page that fails to load must not leave it unhandled
    await goto(tab, origin, lib);
    const visibleAt = await visible.catch(async () => {
      const shown = await lib
        .accept(tab)
        .isVisible()
        .catch(() => false);
      throw new BenchFailure(
        `${lib.name}: ${shown ? 'the probe missed the accept button' : 'the accept button never became visible'} ` +
          `within ${TIMEOUT_MS} ms${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`,
      );
    });

    // Script time and heap before Playwright evaluates anything in the page (its injected script would count).
    await settle();
    const { metrics } = await cdp.send('Performance.getMetrics');
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics: afterGc } = await cdp.send('Performance.getMetrics');
    const bench = await tab.evaluate(() => window.__bench);
    const result = {
      visibleMs: visibleAt,
      scriptMs: metric(metrics, 'ScriptDuration') * 1000,
      longTaskMs: bench.longTask,
      heapBytes: metric(afterGc, 'JSHeapUsedSize'),
      layoutShift: bench.shift,
      acceptToGatedMs: null,
      requested: files(),
      errors,
    };
    if (lib === BLANK) return { result, state: undefined };

    const button = lib.accept(tab);
    await button.waitFor({ state: 'visible', timeout: TIMEOUT_MS }).catch(() => {
      throw new BenchFailure(`${lib.name}: Playwright never saw the accept button visible`);
    });
    await button.click({ timeout: TIMEOUT_MS });
    const ran = await tab
      .waitForFunction((names) => names.every((c) => typeof window[`__gated_${c}`] === 'number'), GATED, {
        timeout: GATED_TIMEOUT_MS,
      })
      .then(() => true)
      .catch(() => false);
    if (ran) {
      const times = await tab.evaluate(
        (names) => ({ clickAt: window.__bench.clickAt, ran: names.map((c) => window[`__gated_${c}`]) }),
        GATED,
      );
      result.acceptToGatedMs = Math.max(...times.ran) - times.clickAt;
    } else
      console.warn(
        `  warning: ${lib.name}: the gated scripts did not both run within ${GATED_TIMEOUT_MS} ms of the click`,
      );
    // Some libraries write their cookie after the click's task; let them finish before taking the state.
    await settle();
    return { result, state: await context.storageState() };
  } finally {
    await context.close();
  }
}

/**
 * A returning visit with what the first visit left: the files fetched, script time (read a moment after
 * the first gated script ran, before Playwright evaluates anything), navigation → first gated script.
 */
async function measureReturning(browser, origin, lib, rate, state) {
  const { context, tab, cdp, errors, files } = await open(browser, rate, state);
  try {
    await context.addInitScript({ content: `(${probe})(null);` });
    const gated = lib === BLANK ? Promise.resolve(null) : consoleEvent(tab, '__bench:gated', TIMEOUT_MS);
    gated.catch(() => {});
    await goto(tab, origin, lib);
    const firstGatedMs = await gated.catch(() => {
      throw new BenchFailure(
        `${lib.name}: no gated script ran on the returning visit within ${TIMEOUT_MS} ms` +
          `${errors.length ? ` (page errors: ${errors.join('; ')})` : ''}`,
      );
    });
    await settle();
    const { metrics } = await cdp.send('Performance.getMetrics');
    const bench = await tab.evaluate(() => window.__bench);
    // The consent was stored: showing the banner again would mean the visit was not a returning one.
    const bannerShown = lib === BLANK ? false : await lib.accept(tab).isVisible();
    if (bannerShown) console.warn(`  warning: ${lib.name}: the banner showed again on the returning visit`);
    return {
      scriptMs: metric(metrics, 'ScriptDuration') * 1000,
      firstGatedMs,
      longTaskMs: bench.longTask,
      bannerShown,
      requested: files(),
      errors,
    };
  } finally {
    await context.close();
  }
}

/**
 * The same returning visit traced: the longest main-thread task that ran the library's code, counted as
 * scripts/longtasks.mjs counts it. The library's code is its files under /lib/<id>/ and the page's inline
 * scripts (on these pages, only the library's setup). A separate load: tracing slows what it watches, so
 * the untraced load's script time stays as it is. No probe here, so no init script counts.
 */
async function traceReturning(browser, origin, lib, rate, state) {
  const { context, tab } = await open(browser, rate, state);
  const url = `${origin}/${lib.id}.html`;
  await browser.startTracing(undefined, { categories: traceCategories() });
  let events;
  try {
    const gated = consoleEvent(tab, '__bench:gated', TIMEOUT_MS);
    gated.catch(() => {});
    await goto(tab, origin, lib);
    await gated.catch(() => {
      throw new BenchFailure(`${lib.name}: no gated script ran on the traced returning visit`);
    });
    await settle();
  } finally {
    events = JSON.parse(await browser.stopTracing()).traceEvents;
    await context.close();
  }
  const ofLib = (u) => u.startsWith(`${origin}/lib/${lib.id}/`) || u === url;
  const tasks = sdkTasks(tasksOf(events, url, ofLib));
  return tasks.length ? longest(tasks).ms : 0;
}

// --- statistics and output -----------------------------------------------------------------------

const numbers = (values) => values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
const median = (values) => {
  const xs = numbers(values);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
};
/** Median, min and max; nulls when no run gave a number. */
const stats = (values) => {
  const xs = numbers(values);
  return { median: median(xs), min: xs[0] ?? null, max: xs.at(-1) ?? null, runs: xs.length };
};
/** peer / ours: above 1× the peer is larger or slower. */
const ratio = (peer, ours) => {
  if (peer === null || ours === null || peer === undefined || ours === undefined) return null;
  if (ours === 0) return peer === 0 ? 1 : null;
  return peer / ours;
};

const FIRST_METRICS = [
  { key: 'visibleMs', label: 'navigation → accept button visible', unit: 'ms' },
  { key: 'overheadMs', label: 'accept-button-visible overhead', unit: 'ms' },
  { key: 'scriptMs', label: 'script time (ScriptDuration)', unit: 'ms' },
  { key: 'longTaskMs', label: 'longest task on page (longtask obs.)', unit: 'ms' },
  { key: 'layoutShift', label: 'layout shift (sum)', unit: 'shift' },
  { key: 'heapBytes', label: 'JS heap used (after GC)', unit: 'bytes' },
  { key: 'acceptToGatedMs', label: 'accept click → gated scripts ran', unit: 'ms' },
];
const RETURNING_METRICS = [
  { key: 'scriptMs', label: 'script time (ScriptDuration)', unit: 'ms' },
  { key: 'firstGatedMs', label: 'navigation → first gated script ran', unit: 'ms' },
  { key: 'sdkTaskMs', label: "library's longest task (traced)", unit: 'ms' },
  { key: 'longTaskMs', label: 'longest task on page (longtask obs.)', unit: 'ms' },
];
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const number = (value, unit) => {
  if (unit === 'ms') return value.toFixed(value < 100 ? 1 : 0);
  if (unit === 'bytes') return (value / 1024 / 1024).toFixed(2);
  if (unit === 'shift') return value.toFixed(4);
  return (value / 1024).toFixed(2);
};
const UNITS = { ms: ' ms', bytes: ' MB', shift: '', kb: ' KB' };
const format = (value, unit) => (value === null || value === undefined ? '—' : `${number(value, unit)}${UNITS[unit]}`);
/** "median unit (min–max)", or the median alone for one run. */
const formatStats = ({ median: m, min, max, runs }, unit) => {
  if (m === null) return '—';
  if (runs < 2) return format(m, unit);
  return `${format(m, unit)} (${number(min, unit)}–${number(max, unit)})`;
};
const formatRatio = (r) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

const COL = 33;
const LABEL = 38;
const header = (libs) =>
  (
    'metric'.padEnd(LABEL) + libs.map((lib) => `${lib.name} ${lib.version ?? ''}`.trim().padEnd(COL)).join('')
  ).trimEnd();
const row = (label, cells) => (label.padEnd(LABEL) + cells.map((c) => c.padEnd(COL)).join('')).trimEnd();

/** Every library file a page requested over all runs, with its sizes, compressed as scripts/size.mjs does. */
const transferOf = (lib, runs) => {
  const paths = [...new Set(runs.flatMap((r) => r.requested))].sort();
  const files = paths.map((p) => {
    const raw = readServed(libFile(p)).raw;
    return {
      path: p.replace(`/lib/${lib.id}/`, ''),
      raw: raw.length,
      gzip: gzipSync(raw, { level: 9 }).length,
      brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
  const sum = (key) => files.reduce((n, f) => n + f[key], 0);
  return { files, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
};

function printTransfer(title, transfer) {
  console.log(`\n${title} (ratio = peer / ours)`);
  console.log(header(LIBS));
  for (const key of ['gzip', 'brotli']) {
    console.log(
      row(
        key === 'gzip' ? 'gzip -9' : 'brotli q11',
        LIBS.map((lib, i) => {
          const value = kb(transfer[lib.id][key]);
          return i ? `${value}  ${formatRatio(ratio(transfer[lib.id][key], transfer[OURS.id][key]))}` : value;
        }),
      ),
    );
  }
  for (const lib of LIBS) {
    const files = transfer[lib.id].files.map((f) => `${f.path} ${kb(f.gzip)}`).join(', ');
    console.log(`  ${lib.name}: ${files || 'no file'}`);
  }
}

function printTable(title, metrics, rateSummary) {
  console.log(`\n${title}`);
  console.log(header(LIBS));
  for (const { key, label, unit } of metrics) {
    const ours = rateSummary[OURS.id][key]?.median ?? null;
    console.log(
      row(
        label,
        LIBS.map((lib, i) => {
          const value = formatStats(rateSummary[lib.id][key], unit);
          return i ? `${value}  ${formatRatio(ratio(rateSummary[lib.id][key].median, ours))}` : value;
        }),
      ),
    );
  }
}

/** Per run, a / b; for the goals, so that each ratio pairs loads made one right after the other. */
const pairRatios = (as, bs) => as.map((a, i) => ratio(a, bs[i]));

// --- the run -------------------------------------------------------------------------------------

if (!existsSync(join(BUNDLE_DIR, 'consent.min.js'))) {
  console.error('packages/consent/dist/consent.min.js is missing: run `npm run build` first');
  process.exit(1);
}

const started = Date.now();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
// The tests' launcher: Debian's Chromium, never a downloaded browser.
const browser = await (await loadHarness()).launchBrowser();
const chromiumVersion = browser.version();
const ALL = [BLANK, ...LIBS];
/** first[rate][lib.id], returning[rate][lib.id] = one result per run */
const perLib = () => Object.fromEntries(RATES.map((rate) => [rate, Object.fromEntries(ALL.map((l) => [l.id, []]))]));
const first = perLib();
const returning = perLib();
let status = 0;
try {
  console.log(
    `Benchmark, ${QUICK ? 'quick mode: 1 run, unthrottled' : `${RUNS} runs, unthrottled and ${RATES.slice(1).join(', ')}× CPU slowdown`}; ` +
      `Chromium ${chromiumVersion}, Node ${process.version}, ${cpus().length} CPU(s)`,
  );
  // One unrecorded pass: starts the renderer machinery and fills the server's gzip cache.
  for (const lib of ALL) await measure(browser, origin, lib, 1);
  for (const rate of RATES) {
    for (let run = 0; run < RUNS; run++) {
      // Rotate the order, so that no library is always first after a context switch.
      const order = [BLANK, ...LIBS.slice(run % LIBS.length), ...LIBS.slice(0, run % LIBS.length)];
      for (const lib of order) {
        const { result, state } = await measure(browser, origin, lib, rate);
        first[rate][lib.id].push(result);
        const again = await measureReturning(browser, origin, lib, rate, state);
        again.sdkTaskMs = lib === BLANK ? null : await traceReturning(browser, origin, lib, rate, state);
        returning[rate][lib.id].push(again);
      }
      if (process.stdout.isTTY) process.stdout.write(`  ${rate}× CPU: run ${run + 1}/${RUNS} done\r`);
    }
    // Paired with the baseline of the same run: what each library adds to the time to a visible button.
    for (const lib of LIBS) {
      first[rate][lib.id].forEach((r, i) => {
        r.overheadMs = r.visibleMs - first[rate][BLANK.id][i].visibleMs;
      });
    }
  }
  if (process.stdout.isTTY) process.stdout.write(`${' '.repeat(40)}\r`);
} catch (error) {
  console.error(error instanceof BenchFailure ? error.message : error);
  status = 1;
} finally {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
}
if (status !== 0) process.exit(status);

const allRuns = (results, lib) => RATES.flatMap((rate) => results[rate][lib.id]);
const transfer = Object.fromEntries(LIBS.map((lib) => [lib.id, transferOf(lib, allRuns(first, lib))]));
const transferReturning = Object.fromEntries(LIBS.map((lib) => [lib.id, transferOf(lib, allRuns(returning, lib))]));

const summarise = (results, metrics) =>
  Object.fromEntries(
    RATES.map((rate) => [
      rate,
      Object.fromEntries(
        ALL.map((lib) => [
          lib.id,
          Object.fromEntries(metrics.map(({ key }) => [key, stats(results[rate][lib.id].map((r) => r[key]))])),
        ]),
      ),
    ]),
  );
const summary = {
  firstVisit: summarise(first, FIRST_METRICS),
  returningVisit: summarise(returning, RETURNING_METRICS),
};

const rateTitle = (rate) =>
  `${rate === 1 ? 'unthrottled' : `${rate}× CPU slowdown`}: median (min–max) of ${RUNS} run${RUNS > 1 ? 's' : ''}; ratio = peer / ours, above 1× ours is smaller or faster`;
printTransfer('First visit: transfer size of the files each page loaded (JS + CSS)', transfer);
for (const rate of RATES) {
  printTable(`First visit, ${rateTitle(rate)}`, FIRST_METRICS, summary.firstVisit[rate]);
  const blank = summary.firstVisit[rate][BLANK.id];
  console.log(
    `(the same page without any library: heading visible ${formatStats(blank.visibleMs, 'ms')}, script ${formatStats(blank.scriptMs, 'ms')}, ` +
      `longest task ${formatStats(blank.longTaskMs, 'ms')}, heap ${formatStats(blank.heapBytes, 'bytes')}, layout shift ${formatStats(blank.layoutShift, 'shift')}; ` +
      'overhead = time to the accept button − the heading on that page, paired per run)',
  );
}
printTransfer('Returning visit: transfer size of the library files fetched', transferReturning);
for (const rate of RATES) {
  printTable(`Returning visit, ${rateTitle(rate)}`, RETURNING_METRICS, summary.returningVisit[rate]);
  const blank = summary.returningVisit[rate][BLANK.id];
  const again = LIBS.filter((lib) => returning[rate][lib.id].some((r) => r.bannerShown)).map((lib) => lib.name);
  console.log(
    `(the page without any library: script ${formatStats(blank.scriptMs, 'ms')}, longest task ${formatStats(blank.longTaskMs, 'ms')}; ` +
      `longtask observer: 0 = no task over 50 ms; banner shown again: ${again.length ? again.join(', ') : 'none'})`,
  );
}

// The two-stage issue's goals, from these runs: ratios paired per run, medians with min–max.
const GOAL_RATE = RATES.at(-1);
const at = (results, lib, key) => results[GOAL_RATE][lib.id].map((r) => r[key]);
const goals = [
  {
    label: 'returning visit, script time ours / vanilla',
    values: pairRatios(at(returning, OURS, 'scriptMs'), at(returning, VANILLA, 'scriptMs')),
    goal: 0.5,
    unit: '×',
  },
  { label: "returning visit, the SDK's longest task", values: at(returning, OURS, 'sdkTaskMs'), goal: 50, unit: 'ms' },
  {
    label: 'first visit, script time ours / vanilla',
    values: pairRatios(at(first, OURS, 'scriptMs'), at(first, VANILLA, 'scriptMs')),
    goal: 0.8,
    unit: '×',
  },
  {
    label: 'accept-button-visible overhead ours / vanilla',
    values: pairRatios(at(first, OURS, 'overheadMs'), at(first, VANILLA, 'overheadMs')),
    goal: 0.5,
    unit: '×',
  },
].map((g) => ({ ...g, ...stats(g.values) }));
console.log(
  `\nGoals of the two-stage issue at ${GOAL_RATE === 1 ? 'no CPU slowdown (quick mode; the goals are for 4×)' : `${GOAL_RATE}× CPU slowdown`}, ` +
    `from the runs above (ratios paired per run; met = the median meets it; reported, never asserted)`,
);
for (const g of goals) {
  const show = (v) => (g.unit === '×' ? `${v.toFixed(2)}×` : `${v.toFixed(1)} ms`);
  const value = g.median === null ? 'n/a' : `${show(g.median)}${g.runs > 1 ? ` (${show(g.min)}–${show(g.max)})` : ''}`;
  const verdict = g.median === null ? 'n/a' : g.median <= g.goal ? 'met' : 'not met';
  g.met = g.median === null ? null : g.median <= g.goal;
  console.log(
    `  ${g.label.padEnd(48)} ${value.padEnd(26)} goal ≤ ${g.unit === '×' ? g.goal : `${g.goal} ms`}: ${verdict}`,
  );
}

const date = new Date();
const out = join(ROOT, '.bench', `bench-${date.toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: date.toISOString(),
      mode: QUICK ? 'quick' : 'full',
      runs: RUNS,
      cpuThrottlingRates: RATES,
      settleMs: SETTLE_MS,
      longestTask: {
        page: 'PerformanceObserver longtask entries (tasks over 50 ms only; 0 = none), not attributed',
        library:
          "traced returning visit: longest main-thread task that ran the library's files or the page's inline setup",
      },
      environment: {
        node: process.version,
        chromium: chromiumVersion,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
      },
      libraries: LIBS.map(({ id, name, version, gating, acceptSelector }) => ({
        id,
        name,
        version,
        gating,
        acceptSelector,
        transfer: transfer[id],
        transferReturning: transferReturning[id],
      })),
      summary,
      goals: goals.map(({ label, goal, unit, median: m, min, max, met }) => ({
        label,
        goal,
        unit,
        median: m,
        min,
        max,
        met,
      })),
      runsRaw: { firstVisit: first, returningVisit: returning },
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out.slice(ROOT.length)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
