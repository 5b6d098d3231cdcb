// The dashboard's build: `npm run build:web` writes src/serve/dashboard, which is committed so that
// `kabi serve` needs no build step at run time (and CI needs no Vite run).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../src/serve/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // No inline script anywhere: the server's Content-Security-Policy allows only this origin's files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
