#!/usr/bin/env node
// `npm run check:packages`: what `npm publish` would ship, checked before it does. For every
// public package: packs it once (`npm pack`, as publishing would), then
//   - the tarball's file list against an explicit expectation (no tests, sources, source maps,
//     build info or stray files; README, LICENSE and the entry points present);
//   - publint (package.json against the packed files: exports, types, sideEffects, …);
//   - @arethetypeswrong/cli (types resolve, and as the right module kind, in node10, node16
//     from CJS and ESM, and bundlers);
//   - the ESM and CJS builds export the same names, and the collector's bin is executable;
//   - the script-tag bundle starts with V8's compile hint and the READMEs show its integrity hash.
// One line per check; exits 1 on any problem. Needs `npm run build` first.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { COMPILE_HINT } from '../rollup.config.mjs';
import { BUNDLE, integrity, toCjs } from './postbuild.mjs';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const ATTW = join(ROOT, 'node_modules/.bin/attw');

/** Declarations: tsc's `.d.ts` per source file, and their CJS twins from scripts/postbuild.mjs. */
const DTS = /^dist\/([\w-]+\/)?[\w.-]+\.d\.c?ts$/;
const dualEntry = (name) => [`dist/${name}.js`, `dist/${name}.cjs`, `dist/${name}.d.ts`, `dist/${name}.d.cts`];
const DUAL_ENTRY = dualEntry('index');

/**
 * What each tarball must hold (`required`) and may hold (`allowed`: patterns; a required file is
 * allowed). Anything else fails, so a new kind of file is a decision made here, not an accident.
 */
const PACKAGES = [
  {
    dir: 'packages/core',
    required: [
      ...DUAL_ENTRY,
      'receipt.schema.json',
      'config.schema.json',
      'dist/server.js',
      'dist/server.cjs',
      'dist/server.d.ts',
    ],
    allowed: [DTS],
    dual: true,
    // `./server` is a subpath export, which TypeScript's `node10` resolution cannot see (the main entry it can).
    attw: ['--profile', 'node16'],
  },
  { dir: 'packages/ui', required: DUAL_ENTRY, allowed: [DTS], dual: true },
  {
    dir: 'packages/consent',
    // `react/package.json` and `vue/package.json` point resolvers without `exports` (node10) at the bindings.
    required: [
      ...DUAL_ENTRY,
      'dist/consent.min.js',
      ...['react', 'vue'].flatMap((name) => [...dualEntry(name), `${name}/package.json`]),
    ],
    // The script-tag UI, one file per language, its content hash in the name (rollup.config.mjs).
    allowed: [DTS, /^dist\/consent-ui\.(en|ru|kk)\.[\w-]+\.min\.js$/],
    dual: true,
    // The script-tag bundle is exported so it can be copied or served (`require.resolve`); it
    // is a classic script that assigns window.PalomaConsent, not a module with types.
    attw: ['--exclude-entrypoints', './consent.min.js'],
  },
  {
    dir: 'packages/collector',
    // The operator console served at /admin/ (rollup.config.mjs builds it into dist/console/).
    required: [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli.js',
      ...['index.html', 'console.js', 'console.css'].map((name) => `dist/console/${name}`),
    ],
    allowed: [/^dist\/[\w.-]+\.js$/, /^dist\/[\w.-]+\.d\.ts$/],
    // Node-only and ESM-only by design: no CJS build, so node10 and require() are not checked.
    attw: ['--profile', 'esm-only'],
    bins: true,
  },
  {
    dir: 'packages/audit',
    required: ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'report.schema.json'],
    allowed: [/^dist\/[\w.-]+\.js$/, /^dist\/[\w.-]+\.d\.ts$/],
    // A Node command line and its API, ESM only like the collector.
    attw: ['--profile', 'esm-only'],
    bins: true,
  },
];
const ALWAYS = ['package.json', 'README.md', 'LICENSE'];

/** attw's JSON lists every problem; its exit code (and this check) skip the profile's ignored ones. */
const IGNORED_RESOLUTIONS = { strict: [], node16: ['node10'], 'esm-only': ['node10', 'node16-cjs'] };

