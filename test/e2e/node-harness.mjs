/**
 * For the plain-JS scripts (scripts/screenshots.mjs, scripts/longtasks.mjs): the same server and
 * browser launcher as the tests, compiled from their TypeScript by esbuild, so nothing is written twice.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));

/** @returns {Promise<typeof import('./server.ts') & typeof import('./browser.ts')>} */
export async function loadHarness() {
  // Bundled next to the repo's node_modules so that `playwright-core` still resolves from the output.
  const outfile = join(here, '../../node_modules/.cache/paloma-e2e/harness.mjs');
  await build({
    stdin: { contents: "export * from './server.ts'; export * from './browser.ts';", resolveDir: here, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    // server.ts finds the repository from its own location.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(here, 'server.ts')).href) },
    outfile,
    logLevel: 'error',
  });
  return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}
