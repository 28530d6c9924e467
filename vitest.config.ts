import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * One run, four projects: `unit` (happy-dom, sources), `e2e` (real Chromium against
 * the built bundle), `collector` (real SQLite and PostgreSQL) and `audit` (the audit CLI in real Chromium).
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    alias: {
      // Before the package's own name, which would otherwise take `/server` as a path inside `index.ts`.
      '@paloma365/consent-core/server': fileURLToPath(new URL('./packages/core/src/server.ts', import.meta.url)),
      '@paloma365/consent-core': src('core'),
      '@paloma365/consent-ui': src('ui'),
    },
  },
  define: { __SDK_VERSION__: JSON.stringify('0.0.0-test') },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/{core,ui,consent}/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['packages/core/src/test-setup.ts'],
          // The gate's tests need inline scripts to run; happy-dom does not run them by default.
          environmentOptions: {
            happyDOM: {
              settings: {
                enableJavaScriptEvaluation: true,
                suppressInsecureJavaScriptEnvironmentWarning: true,
                // A gated stylesheet a test activates is not fetched, and not reported with a stack trace either.
                handleDisabledFileLoadingAsSuccess: true,
              },
            },
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'collector',
          include: ['packages/collector/test/**/*.test.ts'],
          environment: 'node',
          // Starts PostgreSQL on 127.0.0.1 if needed; the PostgreSQL suites fail (never skip) without it.
          globalSetup: ['packages/collector/test/pg-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'audit',
          include: ['packages/audit/test/**/*.test.ts'],
          environment: 'node',
          // The CLI's tests launch Chromium against the built bundle (`npm run build` first); one audit
          // of five pages is 25 loads, which takes minutes on a busy 2-core machine.
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
