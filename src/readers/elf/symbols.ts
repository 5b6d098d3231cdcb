// Symbol tables (SHT_SYMTAB) and relocations (SHT_RELA / SHT_REL) of an ELF file.
//
//   Elf64_Sym  (24 bytes): st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
//   Elf32_Sym  (16 bytes): st_name u32, st_value u32, st_size u32, st_info u8, st_other u8, st_shndx u16
//   Elf64_Rela (24 bytes): r_offset u64, r_info u64 (sym << 32 | type), r_addend i64
//   Elf32_Rela (12 bytes): r_offset u32, r_info u32 (sym << 8 | type), r_addend i32
//   Elf*_Rel:  the same without r_addend; the addend is the word stored at r_offset.
import { type ElfFile, type ElfSection, EM, SHT } from './elf.js';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  shndx: number;
  info: number;
}

export interface ElfRelocation {
  offset: number;
  symbol: number;
  type: number;
  addend: number;
}

export function readSymbols(elf: ElfFile): ElfSymbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  if (!symtab) return [];
  const strtab = elf.sections[symtab.link];
  if (!strtab || strtab.type !== SHT.STRTAB) {
    throw elf.error(
      `symbol table links to section ${symtab.link}, which is not a string table`,
      undefined,
      symtab.name,
    );
  }
  const size = elf.is64 ? 24 : 16;
  elf.checkRange(symtab.offset, symtab.size, 'symbol table', symtab.name);
  const count = Math.floor(symtab.size / size);
  const out: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const off = symtab.offset + i * size;
    const nameOff = elf.u32(off);
    out[i] = elf.is64
      ? {
          name: nameOff === 0 ? '' : elf.cstring(strtab, nameOff),
          info: elf.u8(off + 4),
          shndx: elf.u16(off + 6),
          value: elf.word(off + 8, 'st_value'),
          size: elf.word(off + 16, 'st_size'),
        }
      : {
          name: nameOff === 0 ? '' : elf.cstring(strtab, nameOff),
          value: elf.u32(off + 4),
          size: elf.u32(off + 8),
          info: elf.u8(off + 12),
          shndx: elf.u16(off + 14),
        };
  }
  return out;
}

/** The relocations that apply to section `target`, by the offset they patch. */
export function readRelocations(elf: ElfFile, target: ElfSection): Map<number, ElfRelocation> {
  const out = new Map<number, ElfRelocation>();
  for (const rs of elf.sections) {
    if ((rs.type !== SHT.RELA && rs.type !== SHT.REL) || rs.info !== target.index) continue;
    const rela = rs.type === SHT.RELA;
    const size = elf.is64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    elf.checkRange(rs.offset, rs.size, 'relocation table', rs.name);
    for (let off = rs.offset; off + size <= rs.offset + rs.size; off += size) {
      const r = readRelocation(elf, off, rela);
      if (!rela) r.addend = implicitAddend(elf, target, r.offset);
      out.set(r.offset, r);
    }
  }
  return out;
}

function readRelocation(elf: ElfFile, off: number, rela: boolean): ElfRelocation {
  if (elf.is64) {
    const info = elf.u64(off + 8);
    return {
      offset: elf.word(off, 'r_offset'),
      symbol: Number(info >> 32n),
      type: Number(info & 0xffffffffn),
      addend: rela ? Number(elf.i64(off + 16)) : 0,
    };
  }
  const info = elf.u32(off + 4);
  return { offset: elf.u32(off), symbol: info >>> 8, type: info & 0xff, addend: rela ? elf.i32(off + 8) : 0 };
}

function implicitAddend(elf: ElfFile, target: ElfSection, offset: number): number {
  elf.checkRange(target.offset + offset, 4, 'relocated word', target.name);
  return elf.i32(target.offset + offset);
}

/** What a relocation type writes: a word of `width` bytes, absolute (S + A) or place-relative (S + A - P). */
export interface RelocationKind {
  width: 4 | 8;
  relative: boolean;
}

const ABS32: RelocationKind = { width: 4, relative: false };
const ABS64: RelocationKind = { width: 8, relative: false };
const REL32: RelocationKind = { width: 4, relative: true };
const REL64: RelocationKind = { width: 8, relative: true };

// The data relocations `.long sym`, `.quad sym` and `.long sym - .` assemble to, per psABI (elf.h's R_*).
const DATA_RELOCATIONS: Record<number, Record<number, RelocationKind>> = {
  [EM.X86_64]: { 1: ABS64, 2: REL32, 10: ABS32, 11: ABS32, 24: REL64 }, // R_X86_64_64, PC32, 32, 32S, PC64
  [EM.I386]: { 1: ABS32, 2: REL32 }, // R_386_32, R_386_PC32
  [EM.AARCH64]: { 257: ABS64, 258: ABS32, 260: REL64, 261: REL32 }, // R_AARCH64_ABS64, ABS32, PREL64, PREL32
  [EM.ARM]: { 2: ABS32, 3: REL32 }, // R_ARM_ABS32, R_ARM_REL32
  [EM.PPC64]: { 38: ABS64, 1: ABS32, 26: REL32, 44: REL64 }, // R_PPC64_ADDR64, ADDR32, REL32, REL64
  [EM.PPC]: { 1: ABS32, 26: REL32 }, // R_PPC_ADDR32, R_PPC_REL32
  [EM.S390]: { 22: ABS64, 4: ABS32, 5: REL32, 23: REL64 }, // R_390_64, R_390_32, R_390_PC32, R_390_PC64
  [EM.RISCV]: { 2: ABS64, 1: ABS32, 57: REL32 }, // R_RISCV_64, R_RISCV_32, R_RISCV_32_PCREL
  [EM.LOONGARCH]: { 2: ABS64, 1: ABS32, 99: REL32, 109: REL64 }, // R_LARCH_64, 32, 32_PCREL, 64_PCREL
};

/** The kind of a data relocation type on this machine, or undefined when it is not one we know. */
export function relocationKind(machine: number, type: number): RelocationKind | undefined {
  return DATA_RELOCATIONS[machine]?.[type];
}