/** Named so the failure says what was shipped by mistake. */
const FORBIDDEN = [
  [/(^|\/)src\//, 'source'],
  [/\.test\.|(^|\/)test-|(^|\/)(test|tests|__tests__)\//, 'test'],
  [/\.map$/, 'source map'],
  [/tsbuildinfo/, 'TypeScript build info'],
  [/\.tgz$/, 'tarball'],
  [/(^|\/)\.env|\.sqlite|\.db$/, 'local data'],
  [/(^|\/)tsconfig[\w.-]*\.json$/, 'build config'],
];

let problems = 0;
const report = (name, check, issues, detail = '') => {
  if (issues.length === 0) console.log(`ok    ${name.padEnd(30)} ${check}${detail ? ` (${detail})` : ''}`);
  for (const issue of issues) {
    problems++;
    console.log(`FAIL  ${name.padEnd(30)} ${check}: ${issue}`);
  }
};

// A workspace that becomes public must get its expectation here before it can be published.
const workspaces = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces ?? [];
for (const dir of workspaces) {
  const { name, private: isPrivate } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  if (!isPrivate && !PACKAGES.some((spec) => spec.dir === dir)) report(name, 'listed in check-packages.mjs', [dir]);
}

// A missing build would make every check below fail for the same, unhelpful reason.
const built = PACKAGES.flatMap(({ dir, required }) =>
  required.filter((file) => file.startsWith('dist/') && !existsSync(join(ROOT, dir, file))).map((f) => `${dir}/${f}`),
);
if (built.length > 0) {
  console.log(`FAIL  dist is missing (${built.join(', ')}): run \`npm run build\` first`);
  process.exit(1);
}
// The CJS declarations come from scripts/postbuild.mjs, after tsc: each must match its current .d.ts.
const stale = PACKAGES.filter(({ dual }) => dual).flatMap(({ dir }) =>
  readdirSync(join(ROOT, dir, 'dist'))
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => join(dir, 'dist', file))
    .filter((dts) => {
      const dcts = join(ROOT, dts.replace(/\.d\.ts$/, '.d.cts'));
      return !existsSync(dcts) || readFileSync(dcts, 'utf8') !== toCjs(readFileSync(join(ROOT, dts), 'utf8'));
    }),
);
if (stale.length > 0) {
  console.log(
    `FAIL  no current .d.cts twin for ${stale.join(', ')}: \`npm run build\` must end with \`node scripts/postbuild.mjs\``,
  );
  process.exit(1);
}

// The READMEs' script tag carries the bundle's current integrity hash, or copying it breaks pages.
const sri = integrity(join(ROOT, BUNDLE));
for (const readme of ['README.md', 'packages/consent/README.md']) {
  const shown = readFileSync(join(ROOT, readme), 'utf8').includes(`integrity="${sri}"`);
  report('@paloma365/consent', `${readme} shows integrity="${sri}"`, shown ? [] : ['an older hash: paste this one']);
}

// V8 reads its compile hint on the bundle's first line only, and terser keeps it only because its comment filter names it.
const firstLine = readFileSync(join(ROOT, BUNDLE), 'utf8').split('\n', 1)[0];
report(
  '@paloma365/consent',
  `consent.min.js starts with ${COMPILE_HINT}`,
  firstLine === COMPILE_HINT ? [] : [`its first line is ${firstLine.slice(0, 60)}`],
);

const tmp = mkdtempSync(join(tmpdir(), 'paloma-pack-'));
try {
  // One `npm pack` for all packages: the same tarballs `npm publish` would upload.
  // `./` matters: `npm pack packages/core` would be read as the GitHub repository packages/core.
  const args = [
    'pack',
    '--json',
    '--ignore-scripts',
    '--pack-destination',
    tmp,
    ...PACKAGES.map(({ dir }) => `./${dir}`),
  ];
  const packed = await run('npm', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout }) => JSON.parse(stdout),
    (error) => {
      console.log(`FAIL  npm pack: ${error.stderr?.trim() || error.message}`);
      process.exit(1);
    },
  );

  const results = await Promise.all(
    PACKAGES.map(async (spec, index) => {
      const { name, filename, files } = packed[index];
      const tarball = join(tmp, filename);
      const checks = await Promise.all([
        checkContents(spec, files),
        checkPublint(tarball),
        checkAttw(spec, tarball, tmp),
        spec.dual && checkParity(spec),
        spec.bins && checkBins(spec, files),
      ]);
      return checks.filter(Boolean).map((check) => [name, ...check]);
    }),
  );
  for (const line of results.flat()) report(...line);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

console.log(problems === 0 ? '\nall packages ok' : `\n${problems} problem(s)`);
process.exitCode = problems === 0 ? 0 : 1;

