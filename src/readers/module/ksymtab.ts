// Exports of a kernel image or module, read from its ksymtab the way the loader reads them.
//
//   __ksymtab, __ksymtab_gpl (and until 5.9 _unused, _unused_gpl, _gpl_future): struct kernel_symbol[]
//     with CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86 since 4.19, arm64, riscv, loongarch):
//       { int value_offset; int name_offset; int namespace_offset; }   each relative to its own field
//     otherwise (ppc64, s390, arm, and every arch before 4.19):
//       { unsigned long value; const char *name; const char *namespace; }
//     the namespace field exists since 5.4, so an entry is 8, 12, 16 or 24 bytes (8 or 12 on 32-bit)
//   __kcrctab, __kcrctab_gpl, ...: u32 CRCs, entry i belonging to ksymtab entry i (symversion() in
//     kernel/module/main.c indexes them in parallel). Before 5.19 a module's entries are `.long __crc_sym`,
//     left to a relocation against the absolute symbol genksyms defined (its value is the CRC); with
//     CONFIG_MODULE_REL_CRCS (ppc64, 4.10–5.18) `.long __crc_sym - .`, where __crc_sym is the address
//     of the CRC. Since 5.19 modpost writes the CRC itself.
//   __ksymtab_strings: the names and namespaces the entries point to
//
// The layout is read from the ELF, never from a version string or an architecture list. In a .ko
// (ET_REL) every value and name field carries a relocation: their types give the field width, their
// offsets the entry size. In a vmlinux (ET_EXEC) the fields are resolved: the one layout whose every name
// field lands in __ksymtab_strings is the one the kernel was built with.
import type { Export, ExportType } from '../../model/export.js';
import { type ElfFile, type ElfSection, SHN_ABS } from '../elf/elf.js';
import { type ElfRelocation, readRelocations, relocationKind } from '../elf/symbols.js';
import { SymbolTable } from './symbol-table.js';

const KSYMTABS: [string, string, ExportType][] = [
  ['__ksymtab', '__kcrctab', 'EXPORT_SYMBOL'],
  ['__ksymtab_gpl', '__kcrctab_gpl', 'EXPORT_SYMBOL_GPL'],
  ['__ksymtab_unused', '__kcrctab_unused', 'EXPORT_UNUSED_SYMBOL'],
  ['__ksymtab_unused_gpl', '__kcrctab_unused_gpl', 'EXPORT_UNUSED_SYMBOL_GPL'],
  ['__ksymtab_gpl_future', '__kcrctab_gpl_future', 'EXPORT_SYMBOL_GPL_FUTURE'],
];

const ET_REL = 1;

/** One `struct kernel_symbol` layout. */
export interface KsymtabLayout {
  /** Bytes per field: 4 (PREL32 offsets, or 32-bit pointers) or 8 (64-bit pointers). */
  field: 4 | 8;
  /** The fields are offsets from themselves (PREL32), not pointers. */
  relative: boolean;
  /** value and name, plus the namespace since 5.4. */
  fields: 2 | 3;
  /** Bytes per entry: field × fields. */
  entry: number;
}

/**
 * The exports of `elf`, attributed to `module` (`vmlinux` or an in-tree path); `symbols`, when the
 * caller has read the symbol table already.
 */
export function readKsymtab(elf: ElfFile, module: string, symbols?: () => SymbolTable): Export[] {
  const out: Export[] = [];
  const reader = elf.type === ET_REL ? new RelocatableReader(elf, symbols) : new ExecutableReader(elf);
  for (const [tabName, crcName, exportType] of KSYMTABS) {
    const tab = elf.section(tabName);
    if (!tab || tab.size === 0) continue;
    const crcTab = elf.section(crcName);
    const crcs = crcTab && crcTab.size > 0 ? reader.crcs(crcTab) : null;
    const layout = reader.layout(tab, crcs?.length);
    const count = tab.size / layout.entry;
    for (let i = 0; i < count; i++) {
      const at = i * layout.entry;
      const symbol = reader.string(tab, at + layout.field, layout);
      if (symbol === null || symbol === '')
        throw elf.error(`ksymtab entry ${i} has no name`, tab.offset + at, tab.name);
      const namespace = layout.fields === 3 ? (reader.string(tab, at + 2 * layout.field, layout) ?? '') : '';
      out.push({ symbol, crc: crcs ? crcs[i]! : null, module, exportType, namespace });
    }
  }
  return out;
}

