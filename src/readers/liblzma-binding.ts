// node-liblzma's native binding alone (its prebuilt binary first: liblzmaFile). The package's ES wrapper
// also evaluates node:stream, node:assert, its pool and error classes before the first byte is decoded
// (10–17 ms of a loaded `kabi diff A.xz B.xz`, through the ES module loader from the CommonJS quick
// entry); the decoders here use only the native engine, its constants and parseFileIndex, as decoders.ts
// already does for zstd-napi's binding.js.
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

/**
 * The binary to load: node-liblzma's prebuilt one for this platform when it loads here, else the one
 * node-gyp-build picks (build/Release, made at install against the system's liblzma).
 *
 * Why the prebuilt one first: it links liblzma 5.8 statically, whose LZMA decoder is a third faster than
 * the 5.4 that Debian bookworm's build links (a 6.1 kernel package's 391 MiB data.tar: 2.4–2.6 s against
 * 3.6–3.7 s on one core, bench/package.bench.ts). The decoder is the floor of every package read.
 * A prebuilt binary that does not load (another libc) falls back to the built one.
 */
function liblzmaFile(dir: string): string {
  const prebuilt = join(dir, 'prebuilds', `${process.platform}-${process.arch}`, 'node-liblzma.node');
  if (existsSync(prebuilt)) {
    try {
      createRequire(import.meta.url)(prebuilt);
      return prebuilt;
    } catch {
      // Not loadable here: the binary built at install.
    }
  }
  const gypBuild = createRequire(`${dir}/package.json`)('node-gyp-build') as { resolve(dir: string): string };
  return gypBuild.resolve(dir);
}

let file: string | undefined;

/** The binding, loaded once (synchronously: a native addon loads in one dlopen). */
export function liblzma(): LzmaBinding {
  if (binding) return binding;
  file ??= liblzmaFile(liblzmaDir());
  binding = createRequire(import.meta.url)(file) as LzmaBinding;
  return binding;
}

/** liblzma's version in the binding loaded (`5.8.2`): what a figure of an xz read was measured with. */
export function liblzmaVersion(): string {
  return (liblzma() as LzmaBinding & { versionString(): string }).versionString();
}

/** A decoder of concatenated xz streams: what node-liblzma's Unxz constructs (the options an encoder would use are read, not used). */
export function newUnxzEngine(lzma: LzmaBinding = liblzma()): NativeLZMA {
  return new lzma.LZMA(lzma.STREAM_DECODE, {
    check: lzma.LZMA_CHECK_NONE,
    preset: lzma.LZMA_PRESET_DEFAULT,
    filters: [lzma.LZMA_FILTER_LZMA2],
  });
}

/** What a worker needs to load the same binding (workerData): the binary's path. */
export interface LiblzmaWhere {
  file: string;
}

export function liblzmaWhere(): LiblzmaWhere {
  file ??= liblzmaFile(liblzmaDir());
  return { file };
}

/**
 * The same two functions in a worker's source (an `eval` script: CommonJS): loadLiblzma(where) and
 * newUnxzEngine(lzma), as above.
 */
export const LIBLZMA_IN_WORKER = `
const loadLiblzma = ({ file }) => require(file);
const newUnxzEngine = (lzma) =>
  new lzma.LZMA(lzma.STREAM_DECODE, {
    check: lzma.LZMA_CHECK_NONE,
    preset: lzma.LZMA_PRESET_DEFAULT,
    filters: [lzma.LZMA_FILTER_LZMA2],
  });
`;
