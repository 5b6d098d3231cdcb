// The dashboard's build: `npm run build:web` writes src/serve/dashboard, which is committed so that
// `kabi serve` needs no build step at run time (and CI needs no Vite run).
import { fileURLToPath } from 'node:url';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const BOOT = fileURLToPath(new URL('./src/boot.ts', import.meta.url));

/**
 * boot.ts and the style sheet inside index.html. boot.ts is built as a chunk of its own (it imports
 * nothing, so the chunk is a classic script) and put at the top of <head> as an inline script: it runs as
 * the parser reaches it, requesting the page's data. Inline, neither waits for a request of its own after
 * the HTML: under COOP the HTML is parsed in a new renderer process 100-300 ms after it arrived, and each
 * file then asked for waited behind whatever the just-started server was computing. The server allows
 * exactly these inline elements by their hashes in its Content-Security-Policy (src/serve/assets.ts).
 */
function inlineFirst(): Plugin {
  const inline = (tag: 'script' | 'style', text: string) => {
    if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`inline ${tag} must not contain </${tag}`);
    return text.trim();
  };
  return {
    name: 'kabi-inline-first',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: BOOT, name: 'boot' });
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle ?? {};
        const chunk = Object.values(bundle).find(
          (c) => c.type === 'chunk' && c.isEntry && c.facadeModuleId === BOOT,
        );
        if (chunk?.type !== 'chunk' || chunk.imports.length > 0 || chunk.exports.length > 0)
          throw new Error('boot.ts must build to a chunk of its own that imports and exports nothing');
        delete bundle[chunk.fileName];
        const tags: HtmlTagDescriptor[] = [
          { tag: 'script', children: inline('script', chunk.code), injectTo: 'head-prepend' },
        ];
        const sheets = [...html.matchAll(/<link rel="stylesheet"[^>]* href="\/([^"]+\.css)">\n?/g)];
        for (const [link, file] of sheets) {
          const css = bundle[file!];
          if (css?.type !== 'asset') throw new Error(`${file}: not in the bundle`);
          delete bundle[file!];
          html = html.replace(link, '');
          tags.push({ tag: 'style', children: inline('style', String(css.source)), injectTo: 'head' });
        }
        return { html, tags };
      },
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [inlineFirst()],
  build: {
    outDir: fileURLToPath(new URL('../src/serve/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // No inline script but inlineFirst's: the server's Content-Security-Policy allows only those (by hash).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