/** The kernel_symbol layout of a ksymtab section of `elf` (exported for tests and diagnostics). */
export function ksymtabLayout(elf: ElfFile, tab: ElfSection, crcCount?: number): KsymtabLayout {
  const reader = elf.type === ET_REL ? new RelocatableReader(elf) : new ExecutableReader(elf);
  return reader.layout(tab, crcCount);
}

function layoutOf(field: 4 | 8, relative: boolean, fields: 2 | 3): KsymtabLayout {
  return { field, relative, fields, entry: field * fields };
}

function describe(l: KsymtabLayout): string {
  return `${l.entry}-byte ${l.relative ? 'PREL32' : `${l.field * 8}-bit absolute`} (${l.fields} fields)`;
}

function crcCountOf(elf: ElfFile, crcs: ElfSection): number {
  if (crcs.size % 4 !== 0)
    throw elf.error(`CRC table size ${crcs.size} is not a multiple of 4`, crcs.offset, crcs.name);
  elf.checkRange(crcs.offset, crcs.size, 'CRC table', crcs.name);
  return crcs.size / 4;
}

function unrecognised(
  elf: ElfFile,
  tab: ElfSection,
  crcCount: number | undefined,
  why: string,
): ReturnType<ElfFile['error']> {
  const crcs = crcCount === undefined ? 'no CRC table' : `${crcCount} CRCs`;
  return elf.error(
    `cannot recognise the kernel_symbol layout: section size ${tab.size}, ${crcs}; ${why}`,
    tab.offset,
    tab.name,
  );
}

interface Reader {
  layout(tab: ElfSection, crcCount: number | undefined): KsymtabLayout;
  crcs(crcs: ElfSection): number[];
  /** The string a name or namespace field points to; null when the field points nowhere. */
  string(tab: ElfSection, fieldOffset: number, layout: KsymtabLayout): string | null;
}

/** A .ko: fields are relocations still to apply, as the module loader will. */
class RelocatableReader implements Reader {
  private table: SymbolTable | null = null;
  private readonly relocs = new Map<number, Map<number, ElfRelocation>>();
  private readonly strings: ElfSection | undefined;

  constructor(
    private readonly elf: ElfFile,
    private readonly readTable: () => SymbolTable = () => new SymbolTable(elf),
  ) {
    this.strings = elf.section('__ksymtab_strings');
  }

  private get symbols(): SymbolTable {
    this.table ??= this.readTable();
    return this.table;
  }

  private relocations(s: ElfSection): Map<number, ElfRelocation> {
    let r = this.relocs.get(s.index);
    if (!r) {
      r = readRelocations(this.elf, s);
      this.relocs.set(s.index, r);
    }
    return r;
  }

  /** The symbol a relocation names, as an index into the table. */
  private symbol(r: ElfRelocation, s: ElfSection, at: number): number {
    if (r.symbol >= this.symbols.count)
      throw this.elf.error(
        `relocation names symbol ${r.symbol}, past the symbol table`,
        s.offset + at,
        s.name,
      );
    return r.symbol;
  }

