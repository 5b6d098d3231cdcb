// Global symbol → the source file that defines it, from a linked ELF's DWARF: the file of the compile
// unit holding the definition (`mm/slub.c`), relative to the source tree. A relative unit name is taken
// as it is (units.ts says why). An absolute one (GNU as ignores -ffile-prefix-map: Debian's head_64.S is
// `/build/reproducible-path/linux-6.1.170/arch/x86/kernel/head_64.S`) is made relative to the tree's
// root, found two ways: the directory of an absolute init/main.c unit, or an absolute DW_AT_comp_dir
// that ends with a unit's relative (prefix-mapped) one, `/build/…/linux-6.1.170/` +
// `debian/build/build_amd64_none_amd64`; else to its own DW_AT_comp_dir; else it stays absolute.
// A name defined by two units (a __weak default and the definition that overrides it) is settled by the
// symbol table: the definition whose address the ELF symbol has.
import { type ElfFile, openElf, SHT } from '../elf/elf.js';
import { readAranges, unitAt } from './aranges.js';
import { type DebugSectionOptions, debugSections } from './sections.js';
import { type DwarfDefinition, walkGlobals } from './units.js';

export interface DwarfSourcesOptions extends DebugSectionOptions {
  source: string;
  /** Keep only these names (a kernel's exports). */
  only?: ReadonlySet<string>;
}

export interface DwarfSources {
  /** symbol → source file, relative to the tree. */
  sources: Map<string, string>;
  /** Compile units read. */
  units: number;
  /** The source tree's absolute roots the units show (none when every unit name is relative). */
  roots: string[];
  /** Names defined in more than one unit that the symbol table could not settle: left out. */
  ambiguous: string[];
  /** Of `only`'s names without a DIE, those placed by their address in .debug_aranges. */
  byAddress: number;
}

export async function parseDwarfSources(bytes: Uint8Array, opts: DwarfSourcesOptions): Promise<DwarfSources> {
  return dwarfSourcesOfElf(openElf(bytes, opts), opts);
}

export async function dwarfSourcesOfElf(elf: ElfFile, opts: DwarfSourcesOptions): Promise<DwarfSources> {
  const sections = await debugSections(elf, opts);
  const globals = walkGlobals(sections, {
    source: opts.source,
    littleEndian: elf.littleEndian,
    only: opts.only,
  });
  const roots = treeRoots(globals.units);
  const twice = [...globals.definitions].filter(([, defs]) => defs.length > 1).map(([name]) => name);
  const addresses = twice.length > 0 ? symbolAddresses(elf, new Set(twice)) : new Map<string, bigint>();
  const out: DwarfSources = {
    sources: new Map(),
    units: globals.units.length,
    roots,
    ambiguous: [],
    byAddress: 0,
  };
  for (const [name, defs] of globals.definitions) {
    const def = defs.length === 1 ? defs[0] : settle(defs, addresses.get(name));
    if (def) out.sources.set(name, relative(def, roots));
    else out.ambiguous.push(name);
  }
  if (opts.only && sections.aranges.length > 0)
    placeByAddress(elf, sections.aranges, globals.units, opts.only, out);
  return out;
}

/**
 * The one definition the symbol's address leaves: those whose address is known and differs are another
 * unit's code (a __weak function's default). A weak variable's DW_OP_addr is relocated against the
 * symbol, so both units show the one address: then DWARF cannot tell, and the name is left out.
 */
function settle(defs: DwarfDefinition[], address: bigint | undefined): DwarfDefinition | undefined {
  if (address === undefined) return undefined;
  const exact = defs.filter((d) => d.address === address);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return undefined;
  const unknown = defs.filter((d) => d.address === null);
  return unknown.length === 1 ? unknown[0] : undefined;
}

/** Names with no DIE (assembler aliases, macro-made thunks): the unit whose address range holds them. */
function placeByAddress(
  elf: ElfFile,
  aranges: Uint8Array,
  units: { offset: number; path: string; compDir: string }[],
  only: ReadonlySet<string>,
  out: DwarfSources,
): void {
  const ambiguous = new Set(out.ambiguous);
  const wanted = new Set([...only].filter((n) => !out.sources.has(n) && !ambiguous.has(n)));
  if (wanted.size === 0) return;
  const ranges = readAranges(aranges, { source: elf.source, littleEndian: elf.littleEndian });
  const byOffset = new Map(units.map((u) => [u.offset, u]));
  for (const [name, address] of symbolAddresses(elf, wanted)) {
    const unit = byOffset.get(unitAt(ranges, address));
    if (!unit) continue;
    out.sources.set(name, relative({ unitPath: unit.path, compDir: unit.compDir, address }, out.roots));
    out.byAddress++;
  }
}

function treeRoots(units: { offset: number; path: string; compDir: string }[]): string[] {
  const roots = new Set<string>();
  const mapped = new Set(units.map((u) => u.compDir).filter((d) => d !== '' && !d.startsWith('/')));
  for (const u of units) {
    if (u.path.startsWith('/') && u.path.endsWith('/init/main.c'))
      roots.add(u.path.slice(0, -'init/main.c'.length));
    if (!u.compDir.startsWith('/')) continue;
    for (const m of mapped) if (u.compDir.endsWith(`/${m}`)) roots.add(u.compDir.slice(0, -m.length));
  }
  return [...roots];
}

function relative(def: DwarfDefinition, roots: string[]): string {
  const path = def.unitPath;
  if (!path.startsWith('/')) return path;
  const root = roots.find((r) => path.startsWith(r));
  if (root) return path.slice(root.length);
  const dir = def.compDir.endsWith('/') ? def.compDir : `${def.compDir}/`;
  if (def.compDir !== '' && path.startsWith(dir)) return path.slice(dir.length);
  return path;
}

const STB_GLOBAL = 1;
const STB_WEAK = 2;

/** st_value of the global and weak symbols named in `wanted`, as bigints (kernel addresses pass 2^53). */
export function symbolAddresses(elf: ElfFile, wanted: ReadonlySet<string>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  const strtab = symtab && elf.sections[symtab.link];
  if (!symtab || !strtab) return out;
  const size = elf.is64 ? 24 : 16;
  elf.checkRange(symtab.offset, symtab.size, 'symbol table', symtab.name);
  for (let off = symtab.offset; off + size <= symtab.offset + symtab.size; off += size) {
    const info = elf.u8(off + (elf.is64 ? 4 : 12));
    const bind = info >> 4;
    if (bind !== STB_GLOBAL && bind !== STB_WEAK) continue;
    const name = elf.cstring(strtab, elf.u32(off));
    if (!wanted.has(name)) continue;
    // A global symbol overrides a weak one of the same name (the linker's choice).
    if (bind === STB_WEAK && out.has(name)) continue;
    out.set(name, elf.is64 ? elf.u64(off + 8) : BigInt(elf.u32(off + 4)));
  }
  return out;
}
