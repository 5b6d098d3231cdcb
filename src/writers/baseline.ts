// Writes a new baseline (`kabi check --update`) atomically: a temporary file in the same directory,
// fsynced, then renamed over the old one, so an interrupted update leaves the old baseline intact.
// The compression of the old file is kept (xz or gzip, recognised by magic bytes).
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { KernelBuild } from '../model/kernel-build.js';
import { detectCompression } from '../readers/compression.js';
import { formatModuleSymvers } from './module-symvers.js';
import { formatRpmProvides } from './rpm-provides.js';

export async function writeBaseline(path: string, build: KernelBuild): Promise<void> {
  const old = await readFile(path).catch(() => null);
  const compression = old ? detectCompression(old) : 'none';
  // RPM provides know no module or export type: writing them as Module.symvers would invent both.
  const text =
    build.format === 'rpm-provides'
      ? formatRpmProvides(build.exports.values())
      : formatModuleSymvers(build.exports.values());
  let bytes: Uint8Array = Buffer.from(text);
  if (compression === 'gzip') bytes = gzipSync(bytes, { level: 9 });
  if (compression === 'xz') {
    const { xzSync } = await import('node-liblzma');
    bytes = xzSync(Buffer.from(bytes));
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}
