// The source file of each vmlinux export, from the unstripped vmlinux of a linux-image-*-dbg package
// (usr/lib/debug/boot/vmlinux-<release>): the exports from its ksymtab, their files from its DWARF.
import { NothingToJudgeError } from '../../errors.js';
import { openElf } from '../elf/elf.js';
import { readVmlinuxExports } from '../module/vmlinux.js';
import type { ArtifactSource } from '../pkg/types.js';
import { type DwarfSources, dwarfSourcesOfElf } from './source-files.js';

export interface DbgVmlinuxSources extends DwarfSources {
  /** vmlinux's exports: `sources` names at most these. */
  exports: number;
}

/** The exports' source files from a -dbg vmlinux's bytes. */
export async function parseDbgVmlinuxSources(
  bytes: Uint8Array,
  opts: { source: string },
): Promise<DbgVmlinuxSources> {
  const only = new Set(readVmlinuxExports(bytes, opts).map((e) => e.symbol));
  const found = await dwarfSourcesOfElf(openElf(bytes, opts), { ...opts, only });
  if (found.sources.size === 0)
    throw new NothingToJudgeError(
      opts.source,
      'exported function or variable in its DWARF',
      'a -dbg vmlinux',
    );
  return { ...found, exports: only.size };
}

/** The -dbg vmlinux of a package (a linux-image-*-dbg .deb, or a tree holding one). */
export const DBG_VMLINUX = /^usr\/lib\/debug\/boot\/vmlinux-[^/]+$/;

/** Streams a package to its -dbg vmlinux and stops there (it comes before the modules' debug files). */
export async function dbgVmlinuxOfPackage(pkg: ArtifactSource): Promise<DbgVmlinuxSources> {
  for await (const f of pkg.files((p) => DBG_VMLINUX.test(p))) {
    if (f.linkTarget !== undefined) continue;
    return parseDbgVmlinuxSources(f.data, { source: `${pkg.source}:${f.path}` });
  }
  throw new NothingToJudgeError(pkg.source, 'usr/lib/debug/boot/vmlinux-*', 'a linux-image-*-dbg package');
}
