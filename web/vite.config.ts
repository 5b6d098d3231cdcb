// The dashboard's build: `npm run build:web` writes src/serve/dashboard, which is committed so that
// `kabi serve` needs no build step at run time (and CI needs no Vite run).
import { fileURLToPath } from 'node:url';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const BOOT = fileURLToPath(new URL('./src/boot.ts', import.meta.url));

/**
 * boot.ts in index.html: built as a chunk of its own (it imports nothing, so the chunk is a classic
 * script), a plain (parser-blocking) script at the top of <head>, before the style sheet: the preload
 * scanner fetches the style sheet and the main script beside it, and it runs the moment it arrives,
 * requesting the page's data. `async`, it ran only when the main thread was free: after the shell's
 * first layout, ~50 ms later on a busy machine (the parser has nothing to do meanwhile either way).
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
          attrs: { src: `/${chunk.fileName}` },
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