  layout(tab: ElfSection, crcCount: number | undefined): KsymtabLayout {
    const elf = this.elf;
    const relocs = this.relocations(tab);
    if (relocs.size === 0)
      throw unrecognised(elf, tab, crcCount, 'no relocations say where its entries point');
    // The relocation types say how wide a field is and whether it is relative; where a type is not one
    // we know, the spacing of the relocated fields says the width.
    const kinds = [...relocs.values()].map((r) => relocationKind(elf.machine, r.type));
    let field: 4 | 8;
    let relative: boolean;
    if (kinds.every((k) => k !== undefined)) {
      const widths = new Set(kinds.map((k) => k.width));
      const rel = new Set(kinds.map((k) => k.relative));
      if (widths.size > 1 || rel.size > 1)
        throw unrecognised(elf, tab, crcCount, 'its relocations mix field widths or kinds');
      field = kinds[0]!.width;
      relative = kinds[0]!.relative;
    } else {
      const offsets = [...relocs.keys()].sort((a, b) => a - b);
      const gap = Math.min(...offsets.slice(1).map((o, i) => o - offsets[i]!));
      if (gap !== 4 && gap !== 8)
        throw unrecognised(elf, tab, crcCount, `relocated fields ${gap} bytes apart (types unknown)`);
      field = gap;
      relative = elf.is64 && gap === 4;
    }
    const fits = ([2, 3] as const)
      .map((n) => layoutOf(field, relative, n))
      .filter((l) => {
        if (tab.size % l.entry !== 0) return false;
        if (crcCount !== undefined && tab.size / l.entry !== crcCount) return false;
        for (const off of relocs.keys()) if (off % field !== 0 || off >= tab.size) return false;
        // Every entry has a name; the name (and namespace) point into __ksymtab_strings, the value
        // never does. With every field relocated, that is what tells 2 × 12 from 3 × 8.
        for (let at = 0; at < tab.size; at += l.entry) {
          const value = relocs.get(at);
          const name = relocs.get(at + field);
          if (!name || !this.pointsToStrings(name) || (value && this.pointsToStrings(value))) return false;
          const ns = l.fields === 3 ? relocs.get(at + 2 * field) : undefined;
          if (ns && !this.pointsToStrings(ns)) return false;
        }
        return true;
      });
    if (fits.length !== 1) {
      const why =
        fits.length === 0
          ? `${relocs.size} ${field}-byte relocations fit neither the ${2 * field}- nor the ${3 * field}-byte kernel_symbol`
          : `${relocs.size} ${field}-byte relocations fit both the ${2 * field}- and the ${3 * field}-byte kernel_symbol`;
      throw unrecognised(elf, tab, crcCount, why);
    }
    return fits[0]!;
  }

  private pointsToStrings(r: ElfRelocation): boolean {
    const t = this.symbols;
    return r.symbol < t.count && t.shndx(r.symbol) === this.strings?.index;
  }

  crcs(crcs: ElfSection): number[] {
    const elf = this.elf;
    const count = crcCountOf(elf, crcs);
    const relocs = this.relocations(crcs);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const r = relocs.get(i * 4);
      if (!r) {
        out[i] = elf.u32(crcs.offset + i * 4);
        continue;
      }
      const t = this.symbols;
      const sym = this.symbol(r, crcs, i * 4);
      const shndx = t.shndx(sym);
      if (shndx === SHN_ABS) {
        // `.long __crc_sym`: genksyms made the CRC the value of an absolute symbol (modpost reads st_value).
        out[i] = u32(t.value(sym) + r.addend);
      } else if (shndx === 0) {
        // A weak __crc_ that nothing defined: the loader computes 0, modpost writes 0x00000000.
        out[i] = 0;
      } else {
        // MODULE_REL_CRCS: `.long __crc_sym - .` with __crc_sym the address of the CRC in the object
        // (resolve_rel_crc() adds the entry's address back); modpost reads the word there.
        if (relocationKind(elf.machine, r.type)?.relative === false) {
          throw elf.error(
            `CRC ${i} is an absolute relocation against ${t.name(sym) || `symbol ${r.symbol}`}, which is not absolute`,
            crcs.offset + i * 4,
            crcs.name,
          );
        }
        const target = elf.sections[shndx];
        if (!target)
          throw elf.error(
            `symbol ${t.name(sym)} lies in section ${shndx}, which does not exist`,
            crcs.offset,
            crcs.name,
          );
        const at = t.value(sym) + r.addend;
        if (at < 0 || at + 4 > target.size)
          throw elf.error(
            `CRC ${i} points to offset ${at}, outside ${target.name}`,
            crcs.offset + i * 4,
            crcs.name,
          );
        elf.checkRange(target.offset + at, 4, `CRC ${i}`, target.name);
        out[i] = elf.u32(target.offset + at);
      }
    }
    return out;
  }

  string(tab: ElfSection, fieldOffset: number): string | null {
    const elf = this.elf;
    const r = this.relocations(tab).get(fieldOffset);
    if (!r) return null;
    const t = this.symbols;
    const sym = this.symbol(r, tab, fieldOffset);
    const shndx = t.shndx(sym);
    const target = shndx === SHN_ABS ? undefined : elf.sections[shndx];
    if (!target)
      throw elf.error(
        `symbol ${t.name(sym)} lies in section ${shndx}, which does not exist`,
        tab.offset + fieldOffset,
        tab.name,
      );
    return elf.cstring(target, t.value(sym) + r.addend);
  }
}

