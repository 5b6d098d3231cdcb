// A Debian package unpacked by `dpkg-deb -x`, once per npm test run: several files need a kernel
// package's files (its modules for modprobe, its vmlinuz for bpftool or a BTF walk), and some run kabi on
// the unpacked tree where reading the package itself is not what they test (each package is still read
// whole by kabi in another test: `kabi symvers`, `kfuncs`, `ingest`, `explain` of the .deb). The first file
// to ask unpacks it into the run's directory (KABI_TEST_RUN_CACHE) and every asker gets that tree, to
// read only: it is shared. Without the run's directory (a file run alone) it is unpacked into a
// temporary directory of this process, removed at exit.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { identity, oncePerRun } from './run-cache.js';

const own: string[] = [];
process.once('exit', () => {
  for (const d of own) rmSync(d, { recursive: true, force: true });
});

/** The directory `dpkg-deb -x PACKAGE` made (shared by the run: never write under it). */
export async function unpackedPackage(deb: string): Promise<string> {
  const cache = process.env.KABI_TEST_RUN_CACHE;
  if (!cache) {
    const dir = mkdtempSync(join(tmpdir(), 'kabi-unpacked-'));
    own.push(dir);
    execFileSync('dpkg-deb', ['-x', deb, dir]);
    return dir;
  }
  const key = createHash('sha256')
    .update(`${resolve(deb)} ${identity(deb)}`)
    .digest('hex')
    .slice(0, 32);
  const { value } = await oncePerRun(join(cache, `tree-${key}.json`), join(cache, `tree-${key}.lock`), () => {
    const dir = join(cache, `tree-${key}`);
    rmSync(dir, { recursive: true, force: true }); // a holder that died while unpacking
    execFileSync('dpkg-deb', ['-x', deb, dir]);
    return dir;
  });
  return value;
}
