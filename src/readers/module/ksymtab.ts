// Exports of a kernel image or module, read from its ksymtab the way the loader reads them.
//
//   __ksymtab, __ksymtab_gpl (and until 5.9 _unused, _unused_gpl, _gpl_future): struct kernel_symbol[]
//     with CONFIG_HAVE_ARCH_PREL32_RELOCATIONS (x86_64, arm64, ppc64, s390, riscv, loongarch):
//       { int value_offset; int name_offset; int namespace_offset; }   each relative to its own field
//     otherwise: { unsigned long value; const char *name; const char *namespace; }
//     (the namespace field exists since 5.4: entries are 8 or 2 words wide before)
//   __kcrctab, __kcrctab_gpl, ...: u32 CRCs, entry i belonging to ksymtab entry i (symversion() in
//     kernel/module/main.c indexes them in parallel)
//   __ksymtab_strings: the names and namespaces the entries point to
//
// In a vmlinux (ET_EXEC) the fields are resolved: a PREL32 field plus its own address, or a pointer.
// In a .ko (ET_REL) they are not yet: the relocation on each field (symbol + addend) says where it points.
import type { Export, ExportType } from '../../model/export.js';
import { type ElfFile, type ElfSection, EM } from '../elf/elf.js';
import { type ElfRelocation, type ElfSymbol, readRelocations, readSymbols } from '../elf/symbols.js';

const KSYMTABS: [string, string, ExportType][] = [
  ['__ksymtab', '__kcrctab', 'EXPORT_SYMBOL'],
  ['__ksymtab_gpl', '__kcrctab_gpl', 'EXPORT_SYMBOL_GPL'],
  ['__ksymtab_unused', '__kcrctab_unused', 'EXPORT_UNUSED_SYMBOL'],
  ['__ksymtab_unused_gpl', '__kcrctab_unused_gpl', 'EXPORT_UNUSED_SYMBOL_GPL'],
  ['__ksymtab_gpl_future', '__kcrctab_gpl_future', 'EXPORT_SYMBOL_GPL_FUTURE'],
];

// powerpc and s390 never selected HAVE_ARCH_PREL32_RELOCATIONS: their entries are three pointers.
const PREL32_MACHINES = new Set([EM.X86_64, EM.AARCH64, EM.RISCV, EM.LOONGARCH]);

interface Layout {
  prel32: boolean;
  field: number;
  entry: number;
  hasNamespace: boolean;
}

/** The exports of `elf`, attributed to `module` (`vmlinux` or an in-tree path). */
export function readKsymtab(elf: ElfFile, module: string): Export[] {
  const out: Export[] = [];
  let resolver: FieldResolver | null = null;
  for (const [tabName, crcName, exportType] of KSYMTABS) {
    const tab = elf.section(tabName);
    if (!tab || tab.size === 0) continue;
    const crcs = elf.section(crcName);
    const layout = entryLayout(elf, tab, crcs);
    resolver ??= elf.type === 1 ? relocatableResolver(elf) : executableResolver(elf);
    const count = tab.size / layout.entry;
    for (let i = 0; i < count; i++) {
      const at = i * layout.entry;
      const symbol = resolver(tab, at + layout.field, layout);
      if (symbol === null || symbol === '')
        throw elf.error(`ksymtab entry ${i} has no name`, tab.offset + at, tab.name);
      const namespace = layout.hasNamespace ? (resolver(tab, at + 2 * layout.field, layout) ?? '') : '';
      const crc = crcs ? readCrc(elf, crcs, i) : null;
      out.push({ symbol, crc, module, exportType, namespace });
    }
  }
  return out;
}

function entryLayout(elf: ElfFile, tab: ElfSection, crcs: ElfSection | undefined): Layout {
  const prel32 = PREL32_MACHINES.has(elf.machine) && elf.is64;
  const field = prel32 ? 4 : elf.wordSize;
  let entry = 3 * field;
  if (crcs && crcs.size > 0) {
    // The CRC table counts the entries; that tells a pre-5.4 two-field entry from a three-field one.
    if (crcs.size % 4 !== 0)
      throw elf.error(`CRC table size ${crcs.size} is not a multiple of 4`, crcs.offset, crcs.name);
    entry = (tab.size * 4) / crcs.size;
    if (entry !== 2 * field && entry !== 3 * field) {
      throw elf.error(
        `${tab.size / entry} ksymtab entries but ${crcs.size / 4} CRCs: the tables disagree`,
        tab.offset,
        tab.name,
      );
    }
  }
  if (tab.size % entry !== 0) {
    throw elf.error(
      `section size ${tab.size} is not a multiple of the ${entry}-byte kernel_symbol`,
      tab.offset,
      tab.name,
    );
  }
  return { prel32, field, entry, hasNamespace: entry === 3 * field };
}

function readCrc(elf: ElfFile, crcs: ElfSection, i: number): number {
  elf.checkRange(crcs.offset + i * 4, 4, `CRC ${i}`, crcs.name);
  return elf.u32(crcs.offset + i * 4);
}

/** Resolves a name or namespace field of a ksymtab entry to the string it points to. */
type FieldResolver = (tab: ElfSection, fieldOffset: number, layout: Layout) => string | null;

function relocatableResolver(elf: ElfFile): FieldResolver {
  const symbols = readSymbols(elf);
  const relocs = new Map<number, Map<number, ElfRelocation>>();
  return (tab, fieldOffset) => {
    let forTab = relocs.get(tab.index);
    if (!forTab) {
      forTab = readRelocations(elf, tab);
      relocs.set(tab.index, forTab);
    }
    const r = forTab.get(fieldOffset);
    if (!r) return null;
    const sym: ElfSymbol | undefined = symbols[r.symbol];
    if (!sym)
      throw elf.error(
        `relocation names symbol ${r.symbol}, past the symbol table`,
        tab.offset + fieldOffset,
        tab.name,
      );
    const target = elf.sections[sym.shndx];
    if (!target)
      throw elf.error(
        `symbol ${sym.name} lies in section ${sym.shndx}, which does not exist`,
        tab.offset + fieldOffset,
        tab.name,
      );
    return elf.cstring(target, sym.value + r.addend);
  };
}

function executableResolver(elf: ElfFile): FieldResolver {
  const strings = elf.section('__ksymtab_strings');
  return (tab, fieldOffset, layout) => {
    const at = tab.offset + fieldOffset;
    elf.checkRange(at, layout.field, 'ksymtab field', tab.name);
    let address: bigint;
    if (layout.prel32) {
      const rel = elf.i32(at);
      if (rel === 0 && fieldOffset % layout.entry === 2 * layout.field) return null;
      address = tab.addr + BigInt(fieldOffset) + BigInt(rel);
    } else {
      address = elf.addr(at);
      if (address === 0n) return null;
    }
    const section =
      strings && contains(strings, address) ? strings : elf.sections.find((s) => contains(s, address));
    if (!section)
      throw elf.error(
        `ksymtab field points to 0x${address.toString(16)}, outside every section`,
        at,
        tab.name,
      );
    return elf.cstring(section, Number(address - section.addr));
  };
}

function contains(s: ElfSection, address: bigint): boolean {
  return s.addr !== 0n && address >= s.addr && address < s.addr + BigInt(s.size);
}
