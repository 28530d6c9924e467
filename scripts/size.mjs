#!/usr/bin/env node
// `npm run size`: raw, gzip and brotli bytes of the script-tag bundle (JS + CSS +
// three languages), next to the peers installed as devDependencies, and where the
// bundle's bytes go (each source file's share of the gzip size). Fails only on the
// budget; sizes are deterministic, unlike timings.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import { SourceMapConsumer } from 'source-map-js';

/**
 * CI fails past BUDGET, a ratchet against growth (the bundle is 15.53 KB: JS, CSS, three languages
 * and the receipts outbox). GOAL is the 12 KB the bundle issue asked for and TARGET the 10 KB we
 * aim at; both are reported, and out of reach for one self-contained file (see README "Size").
 */
// 15.6 → 15.8 KB: the consent cookie's defence against cookies planted by sibling subdomains (duplicates,
// inconsistent cookies, `__Host-`, v1 migration) and own-property reads of decisions cost about 250 B.
const BUDGET_GZIP = 15.8 * 1024;
const GOAL_GZIP = 12 * 1024;
const TARGET_GZIP = 10 * 1024;
const BUNDLE = 'packages/consent/dist/consent.min.js';

const require = createRequire(import.meta.url);
// Paths here, and in the rollup config read for the breakdown, are from the repository's root.
process.chdir(new URL('..', import.meta.url).pathname);

/** What a visitor downloads for each library: its script plus its stylesheet, if separate. */
const peers = [
  {
    name: 'vanilla-cookieconsent 3',
    files: ['vanilla-cookieconsent/dist/cookieconsent.umd.js', 'vanilla-cookieconsent/dist/cookieconsent.css'],
  },
  { name: 'klaro', files: ['klaro/dist/klaro.js'] },
  {
    name: 'tarteaucitronjs',
    files: [
      'tarteaucitronjs/tarteaucitron.min.js',
      'tarteaucitronjs/css/tarteaucitron.min.css',
      'tarteaucitronjs/lang/tarteaucitron.en.min.js',
    ],
  },
];

const measure = (buffers) => {
  const all = Buffer.concat(buffers);
  return {
    raw: all.length,
    gzip: buffers.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
    brotli: buffers.reduce(
      (n, b) => n + brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      0,
    ),
  };
};

