// The one part of the stablelist readers that touches the file system: a file (possibly gzip or xz
// compressed, as /lib/modules/kabi-*/ and distribution sources ship them) or a kabi-module
// directory. Everything else is parsing in memory.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Stablelist } from '../../model/stablelist.js';
import { decompress } from '../compression.js';
import { isDirectory, readInputFile } from '../file.js';
import { decodeText } from '../lines.js';
import type { StablelistFormat } from './detect.js';
import { type KabiModuleFile, parseKabiModuleTree, releaseMinor } from './kabi-module.js';
import { parseStablelist } from './parse.js';

export interface ReadStablelistOptions {
  format?: StablelistFormat;
  /** `MAJOR.MINOR`: the release a kabi-module tree is read for (default: latest). */
  release?: string;
}

const EXPECTED = 'a kABI stablelist text file';
const READ_BATCH = 64;

/** Reads a stablelist file, or a kabi-module tree when `path` is a directory. */
export async function readStablelist(path: string, opts: ReadStablelistOptions = {}): Promise<Stablelist> {
  releaseMinor(opts.release); // a bad release is a usage error even before any I/O
  if (await isDirectory(path, EXPECTED)) {
    if (opts.format !== undefined && opts.format !== 'kabi-module') {
      throw new UsageError(`${path} is a directory; only the kabi-module format is read from a directory`);
    }
    return readKabiModuleDir(path, opts.release);
  }
  const { data } = await decompress(await readInputFile(path, EXPECTED), { source: path });
  const text = decodeText(data, path, EXPECTED);
  return parseStablelist(text, { source: path, format: opts.format, release: opts.release });
}

/**
 * Accepts the kabi-module root (which holds kabi_<arch>/ directories) when it holds exactly one
 * arch, or a kabi_<arch> directory itself.
 */
async function readKabiModuleDir(path: string, release: string | undefined): Promise<Stablelist> {
  const entries = await readdir(path, { withFileTypes: true });
  const archDirs = entries.filter((e) => e.isDirectory() && e.name.startsWith('kabi_')).map((e) => e.name);
  if (archDirs.length > 1) {
    throw new UsageError(
      `${path} holds several architectures (${archDirs.sort().join(', ')}); pass one kabi_<arch> directory`,
    );
  }
  const dir = archDirs[0] === undefined ? path : join(path, archDirs[0]);
  const files = archDirs[0] === undefined ? entries : await readdir(dir, { withFileTypes: true });
  return parseKabiModuleTree(await readSymbolFiles(dir, files), { source: dir, release });
}

/** A tree holds thousands of small files: read them in batches to stay clear of the fd limit. */
async function readSymbolFiles(dir: string, entries: Dirent[]): Promise<KabiModuleFile[]> {
  const wanted = entries.filter((e) => e.isFile() && !e.name.includes('.'));
  const files: KabiModuleFile[] = [];
  for (let i = 0; i < wanted.length; i += READ_BATCH) {
    const batch = wanted.slice(i, i + READ_BATCH).map(async (e) => {
      const source = join(dir, e.name);
      return { name: e.name, text: decodeText(await readFile(source), source, EXPECTED) };
    });
    files.push(...(await Promise.all(batch)));
  }
  return files;
}
