#!/usr/bin/env node
import { createHash } from 'node:crypto';
// Last step of `npm run build` (after rollup and the `tsc -p` runs): what the published
// packages need that neither tool emits.
//
// 1. CommonJS type declarations for the dual ESM/CJS packages. They are `"type": "module"`,
//    so TypeScript reads `dist/*.d.ts` as ESM, and a `require('@paloma365/consent-core')`
//    typed by them "masquerades as ESM" (publint; attw's FalseESM). Each `dist/**/*.d.ts`
//    gets a `.d.cts` twin whose relative specifiers point at `.cjs`, so the whole declaration
//    tree a CJS consumer loads is CJS; `exports["."].require.types` names `dist/index.d.cts`.
// 2. The collector's `bin` is executable in the tarball (tsc writes files 0644).
// 3. The script-tag bundle's Subresource Integrity hash, printed for the `<script integrity>`
//    attribute (check-packages.mjs checks that the READMEs show the current one).
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DUAL_PACKAGES = ['core', 'ui', 'consent'];
export const BUNDLE = 'packages/consent/dist/consent.min.js';

/** `sha384-…` of a file, as `<script integrity>` takes it. */
export const integrity = (file) => `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
const BINS = ['packages/collector/dist/cli.js', 'packages/audit/dist/cli.js'];

/** `from './x.js'`, `import('./x.js')`, `import './x.js'` → `.cjs`; bare specifiers stay. */
export const toCjs = (source) =>
  source.replace(/((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.js\2/g, '$1$2$3.cjs$2');

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );

// Run as a script; check-packages.mjs imports `toCjs` to verify the twins are current.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.chdir(join(import.meta.dirname, '..')); // paths below are from the repository root
  let failed = false;
  const fail = (message) => {
    console.error(`postbuild: ${message}`);
    failed = true;
  };

  for (const name of DUAL_PACKAGES) {
    const dist = join('packages', name, 'dist');
    if (!existsSync(join(dist, 'index.d.ts'))) {
      fail(`${dist}/index.d.ts is missing; run tsc -p packages/${name} first`);
      continue;
    }
    let count = 0;
    for (const file of walk(dist)) {
      if (file.endsWith('.d.ts')) {
        writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), toCjs(readFileSync(file, 'utf8')));
        count++;
      } else if (file.endsWith('.d.cts') && !existsSync(file.replace(/\.d\.cts$/, '.d.ts'))) {
        rmSync(file); // its source is gone: do not ship a stale twin
      }
    }
    console.log(`postbuild: ${dist}: ${count} .d.ts → .d.cts`);
  }

  for (const bin of BINS) {
    if (!existsSync(bin)) {
      fail(`${bin} is missing; run tsc -p ${bin.split('/dist/')[0]} first`);
      continue;
    }
    if (!readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')) fail(`${bin} has no #!/usr/bin/env node line`);
    chmodSync(bin, statSync(bin).mode | 0o111);
    console.log(`postbuild: ${bin}: executable`);
  }
  if (existsSync(BUNDLE)) console.log(`postbuild: ${BUNDLE}: integrity="${integrity(BUNDLE)}"`);
  else fail(`${BUNDLE} is missing; run rollup first`);
  process.exitCode = failed ? 1 : 0;
}