const resolvePeerFile = (file) => {
  const [scopeOrName, ...rest] = file.split('/');
  try {
    const root = dirname(require.resolve(`${scopeOrName}/package.json`));
    const path = join(root, ...rest);
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
};

if (!existsSync(BUNDLE)) {
  console.error(`${BUNDLE} is missing: run \`npm run build\` first`);
  process.exit(1);
}
const ours = measure([readFileSync(BUNDLE)]);
const rows = [{ name: '@paloma365/consent (consent.min.js)', ...ours }];
for (const peer of peers) {
  const paths = peer.files.map(resolvePeerFile);
  if (paths.some((p) => !p)) rows.push({ name: `${peer.name} (not installed)` });
  else rows.push({ name: peer.name, ...measure(paths.map((p) => readFileSync(p))) });
}

/**
 * vanilla-cookieconsent ships no texts: a site passes them in its configuration, which the visitor
 * downloads too. This is the configuration's `translations` with our en/ru/kk texts, as its docs shape it.
 */
async function vanillaTranslations() {
  const { outputFiles } = await build({
    stdin: {
      contents:
        "export { TEXTS } from './packages/ui/src/i18n.ts'; export { LANGUAGES } from '@paloma365/consent-core';",
      resolveDir: process.cwd(),
    },
    absWorkingDir: process.cwd(),
    bundle: true,
    format: 'esm',
    write: false,
    alias: { '@paloma365/consent-core': './packages/core/src/index.ts' },
    logLevel: 'error',
  });
  const url = `data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`;
  const { TEXTS, LANGUAGES } = await import(url);
  const translations = {};
  for (const [i, language] of LANGUAGES.entries()) {
    const t = Object.fromEntries(Object.entries(TEXTS).map(([key, texts]) => [key, texts[i]]));
    const section = (id) => ({ title: t[`${id}Title`], description: t[`${id}Description`], linkedCategory: id });
    translations[language] = {
      consentModal: {
        title: t.bannerTitle,
        description: t.bannerText,
        acceptAllBtn: t.acceptAll,
        acceptNecessaryBtn: t.rejectAll,
        showPreferencesBtn: t.customize,
        footer: `<a href="/privacy">${t.privacyPolicy}</a>`,
      },
      preferencesModal: {
        title: t.settings,
        acceptAllBtn: t.acceptAll,
        acceptNecessaryBtn: t.rejectAll,
        savePreferencesBtn: t.save,
        closeIconLabel: t.close,
        sections: [{ description: t.dialogIntro }, section('necessary'), section('analytics'), section('functional')],
      },
    };
  }
  return Buffer.from(JSON.stringify({ translations }));
}
/** The informative parts may fail (a changed config, a source map it cannot read): said, never fatal. */
async function inform(what, fn) {
  try {
    await fn();
  } catch (error) {
    console.log(`(${what} unavailable: ${error.message})`);
  }
}

const vanilla = rows.find((r) => r.name === peers[0].name);
await inform('vanilla-cookieconsent with texts', async () => {
  if (!vanilla) return;
  const texts = measure([await vanillaTranslations()]);
  rows.splice(rows.indexOf(vanilla) + 1, 0, {
    name: '  + the same en/ru/kk texts in its config',
    raw: vanilla.raw + texts.raw,
    gzip: vanilla.gzip + texts.gzip,
    brotli: vanilla.brotli + texts.brotli,
  });
});

/**
 * Where the bytes go: the bundle rebuilt in memory with a source map, and for each source file the
 * gzip bytes the bundle would lose without that file's code. What files repeat of each other gzip
 * stores once, so the shares add up to a little less than the whole.
 */
async function breakdown() {
  const { default: configs } = await import('../rollup.config.mjs');
  const config = configs.find((c) => c.output?.file === BUNDLE);
  // The workspace packages from their sources rather than their builds, so the map names every file.
  const sources = {
    name: 'workspace-sources',
    resolveId: (id) => {
      const name = /^@paloma365\/consent-(core|ui)$/.exec(id)?.[1];
      return name && `packages/${name}/src/index.ts`;
    },
  };
  const bundle = await rollup({ ...config, plugins: [sources, ...config.plugins], logLevel: 'silent' });
  const { output } = await bundle.generate({ ...config.output, sourcemap: true });
  const { code, map } = output[0];
  const lines = code.split('\n');
  const segments = [];
  new SourceMapConsumer(map).eachMapping((m) => {
    const previous = segments.at(-1);
    if (previous?.line === m.generatedLine - 1) previous.end = m.generatedColumn;
    segments.push({ line: m.generatedLine - 1, start: m.generatedColumn, end: Infinity, source: m.source ?? '' });
  });
  const name = (source) => relative('.', join(dirname(BUNDLE), source)).replace(/^packages\//, '');
  const without = (source) =>
    lines
      .map((line, i) => {
        const own = segments.filter((s) => s.line === i);
        if (!own.length) return line;
        return (
          line.slice(0, own[0].start) + own.map((s) => (s.source === source ? '' : line.slice(s.start, s.end))).join('')
        );
      })
      .join('\n');
  const whole = gzipSync(code, { level: 9 }).length;
  const shares = [...new Set(segments.map((s) => s.source))].map((source) => ({
    file: name(source),
    gzip: whole - gzipSync(without(source), { level: 9 }).length,
  }));
  return { whole, shares: shares.sort((a, b) => b.gzip - a.gzip) };
}

const kb = (n) => (n === undefined ? '—' : `${(n / 1024).toFixed(2)} KB`);
console.log('library'.padEnd(40), 'raw'.padStart(10), 'gzip'.padStart(10), 'brotli'.padStart(10), '  gzip vs ours');
for (const r of rows) {
  const ratio = r.gzip ? `${(r.gzip / ours.gzip).toFixed(2)}×` : '';
  console.log(
    r.name.padEnd(40),
    kb(r.raw).padStart(10),
    kb(r.gzip).padStart(10),
    kb(r.brotli).padStart(10),
    ' ',
    ratio,
  );
}
await inform('the breakdown by file', async () => {
  const { whole, shares } = await breakdown();
  console.log(
    `\nwhere the gzip bytes go (a build from the sources, ${whole} B; what it would lose without each file):`,
  );
  for (const { file, gzip } of shares) console.log(`${String(gzip).padStart(7)} B  ${file}`);
});

const verdict =
  ours.gzip <= TARGET_GZIP
    ? 'within the target'
    : ours.gzip <= GOAL_GZIP
      ? 'within the goal, over the target'
      : ours.gzip <= BUDGET_GZIP
        ? `within the budget, ${ours.gzip - GOAL_GZIP} B over the goal`
        : 'OVER BUDGET';
console.log(
  `\nbudget ${kb(BUDGET_GZIP)}, goal ${kb(GOAL_GZIP)}, target ${kb(TARGET_GZIP)} gzip: ${ours.gzip} B, ${verdict}`,
);
process.exit(ours.gzip <= BUDGET_GZIP ? 0 : 1);
