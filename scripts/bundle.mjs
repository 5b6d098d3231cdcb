// Bundles the CLI (dist/src/cli/main.js, as tsc built it) into dist/cli/: one file per command's lazy
// part instead of ~200 modules to resolve and compile at every `kabi` start. esbuild splits at the
// dynamic imports, so `kabi diff` loads neither the server nor the store's addon. Native addons stay
// outside (they are found in node_modules at run time), and so does fastify, loaded only by `kabi serve`.
// First it compiles the WebAssembly core of `kabi diff` (assembly/symvers-diff.ts, AssemblyScript) into
// dist/src/model/, beside its loader (src/model/symvers-wasm.ts), and copies it beside the bundle.
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
const wasm = join(root, 'dist', 'src', 'model', 'symvers-diff.wasm');
// -O3, SIMD (the parse's scan; Node 16.4+) and no runtime: the module allocates nothing managed (one bump heap), and has no imports.
const compiled = await asc.main(
  [join(root, 'assembly', 'symvers-diff.ts'), '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '-o', wasm],
  {},
);
if (compiled.error) {
  process.stderr.write(compiled.stderr.toString());
  throw compiled.error;
}
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ['main.js', 'modversions-tree.js', 'module-file.js'].map((f) => join(root, 'dist', 'src', 'cli', f)),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['better-sqlite3', 'node-liblzma', 'zstd-napi', '@resvg/resvg-js', 'fastify', '@fastify/*'],
  // CommonJS dependencies (commander, tar-stream) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kabiRequire } from 'node:module'; const require = __kabiRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
// The quick entry (src/cli/quick.ts) as one CommonJS file: bin/kabi.js requires it for `diff` and
// `modversions DIR` before anything else loads (a CommonJS start skips the ES module loader's own start).
// It holds the diff; `modversions DIR` and one module's `modversions`/`modinfo` are ES modules beside it
// (modversions-tree.js, module-file.js, as tsc names them in dist/src/cli/, so the same import finds them
// in both), since their readers start xz workers that resolve node-liblzma with import.meta.resolve.
const quickOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'node-liblzma', 'zstd-napi', '@resvg/resvg-js', 'fastify', '@fastify/*'],
  logLevel: 'warning',
  legalComments: 'none',
};
await build({
  ...quickOptions,
  entryPoints: [join(root, 'dist', 'src', 'cli', 'quick.js')],
  outfile: join(outdir, 'quick.cjs'),
  format: 'cjs',
  plugins: [
    {
      name: 'modversions-tree-beside',
      setup(b) {
        b.onResolve({ filter: /^\.\/(modversions-tree|module-file)\.js$/ }, (args) => ({ path: args.path, external: true }));
      },
    },
  ],
  // The .wasm is found beside the bundle, as the ES chunks find it.
  define: { 'import.meta.url': '__kabiModuleUrl' },
  banner: { js: "const __kabiModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // esbuild warns for every module it reads, bundled or dropped (the xz workers, through the lazy
  // decompressors nothing here calls); the check below fails the build if one is bundled.
  logOverride: { 'empty-import-meta': 'silent' },
});
if (/\bimport_meta\b/.test(readFileSync(join(outdir, 'quick.cjs'), 'utf8')))
  throw new Error('dist/cli/quick.cjs bundles a module that needs import.meta (not in CommonJS)');
copyFileSync(wasm, join(outdir, 'symvers-diff.wasm'));
