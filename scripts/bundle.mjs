// Bundles the CLI (dist/src/cli/main.js, as tsc built it) into dist/cli/: one file per command's lazy
// part instead of ~200 modules to resolve and compile at every `kabi` start. esbuild splits at the
// dynamic imports, so `kabi diff` loads neither the server nor the store's addon. Native addons stay
// outside (they are found in node_modules at run time), and so does fastify, loaded only by `kabi serve`.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
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
