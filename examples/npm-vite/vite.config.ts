import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The root is this folder wherever Vite is started from (`npx vite build examples/npm-vite` or
// `npx vite build --config examples/npm-vite/vite.config.ts` at the repository root).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // The demo serves the build under /npm/, next to the script-tag example at /.
  base: '/npm/',
  build: { outDir: 'dist', emptyOutDir: true },
});
