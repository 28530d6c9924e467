#!/usr/bin/env node
// `npm run bench`: Paloma Consent next to its peers (vanilla-cookieconsent, klaro, tarteaucitronjs,
// all devDependencies, so nothing is installed at run time) in headless Chromium on 127.0.0.1.
// Each library gets one generated page with the same three categories (necessary, analytics,
// functional) and one gated script per optional category, configured the way its docs show.
// Per page load, in a fresh browser context: time from navigation start to the accept button being
// visible, script time (CDP Performance.getMetrics ScriptDuration), layout shift, JS heap after a
// GC, and time from the accept click to both gated scripts running; unthrottled and at 4× CPU
// slowdown, 7 runs each, medians, ratios peer/ours. Transfer sizes are those of the library files
// the page actually requested, compressed with zlib (gzip level 9, brotli q11, as scripts/size.mjs).
// Prints tables and writes .bench/bench-<date>.json. `--quick` (CI): 1 run, unthrottled only.
// Timings are reported, never asserted: it exits non-zero only when a page fails to load or a
// library never shows its accept button. Needs `npm run build` first.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { loadHarness } from '../test/e2e/node-harness.mjs';

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

/** The two gated stubs: each records when it ran (in the page's own clock). */
const GATED = ['analytics', 'functional'];
const stub = (category) => `window.__gated_${category} = performance.now();\n`;

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
];
const OURS = LIBS[0];
/** The same page with no library at all: what the page itself costs in script time and heap. */
const BLANK = { id: 'blank', name: 'page without a library', root: ROOT, head: '', body: '', find: 'null' };

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
 * layout in the middle of the library's work), layout shifts and the first click; reports
 * "visible" over the console so that nothing else runs in the page until the metrics are read.
 */
