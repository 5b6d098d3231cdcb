// node-liblzma's native binding alone, loaded with node-gyp-build as the package's own lib/lzma.js loads
// it. That ES wrapper also evaluates node:stream, node:assert, its pool and error classes before the
// first byte is decoded (10–17 ms of a loaded `kabi diff A.xz B.xz`, through the ES module loader from the
// CommonJS quick entry); the decoders here use only the native engine, its constants and
// parseFileIndex, as decoders.ts already does for zstd-napi's binding.js.
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { NativeLZMA, XZFileIndex } from 'node-liblzma';

/** What the binding exports that the decoders use (node-liblzma's src/bindings/node-liblzma.cpp). */
export interface LzmaBinding {
  LZMA: new (mode: number, opts: { check: number; preset: number; filters: number[] }) => NativeLZMA;
  STREAM_DECODE: number;
  LZMA_CHECK_NONE: number;
  LZMA_PRESET_DEFAULT: number;
  LZMA_FILTER_LZMA2: number;
  LZMA_RUN: number;
  LZMA_FINISH: number;
  LZMA_OK: number;
  LZMA_STREAM_END: number;
  LZMA_DATA_ERROR: number;
  LZMA_FORMAT_ERROR: number;
  LZMA_OPTIONS_ERROR: number;
  LZMA_BUF_ERROR: number;
  LZMA_MEM_ERROR: number;
  LZMA_MEMLIMIT_ERROR: number;
  parseFileIndex(buffer: Buffer): XZFileIndex;
}

let binding: LzmaBinding | undefined;

/** node-liblzma's package directory, where node-gyp-build finds build/Release or prebuilds/. */
export function liblzmaDir(): string {
  const require = createRequire(import.meta.url);
  // The first node_modules/node-liblzma on require's search path, where require('node-liblzma') finds it,
  // without resolving the package's exports map (which loads Node's ES module resolver at a cold start).
  for (const dir of require.resolve.paths('node-liblzma') ?? []) {
    const pkg = join(dir, 'node-liblzma');
    // Its real path, as require gives it: node-gyp-build is found from there (beside a linked package,
    // the link's own directory need not hold it).
    if (existsSync(join(pkg, 'package.json'))) return realpathSync(pkg);
  }
  // Not installed: require names the fault.
  return dirname(dirname(require.resolve('node-liblzma')));
}

/** The binding, loaded once (synchronously: a native addon loads in one dlopen). */
export function liblzma(): LzmaBinding {
  if (binding) return binding;
  const dir = liblzmaDir();
  // node-gyp-build as node-liblzma depends on it, resolved from the package itself.
  const load = createRequire(`${dir}/package.json`)('node-gyp-build') as (dir: string) => LzmaBinding;
  binding = load(dir);
  return binding;
}

/** A decoder of concatenated xz streams: what node-liblzma's Unxz constructs (the options an encoder would use are read, not used). */
export function newUnxzEngine(lzma: LzmaBinding = liblzma()): NativeLZMA {
  return new lzma.LZMA(lzma.STREAM_DECODE, {
    check: lzma.LZMA_CHECK_NONE,
    preset: lzma.LZMA_PRESET_DEFAULT,
    filters: [lzma.LZMA_FILTER_LZMA2],
  });
}

/** What a worker needs to load the same binding (workerData): the package, and its node-gyp-build. */
export interface LiblzmaWhere {
  dir: string;
  gypBuild: string;
}

export function liblzmaWhere(): LiblzmaWhere {
  const dir = liblzmaDir();
  return { dir, gypBuild: createRequire(`${dir}/package.json`).resolve('node-gyp-build') };
}

/**
 * The same two functions in a worker's source (an `eval` script: CommonJS): loadLiblzma(where) and
 * newUnxzEngine(lzma), as above.
 */
export const LIBLZMA_IN_WORKER = `
const loadLiblzma = ({ dir, gypBuild }) => require(gypBuild)(dir);
const newUnxzEngine = (lzma) =>
  new lzma.LZMA(lzma.STREAM_DECODE, {
    check: lzma.LZMA_CHECK_NONE,
    preset: lzma.LZMA_PRESET_DEFAULT,
    filters: [lzma.LZMA_FILTER_LZMA2],
  });
`;
