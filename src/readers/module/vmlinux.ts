// The exports of the kernel image itself: vmlinux, as an ELF file or as extracted from a vmlinuz.
import type { Export } from '../../model/export.js';
import { openElf } from '../elf/elf.js';
import { readKsymtab } from './ksymtab.js';

export function readVmlinuxExports(bytes: Uint8Array, opts: { source: string }): Export[] {
  const elf = openElf(bytes, opts);
  if (!elf.section('__ksymtab_strings')) {
    throw elf.error(
      'no __ksymtab_strings section: not a vmlinux with exports (or built without CONFIG_MODULES)',
    );
  }
  const exports = readKsymtab(elf, 'vmlinux');
  // A kernel with modules exports something: no entries means tables we did not find, not an empty ABI.
  if (exports.length === 0)
    throw elf.error('no __ksymtab entries beside __ksymtab_strings: not a ksymtab this reader recognises');
  return exports;
}
