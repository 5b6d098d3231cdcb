// A module's symbol table (SHT_SYMTAB, layouts in elf/symbols.ts) read for what a module reader needs:
// every entry's section index, value and binding, and names only where asked. A .ko holds ~1,000
// symbols, and readSymbols() made an object and a string for each (4 million for a kernel package);
// the readers here want the names of the few undefined ones. Every entry is checked as readSymbols
// checks it, in the same order and with the same errors, so a corrupt table fails the same way.
import type { ElfFile, ElfSection } from '../elf/elf.js';
import { SHT } from '../elf/elf.js';

export class SymbolTable {
  readonly count: number;
  private readonly shndxs: Uint16Array;
  private readonly infos: Uint8Array;
  private readonly values: Float64Array;
  private readonly nameOffsets: Uint32Array;
  private readonly strtab: ElfSection | null;

  constructor(private readonly elf: ElfFile) {
    const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
    const strtab = symtab ? elf.sections[symtab.link] : undefined;
    if (symtab && (!strtab || strtab.type !== SHT.STRTAB)) {
      throw elf.error(
        `symbol table links to section ${symtab.link}, which is not a string table`,
        undefined,
        symtab.name,
      );
    }
    const size = elf.is64 ? 24 : 16;
    if (symtab) elf.checkRange(symtab.offset, symtab.size, 'symbol table', symtab.name);
    const count = symtab ? Math.floor(symtab.size / size) : 0;
    this.count = count;
    this.strtab = strtab ?? null;
    this.shndxs = new Uint16Array(count);
    this.infos = new Uint8Array(count);
    this.values = new Float64Array(count);
    this.nameOffsets = new Uint32Array(count);
    if (!symtab || !strtab) return;
    // A name is sound when it starts inside the string table and a NUL follows it there: at or before
    // the table's last NUL. Only an unsound one is read the slow way, for readSymbols' own error.
    const bytes = elf.bytes;
    const strEnd = strtab.offset + strtab.size;
    let lastNul = -1;
    if (strtab.size > 0 && strEnd <= bytes.length) {
      for (let i = strEnd - 1; i >= strtab.offset; i--) {
        if (bytes[i] === 0) {
          lastNul = i;
          break;
        }
      }
    }
    const view = elf.view;
    const le = elf.littleEndian;
    for (let i = 0; i < count; i++) {
      const off = symtab.offset + i * size;
      const nameOff = view.getUint32(off, le);
      if (nameOff !== 0 && (nameOff >= strtab.size || strtab.offset + nameOff > lastNul))
        elf.cstring(strtab, nameOff); // throws the error readSymbols would
      this.nameOffsets[i] = nameOff;
      if (elf.is64) {
        this.infos[i] = bytes[off + 4]!;
        this.shndxs[i] = view.getUint16(off + 6, le);
        this.values[i] = wordAt(elf, off + 8, 'st_value');
        wordAt(elf, off + 16, 'st_size');
      } else {
        this.values[i] = view.getUint32(off + 4, le);
        this.infos[i] = bytes[off + 12]!;
        this.shndxs[i] = view.getUint16(off + 14, le);
      }
    }
  }

  shndx(i: number): number {
    return this.shndxs[i]!;
  }
  value(i: number): number {
    return this.values[i]!;
  }
  info(i: number): number {
    return this.infos[i]!;
  }
  /** The name ('' for none); checked when the table was read. */
  name(i: number): string {
    const off = this.nameOffsets[i]!;
    return off === 0 || this.strtab === null ? '' : this.elf.cstring(this.strtab, off);
  }
}

/** A 64-bit word as a safe integer; past 2^53 the ELF reader's own error (elf.word) is thrown. */
function wordAt(elf: ElfFile, off: number, what: string): number {
  const high = elf.view.getUint32(elf.littleEndian ? off + 4 : off, elf.littleEndian);
  const low = elf.view.getUint32(elf.littleEndian ? off : off + 4, elf.littleEndian);
  if (high > 0x1fffff) return elf.word(off, what);
  return high * 2 ** 32 + low;
}

const STB_WEAK = 2;

/** The global symbols left undefined (st_shndx 0), weak ones aside: the loader tolerates a missing weak one. */
export function undefinedSymbols(table: SymbolTable): string[] {
  const out: string[] = [];
  for (let i = 0; i < table.count; i++) {
    if (table.shndx(i) !== 0 || table.info(i) >> 4 === STB_WEAK) continue;
    const name = table.name(i);
    if (name !== '') out.push(name);
  }
  return out;
}
