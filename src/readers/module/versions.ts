// A module's imports with the CRCs it was built against.
//
// `__versions` (CONFIG_MODVERSIONS): an array of struct modversion_info { unsigned long crc;
// char name[MODULE_NAME_LEN - sizeof(unsigned long)]; } — 64-byte records: 8 + 56 on 64-bit, 4 + 60 on
// 32-bit, in the ELF's byte order.
// `__version_ext_crcs` / `__version_ext_names` (CONFIG_EXTENDED_MODVERSIONS, 6.14+): u32 CRCs and the
// matching NUL-terminated names, for names too long for a 64-byte record (Rust). The loader prefers
// them when present (kernel/module/version.c), and so do we.
import type { Import } from '../../model/module-image.js';
import { type ElfFile, type ElfSection, latin1 } from '../elf/elf.js';

const RECORD = 64;
/** Buffer's own latin1 decoder, called on the section's bytes: no Buffer made per name (188k a package). */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (s: number, e: number) => string })
  .latin1Slice;

export function readModversions(
  elf: ElfFile,
  /** Check every record as when read, but make no Import: a caller that keeps only the kind. */
  checkOnly = false,
): { imports: Import[]; kind: 'versions' | 'extended' | 'none' } {
  const extCrcs = elf.section('__version_ext_crcs');
  const extNames = elf.section('__version_ext_names');
  if (extCrcs && extNames)
    return { imports: readExtended(elf, extCrcs, extNames, checkOnly), kind: 'extended' };
  // elf_validity_cache_index_versions() refuses a module with one of the pair (-ENOEXEC).
  const lone = extCrcs ?? extNames;
  if (lone) {
    throw elf.error(
      `${lone.name} without ${lone === extCrcs ? '__version_ext_names' : '__version_ext_crcs'}: the loader refuses extended version CRCs and names that do not come as a pair`,
      lone.offset,
      lone.name,
    );
  }
  const versions = elf.section('__versions');
  if (!versions) return { imports: [], kind: 'none' };
  return { imports: readVersions(elf, versions, checkOnly), kind: 'versions' };
}

function readVersions(elf: ElfFile, s: ElfSection, checkOnly: boolean): Import[] {
  if (s.size % RECORD !== 0) {
    throw elf.error(
      `section size ${s.size} is not a multiple of the ${RECORD}-byte modversion record`,
      s.offset,
      s.name,
    );
  }
  const data = elf.data(s);
  const crcSize = elf.wordSize;
  const out: Import[] = [];
  for (let off = 0; off < data.length; off += RECORD) {
    const at = s.offset + off;
    let crc: number;
    if (crcSize === 8) {
      // Two 32-bit halves, not a BigInt per import (188,527 of them for a kernel's modules).
      const high = elf.u32(elf.littleEndian ? at + 4 : at);
      if (high !== 0) throw elf.error(`CRC 0x${elf.u64(at).toString(16)} is wider than 32 bits`, at, s.name);
      crc = elf.u32(elf.littleEndian ? at : at + 4);
    } else {
      crc = elf.u32(at);
    }
    const nameStart = off + crcSize;
    const nul = data.indexOf(0, nameStart);
    if (nul === -1 || nul >= off + RECORD) {
      throw elf.error(
        `symbol name not NUL-terminated within its ${RECORD - crcSize} bytes`,
        s.offset + nameStart,
        s.name,
      );
    }
    if (!checkOnly) out.push({ symbol: latin1Slice.call(data, nameStart, nul), crc });
  }
  return out;
}

function readExtended(elf: ElfFile, crcs: ElfSection, names: ElfSection, checkOnly: boolean): Import[] {
  if (crcs.size % 4 !== 0)
    throw elf.error(`section size ${crcs.size} is not a multiple of 4`, crcs.offset, crcs.name);
  const count = crcs.size / 4;
  const data = elf.data(names);
  elf.data(crcs); // bounds check
  const out: Import[] = [];
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const nul = data.indexOf(0, pos);
    if (nul === -1) throw elf.error(`${count} CRCs but only ${i} names`, names.offset + pos, names.name);
    const crc = elf.u32(crcs.offset + i * 4);
    if (!checkOnly) out.push({ symbol: latin1(data, pos, nul), crc });
    pos = nul + 1;
  }
  return out;
}
