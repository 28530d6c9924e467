#!/usr/bin/env node
// `npm run size`: raw, gzip and brotli bytes of the script-tag bundle (JS + CSS +
// three languages), next to the peers installed as devDependencies. Fails only on
// the budget; sizes are deterministic, unlike timings.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * CI fails past BUDGET, a ratchet against growth (the bundle is 15.6 KB: JS, CSS, three languages
 * and the receipts outbox). GOAL is the 12 KB the bundle issue asked for and TARGET the 10 KB we
 * aim at; both are reported, not yet met (see README "Size").
 */
const BUDGET_GZIP = 16 * 1024;
const GOAL_GZIP = 12 * 1024;
const TARGET_GZIP = 10 * 1024;
const BUNDLE = 'packages/consent/dist/consent.min.js';

const require = createRequire(import.meta.url);

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