function probe(find) {
  const bench = { visibleAt: null, clickAt: null, shift: 0 };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.shift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
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

async function measure(browser, origin, lib, rate) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: `(${probe})(${lib.find});` });
    const tab = await context.newPage();
    const requested = new Set();
    tab.on('requestfinished', (request) => requested.add(new URL(request.url()).pathname));
    const errors = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Performance.enable');
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });

    const visible = lib === BLANK ? null : consoleEvent(tab, '__bench:visible', TIMEOUT_MS);
    visible?.catch(() => {}); // awaited below; a page that fails to load must not leave it unhandled
    const response = await tab
      .goto(`${origin}/${lib.id}.html`, { waitUntil: 'load', timeout: TIMEOUT_MS })
      .catch((error) => {
        throw new BenchFailure(`${lib.name}: the page failed to load: ${error.message}`);
      });
    if (!response?.ok()) throw new BenchFailure(`${lib.name}: the page failed to load (HTTP ${response?.status()})`);
    const visibleAt = await visible?.catch(async () => {
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
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const { metrics } = await cdp.send('Performance.getMetrics');
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics: afterGc } = await cdp.send('Performance.getMetrics');
    const result = {
      visibleMs: visibleAt ?? null,
      scriptMs: metric(metrics, 'ScriptDuration') * 1000,
      heapBytes: metric(afterGc, 'JSHeapUsedSize'),
      layoutShift: await tab.evaluate(() => window.__bench.shift),
      acceptToGatedMs: null,
      requested: [...requested].filter((p) => p.startsWith('/lib/')).sort(),
      errors,
    };
    if (lib === BLANK) return result;

    const button = lib.accept(tab);
    await button.waitFor({ state: 'visible', timeout: TIMEOUT_MS }).catch(() => {
      throw new BenchFailure(`${lib.name}: Playwright never saw the accept button visible`);
    });
    await button.click({ timeout: TIMEOUT_MS });
    const ran = await tab
      .waitForFunction((names) => names.every((c) => typeof window[`__gated_${c}`] === 'number'), GATED, {
        timeout: TIMEOUT_MS,
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
    return result;
  } finally {
    await context.close();
  }
}

// --- statistics and output -----------------------------------------------------------------------

const median = (values) => {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
};
/** peer / ours: above 1× the peer is larger or slower. */
const ratio = (peer, ours) => {
  if (peer === null || ours === null) return null;
  if (ours === 0) return peer === 0 ? 1 : null;
  return peer / ours;
};

const METRICS = [
  { key: 'visibleMs', label: 'navigation → accept button visible', unit: 'ms' },
  { key: 'scriptMs', label: 'script time (ScriptDuration)', unit: 'ms' },
  { key: 'layoutShift', label: 'layout shift (sum)', unit: 'shift' },
  { key: 'heapBytes', label: 'JS heap used (after GC)', unit: 'bytes' },
  { key: 'acceptToGatedMs', label: 'accept click → gated scripts ran', unit: 'ms' },
];
const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
const format = (value, unit) => {
  if (value === null || value === undefined) return '—';
  if (unit === 'ms') return `${value.toFixed(value < 100 ? 1 : 0)} ms`;
  if (unit === 'bytes') return `${(value / 1024 / 1024).toFixed(2)} MB`;
  if (unit === 'shift') return value.toFixed(4);
  return kb(value);
};
const formatRatio = (r) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

const COL = 31;
const LABEL = 38;
const header = () =>
  ('metric'.padEnd(LABEL) + LIBS.map((lib) => `${lib.name} ${lib.version}`.padEnd(COL)).join('')).trimEnd();
const row = (label, cells) => (label.padEnd(LABEL) + cells.map((c) => c.padEnd(COL)).join('')).trimEnd();

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
/** results[rate][lib.id] = one result per run */
const results = Object.fromEntries(
  RATES.map((rate) => [rate, Object.fromEntries([BLANK, ...LIBS].map((l) => [l.id, []]))]),
);
let status = 0;
try {
  console.log(
    `Benchmark, ${QUICK ? 'quick mode: 1 run, unthrottled' : `${RUNS} runs, unthrottled and ${RATES.slice(1).join(', ')}× CPU slowdown`}; ` +
      `Chromium ${chromiumVersion}, Node ${process.version}, ${cpus().length} CPU(s)`,
  );
  // One unrecorded pass: starts the renderer machinery and fills the server's gzip cache.
  for (const lib of [BLANK, ...LIBS]) await measure(browser, origin, lib, 1);
  for (const rate of RATES) {
    for (let run = 0; run < RUNS; run++) {
      // Rotate the order, so that no library is always first after a context switch.
      const order = [BLANK, ...LIBS.slice(run % LIBS.length), ...LIBS.slice(0, run % LIBS.length)];
      for (const lib of order) results[rate][lib.id].push(await measure(browser, origin, lib, rate));
      if (process.stdout.isTTY) process.stdout.write(`  ${rate}× CPU: run ${run + 1}/${RUNS} done\r`);
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

// Transfer size: every library file a page requested (the union over all runs), compressed as scripts/size.mjs does.
const transfer = Object.fromEntries(
  LIBS.map((lib) => {
    const paths = [...new Set(RATES.flatMap((rate) => results[rate][lib.id].flatMap((r) => r.requested)))].sort();
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
    return [lib.id, { files, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') }];
  }),
);

const summary = {};
for (const rate of RATES) {
  summary[rate] = {};
  for (const lib of [BLANK, ...LIBS]) {
    summary[rate][lib.id] = Object.fromEntries(
      METRICS.map(({ key }) => [key, median(results[rate][lib.id].map((r) => r[key]))]),
    );
  }
  for (const lib of LIBS.slice(1)) {
    summary[rate][lib.id].ratioPeerOverOurs = Object.fromEntries(
      METRICS.map(({ key }) => [key, ratio(summary[rate][lib.id][key], summary[rate][OURS.id][key])]),
    );
  }
}

console.log(`\nTransfer size of the files each page loaded (JS + CSS; ratio = peer / ours)`);
console.log(header());
for (const key of ['gzip', 'brotli']) {
  console.log(
    row(
      `${key === 'gzip' ? 'gzip -9' : 'brotli q11'}`,
      LIBS.map((lib, i) => {
        const value = kb(transfer[lib.id][key]);
        return i ? `${value}  ${formatRatio(ratio(transfer[lib.id][key], transfer[OURS.id][key]))}` : value;
      }),
    ),
  );
}
console.log(
  row(
    'files',
    LIBS.map((lib) => String(transfer[lib.id].files.length)),
  ),
);

for (const rate of RATES) {
  console.log(
    `\n${rate === 1 ? 'Unthrottled' : `${rate}× CPU slowdown`}: median of ${RUNS} run${RUNS > 1 ? 's' : ''} (ratio = peer / ours; above 1× ours is smaller or faster)`,
  );
  console.log(header());
  for (const { key, label, unit } of METRICS) {
    console.log(
      row(
        label,
        LIBS.map((lib, i) => {
          const value = format(summary[rate][lib.id][key], unit);
          return i ? `${value}  ${formatRatio(summary[rate][lib.id].ratioPeerOverOurs[key])}` : value;
        }),
      ),
    );
  }
  const blank = summary[rate][BLANK.id];
  console.log(
    `(the same page without any library: script ${format(blank.scriptMs, 'ms')}, heap ${format(blank.heapBytes, 'bytes')}, ` +
      `layout shift ${format(blank.layoutShift, 'shift')})`,
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
      })),
      medians: summary,
      runsRaw: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out.slice(ROOT.length)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
