// The dashboard's build: `npm run build:web` writes src/serve/dashboard, which is committed so that
// `kabi serve` needs no build step at run time (and CI needs no Vite run).
import { fileURLToPath } from 'node:url';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const BOOT = fileURLToPath(new URL('./src/boot.ts', import.meta.url));

/**
 * boot.ts in index.html: built as a chunk of its own (it imports nothing, so the chunk is a classic
 * script), loaded `async` at the top of <head>, where it runs as soon as it arrives, without holding up
 * the parser, and requests the page's data while the main script is still on the way.
 */
function boot(): Plugin {
  return {
    name: 'kabi-boot',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: BOOT, name: 'boot' });
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find(
          (c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId === BOOT,
        );
        if (chunk?.type !== 'chunk' || chunk.imports.length > 0 || chunk.exports.length > 0)
          throw new Error('boot.ts must build to a chunk of its own that imports and exports nothing');
        const tag: HtmlTagDescriptor = {
          tag: 'script',
          attrs: { async: true, src: `/${chunk.fileName}` },
          injectTo: 'head-prepend',
        };
        return [tag];
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [boot()],
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