function checkContents({ required, allowed }, files) {
  const paths = files.map((file) => file.path);
  const issues = [];
  for (const path of [...ALWAYS, ...required]) {
    if (!paths.includes(path)) issues.push(`${path} is not in the tarball`);
  }
  for (const path of paths) {
    const forbidden = FORBIDDEN.find(([pattern]) => pattern.test(path));
    if (forbidden) issues.push(`${path} is a ${forbidden[1]} file`);
    else if (!ALWAYS.includes(path) && !required.includes(path) && !allowed.some((pattern) => pattern.test(path))) {
      issues.push(`${path} is not expected (stale build output? add it to check-packages.mjs if intended)`);
    }
  }
  const kb = (files.reduce((sum, file) => sum + file.size, 0) / 1024).toFixed(1);
  return ['npm pack contents', issues, `${paths.length} files, ${kb} KB`];
}

async function checkPublint(tarball) {
  // The tarball itself, not the directory: publint then lints exactly what would be published.
  const bytes = readFileSync(tarball);
  const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const { messages, pkg } = await publint({ pack: { tarball: data }, level: 'suggestion' });
  return ['publint', messages.map((message) => `${message.type}: ${formatMessage(message, pkg, { color: false })}`)];
}

async function checkAttw({ attw = [] }, tarball, tmp) {
  // attw exits before a piped stdout is flushed (its JSON is cut at 64 KB): give it a file.
  const out = join(tmp, `${basename(tarball)}.attw.json`);
  const fd = openSync(out, 'w');
  const code = await new Promise((done) => {
    spawn(ATTW, [tarball, '--format', 'json', ...attw], { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] }).on(
      'close',
      done,
    );
  });
  closeSync(fd);
  let result;
  try {
    result = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    return ['attw', [`no JSON report (exit ${code})`]];
  }
  const profile = attw.includes('--profile') ? attw[attw.indexOf('--profile') + 1] : 'strict';
  const ignored = IGNORED_RESOLUTIONS[profile];
  const issues = Object.values(result.problems ?? {})
    .flat()
    .filter(({ resolutionKind }) => !ignored.includes(resolutionKind))
    .map((problem) => `${problem.kind}${describeProblem(problem)}`);
  if (code !== 0 && issues.length === 0) issues.push(`exit ${code}`);
  return ['attw', issues, `profile ${profile}, ${Object.keys(result.analysis.entrypoints).length} entry points`];
}

/** Problems name an entry point and resolution mode, or the files whose module kinds disagree. */
function describeProblem({ entrypoint, resolutionKind, typesFileName, implementationFileName, fileName }) {
  const short = (file) => file?.replace(/^\/node_modules\/[^/]+\/[^/]+\//, '');
  if (entrypoint) return ` at "${entrypoint}" (${resolutionKind})`;
  if (typesFileName) return `: ${short(typesFileName)} types ${short(implementationFileName)}`;
  return fileName ? ` in ${short(fileName)}` : '';
}

async function checkParity({ dir }) {
  // Both builds must offer the same API: `require` and `import` consumers see one package.
  try {
    const esm = Object.keys(await import(pathToFileURL(join(ROOT, dir, 'dist/index.js')).href)).sort();
    const cjs = Object.keys(createRequire(join(ROOT, dir, 'package.json'))('./dist/index.cjs')).sort();
    const missing = esm.filter((key) => !cjs.includes(key)).map((key) => `${key} missing from index.cjs`);
    const extra = cjs.filter((key) => !esm.includes(key)).map((key) => `${key} missing from index.js`);
    return ['ESM/CJS exports match', [...missing, ...extra], esm.join(', ')];
  } catch (error) {
    return ['ESM/CJS exports match', [`cannot load the builds in Node: ${error.message}`]];
  }
}

function checkBins({ dir }, files) {
  const { bin = {} } = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  const issues = [];
  for (const [command, target] of Object.entries(typeof bin === 'string' ? { bin } : bin)) {
    const path = target.replace(/^\.\//, '');
    const file = files.find((entry) => entry.path === path);
    if (!file) {
      issues.push(`${command}: ${path} is not in the tarball`);
      continue;
    }
    if (!readFileSync(join(ROOT, dir, path), 'utf8').startsWith('#!/usr/bin/env node\n')) {
      issues.push(`${command}: ${path} does not start with #!/usr/bin/env node`);
    }
    if ((file.mode & 0o111) === 0 || (statSync(join(ROOT, dir, path)).mode & 0o111) === 0) {
      issues.push(`${command}: ${path} is not executable (run node scripts/postbuild.mjs after tsc)`);
    }
  }
  return ['bin', issues, Object.keys(bin).join(', ')];
}
