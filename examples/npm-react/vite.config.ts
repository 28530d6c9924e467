import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The root is this folder wherever Vite is started from (`npx vite build examples/npm-react`).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/react/',
  // Vite 8 compiles JSX with oxc: React's automatic runtime needs no plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: { outDir: 'dist', emptyOutDir: true },
});
