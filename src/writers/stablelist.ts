// A kABI reference in the shape each distribution keeps it:
// - module-kabi: openEuler's (and RHEL 7's) Module.kabi_<arch>: the Module.symvers lines of the symbols
// - suse: SUSE kernel-source's kabi/<arch>/symvers-<flavor>, also Module.symvers lines, which
//   suse-kabi-tools' `ksymvers compare` reads against a build's symvers (with kabi/severities)
// - rhel: kabi_stablelist_<arch>: `[rhel9_x86_64_stablelist]`, then one TAB-indented name per line, as
//   redhat/kabi/show-kabi -s writes it
// - gki: Android's abi_symbol_list: `[abi_symbol_list]`, then one name per line indented by two spaces
// Names-only formats carry no CRC: the build's Module.symvers still says what each CRC is.
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import { formatModuleSymvers } from './module-symvers.js';

export const REFERENCE_FORMATS = ['module-kabi', 'rhel', 'suse', 'gki'] as const;
export type ReferenceFormat = (typeof REFERENCE_FORMATS)[number];

export interface ReferenceWriteOptions {
  /** Needed by `rhel`'s section name. */
  arch?: string | null;
  /** `rhel`'s section prefix: distro and major, `rhel9` (default `kabi`). */
  name?: string;
}

export function formatReference(
  format: ReferenceFormat,
  exports: readonly Export[],
  opts: ReferenceWriteOptions = {},
): string {
  switch (format) {
    case 'module-kabi':
    case 'suse':
      return formatModuleSymvers(exports);
    case 'rhel': {
      if (!opts.arch) throw new UsageError('a rhel stablelist names its arch in its section: give --arch');
      const names = [...exports.map((e) => e.symbol)].sort();
      return `[${opts.name ?? 'kabi'}_${opts.arch}_stablelist]\n${names.map((s) => `\t${s}\n`).join('')}`;
    }
    case 'gki':
      return `[abi_symbol_list]\n${exports.map((e) => `  ${e.symbol}\n`).join('')}`;
  }
}

/** The file name each distribution gives the reference. */
export function referenceFileName(format: ReferenceFormat, arch: string | null): string {
  const a = arch ?? 'ARCH';
  if (format === 'module-kabi') return `Module.kabi_${a}`;
  if (format === 'rhel') return `kabi_stablelist_${a}`;
  if (format === 'suse') return `symvers-default`;
  return 'abi_symbol_list';
}
