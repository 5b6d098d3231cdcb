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
  return readKsymtab(elf, 'vmlinux');
}