/** A vmlinux: fields are resolved addresses or offsets. */
class ExecutableReader implements Reader {
  private readonly strings: ElfSection | undefined;

  constructor(private readonly elf: ElfFile) {
    this.strings = elf.section('__ksymtab_strings');
  }

  layout(tab: ElfSection, crcCount: number | undefined): KsymtabLayout {
    const elf = this.elf;
    const strings = this.strings;
    if (!strings || strings.size === 0)
      throw unrecognised(elf, tab, crcCount, 'no __ksymtab_strings for its names to point into');
    elf.checkRange(tab.offset, tab.size, 'ksymtab', tab.name);
    const word = elf.wordSize as 4 | 8;
    const candidates = [
      layoutOf(4, true, 2),
      layoutOf(4, true, 3),
      layoutOf(word, false, 2),
      layoutOf(word, false, 3),
    ].filter((l) => tab.size % l.entry === 0 && (crcCount === undefined || tab.size / l.entry === crcCount));
    const fits = candidates.filter((l) => {
      for (let at = 0; at < tab.size; at += l.entry) {
        if (!inside(strings, this.address(tab, at + l.field, l))) return false;
        if (l.fields === 3) {
          const ns = this.address(tab, at + 2 * l.field, l);
          if (ns !== null && !inside(strings, ns)) return false;
        }
      }
      return true;
    });
    if (fits.length !== 1) {
      const tried = candidates.map(describe).join(', ') || 'no layout of that size';
      const why =
        fits.length === 0
          ? `tried ${tried}: none points every name into __ksymtab_strings`
          : `${fits.map(describe).join(' and ')} both fit`;
      throw unrecognised(elf, tab, crcCount, why);
    }
    return fits[0]!;
  }

  crcs(crcs: ElfSection): number[] {
    const count = crcCountOf(this.elf, crcs);
    return Array.from({ length: count }, (_, i) => this.elf.u32(crcs.offset + i * 4));
  }

  /** Where a field points; null for a null pointer (or a zero offset, which cannot point at a string). */
  private address(tab: ElfSection, fieldOffset: number, l: KsymtabLayout): bigint | null {
    const at = tab.offset + fieldOffset;
    if (l.relative) {
      const rel = this.elf.i32(at);
      if (rel === 0) return null;
      const a = tab.addr + BigInt(fieldOffset) + BigInt(rel);
      return this.elf.is64 ? a : a & 0xffffffffn;
    }
    const a = this.elf.addr(at);
    return a === 0n ? null : a;
  }

  string(tab: ElfSection, fieldOffset: number, layout: KsymtabLayout): string | null {
    const address = this.address(tab, fieldOffset, layout);
    if (address === null) return null;
    const strings = this.strings!;
    return this.elf.cstring(strings, Number(address - strings.addr));
  }
}

function inside(s: ElfSection, address: bigint | null): boolean {
  return address !== null && address >= s.addr && address < s.addr + BigInt(s.size);
}

function u32(n: number): number {
  return ((n % 2 ** 32) + 2 ** 32) % 2 ** 32;
}
