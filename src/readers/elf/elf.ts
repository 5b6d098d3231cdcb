// ELF (System V gABI): the container of kernel modules (.ko, ET_REL) and of vmlinux (ET_EXEC).
//
//   e_ident[16]  magic 7f 'E' 'L' 'F', EI_CLASS (1: 32-bit, 2: 64-bit), EI_DATA (1: LSB, 2: MSB)
//   header       e_type, e_machine, ... e_shoff, e_shentsize, e_shnum, e_shstrndx
//   sections     at e_shoff: e_shnum headers of 40 (32-bit) or 64 (64-bit) bytes
//
// Large section counts spill into section 0 (e_shnum = 0 → sh_size of section 0; e_shstrndx = SHN_XINDEX
// → its sh_link). Every offset and size read from the file is checked against the file before use:
// hostile input gets an ArtifactFormatError naming the file, the offset and the section, never a crash.
// Hand-written: no npm ELF package reads relocatable kernel modules correctly (see shared/LIBRARIES.md).
import { ArtifactFormatError, type FormatErrorContext } from '../../errors.js';

export const EM = {
  X86_64: 62,
  AARCH64: 183,
  PPC: 20,
  PPC64: 21,
  S390: 22,
  RISCV: 243,
  LOONGARCH: 258,
  I386: 3,
  ARM: 40,
};
export const SHT = { SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
const SHN_XINDEX = 0xffff;
/** st_shndx of an absolute symbol (a genksyms `__crc_*` before 5.19): its value is not an address. */
export const SHN_ABS = 0xfff1;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly view: DataView;
  private sectionList: ElfSection[] | null = null;

  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (
      bytes.length < 16 ||
      bytes[0] !== 0x7f ||
      bytes[1] !== 0x45 ||
      bytes[2] !== 0x4c ||
      bytes[3] !== 0x46
    ) {
      throw this.error('not an ELF file: expected the magic 7f 45 4c 46', 0);
    }
    const cls = bytes[4];
    const data = bytes[5];
    if (cls !== 1 && cls !== 2)
      throw this.error(`bad ELF class ${cls}: expected 1 (32-bit) or 2 (64-bit)`, 4);
    if (data !== 1 && data !== 2)
      throw this.error(`bad ELF data encoding ${data}: expected 1 (LSB) or 2 (MSB)`, 5);
    this.is64 = cls === 2;
    this.littleEndian = data === 1;
    this.checkRange(0, this.is64 ? 64 : 52, 'ELF header');
    this.type = this.u16(16);
    this.machine = this.u16(18);
  }

  error(reason: string, offset?: number, section?: string): ArtifactFormatError {
    const ctx: FormatErrorContext = { source: this.source };
    if (offset !== undefined) ctx.offset = offset;
    if (section !== undefined) ctx.section = section;
    return new ArtifactFormatError(reason, ctx);
  }

  checkRange(offset: number, size: number, what: string, section?: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(size) ||
      offset < 0 ||
      size < 0 ||
      offset + size > this.bytes.length
    ) {
      throw this.error(
        `${what} (offset ${offset}, ${size} bytes) runs past the end of the file (${this.bytes.length} bytes): truncated or corrupt`,
        offset,
        section,
      );
    }
  }

  u8(off: number): number {
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    return this.view.getUint16(off, this.littleEndian);
  }
  u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }
  i32(off: number): number {
    return this.view.getInt32(off, this.littleEndian);
  }
  u64(off: number): bigint {
    return this.view.getBigUint64(off, this.littleEndian);
  }
  i64(off: number): bigint {
    return this.view.getBigInt64(off, this.littleEndian);
  }
  /** A native-word field (4 or 8 bytes) as an offset or size: must fit a safe integer. */
  word(off: number, what: string): number {
    if (!this.is64) return this.u32(off);
    // Two 32-bit halves: no BigInt per field (a module's section table has ~300 of them).
    const lo = this.view.getUint32(this.littleEndian ? off : off + 4, this.littleEndian);
    const hi = this.view.getUint32(this.littleEndian ? off + 4 : off, this.littleEndian);
    if (hi > 0x1fffff) throw this.error(`${what} ${this.u64(off)} is absurdly large`, off);
    return hi * 0x100000000 + lo;
  }
  addr(off: number): bigint {
    return this.is64 ? this.u64(off) : BigInt(this.u32(off));
  }
  get wordSize(): number {
    return this.is64 ? 8 : 4;
  }

  get sections(): ElfSection[] {
    this.sectionList ??= this.readSections();
    return this.sectionList;
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for SHT_NOBITS), bounds-checked. */
  data(s: ElfSection): Uint8Array {
    if (s.type === SHT.NOBITS) return new Uint8Array(0);
    this.checkRange(s.offset, s.size, 'section contents', s.name);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** A NUL-terminated string at `offset` within section `s`. */
  cstring(s: ElfSection, offset: number): string {
    if (offset < 0 || offset >= s.size) {
      throw this.error(
        `string offset ${offset} lies outside the section (${s.size} bytes)`,
        s.offset + Math.max(0, offset),
        s.name,
      );
    }
    const start = s.offset + offset;
    const limit = s.offset + s.size;
    const end = this.bytes.indexOf(0, start);
    if (end === -1 || end >= limit) throw this.error('unterminated string', start, s.name);
    return latin1(this.bytes, start, end);
  }

  private readSections(): ElfSection[] {
    const h = this.is64
      ? { shoff: 40, shentsize: 58, shnum: 60, shstrndx: 62 }
      : { shoff: 32, shentsize: 46, shnum: 48, shstrndx: 50 };
    const shoff = this.word(h.shoff, 'e_shoff');
    if (shoff === 0) return [];
    const entsize = this.u16(h.shentsize);
    const want = this.is64 ? 64 : 40;
    if (entsize !== want)
      throw this.error(`e_shentsize is ${entsize}: expected ${want} for this ELF class`, h.shentsize);
    this.checkRange(shoff, entsize, 'section header 0');
    let count = this.u16(h.shnum);
    let strndx = this.u16(h.shstrndx);
    if (count === 0) count = this.word(shoff + (this.is64 ? 32 : 20), 'section count (sh_size of section 0)');
    if (strndx === SHN_XINDEX) strndx = this.u32(shoff + (this.is64 ? 40 : 24));
    this.checkRange(shoff, count * entsize, `section header table (${count} entries)`);
    const raw = Array.from({ length: count }, (_, i) => this.readSectionHeader(shoff + i * entsize, i));
    const strtab = raw[strndx];
    if (!strtab) throw this.error(`e_shstrndx ${strndx} names no section (${count} sections)`, h.shstrndx);
    for (const s of raw) s.name = s.index === 0 ? '' : this.cstring(strtab, s.nameOffset);
    return raw;
  }

  private readSectionHeader(off: number, index: number): ElfSection & { nameOffset: number } {
    const b = this.is64;
    const s = {
      index,
      nameOffset: this.u32(off),
      name: '',
      type: this.u32(off + 4),
      flags: b ? this.u32(this.littleEndian ? off + 8 : off + 12) : this.u32(off + 8),
      addr: this.addr(off + (b ? 16 : 12)),
      offset: this.word(off + (b ? 24 : 16), 'sh_offset'),
      size: this.word(off + (b ? 32 : 20), 'sh_size'),
      link: this.u32(off + (b ? 40 : 24)),
      info: this.u32(off + (b ? 44 : 28)),
      entsize: this.word(off + (b ? 56 : 36), 'sh_entsize'),
    };
    return s;
  }
}

export function openElf(bytes: Uint8Array, opts: { source: string }): ElfFile {
  return new ElfFile(bytes, opts.source);
}

/** Kernel symbol names and modinfo are ASCII in practice; latin1 keeps any byte visible and never throws. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  // Buffer's own decoder called on the bytes as they are: no Buffer made per string (a section's name,
  // a symbol's: hundreds of thousands in a package).
  return latin1Slice.call(bytes, start, end);
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: (s: number, e: number) => string })
  .latin1Slice;
