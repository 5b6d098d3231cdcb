// Which modules of a corpus a kernel update breaks (the oEEP-0009 "affected driver modules" tables):
// the breaking changes of a diff (or a plain list of changed symbols) intersected with every module's
// imports (`__versions`). Ranked both ways: modules by how many changed symbols they use, changed symbols
// by how many modules consume them. Per architecture by the module's ELF machine.

import { UsageError } from '../errors.js';
import { CHANGE_KINDS, type Change, type ChangeKind } from '../model/change.js';
import { isGplCompatible } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import { MODULES_EXPECTED, requireSome } from './nothing-to-judge.js';

/** `listed`: the symbol came from a plain list of changed symbols, so what changed is unknown. */
export type ImpactKind = ChangeKind | 'listed';

/** One changed symbol: its breaking change kinds in report order and its CRCs before and after. */
export interface ChangedSymbol {
  symbol: string;
  kinds: ImpactKind[];
  oldCrc: number | null;
  newCrc: number | null;
  /** The namespace a `namespace-changed` moved it to; null otherwise. */
  newNamespace: string | null;
}

/** The breaking changes of a diff, one entry per symbol (a symbol may have a CRC and a namespace change). */
export function changedSymbolsFromChanges(changes: readonly Change[]): ChangedSymbol[] {
  const out = new Map<string, ChangedSymbol>();
  for (const c of changes) {
    if (!c.breaking) continue;
    const s = out.get(c.symbol) ?? {
      symbol: c.symbol,
      kinds: [],
      oldCrc: c.old?.crc ?? null,
      newCrc: c.new?.crc ?? null,
      newNamespace: null,
    };
    if (!s.kinds.includes(c.kind)) s.kinds.push(c.kind);
    if (c.kind === 'namespace-changed') s.newNamespace = c.new?.namespace ?? null;
    out.set(c.symbol, s);
  }
  const order = (k: ImpactKind) => CHANGE_KINDS.indexOf(k as ChangeKind);
  for (const s of out.values()) s.kinds.sort((a, b) => order(a) - order(b));
  return [...out.values()].sort((a, b) => cmp(a.symbol, b.symbol));
}

/** Symbols from a plain list: changed in a way the list does not say. */
export function changedSymbolsFromList(symbols: Iterable<string>): ChangedSymbol[] {
  return [...new Set(symbols)]
    .sort(cmp)
    .map((symbol) => ({ symbol, kinds: ['listed'], oldCrc: null, newCrc: null, newNamespace: null }));
}

const EM: Record<number, (m: ModuleImage['elf']) => string> = {
  3: () => 'i686',
  8: (e) => `mips${e.class === 64 ? '64' : ''}${e.endian === 'little' ? 'el' : ''}`,
  20: () => 'ppc',
  21: (e) => (e.endian === 'little' ? 'ppc64le' : 'ppc64'),
  22: (e) => (e.class === 64 ? 's390x' : 's390'),
  40: () => 'armv7hl',
  43: () => 'sparc64',
  62: () => 'x86_64',
  183: () => 'aarch64',
  243: (e) => (e.class === 64 ? 'riscv64' : 'riscv32'),
  258: () => 'loongarch64',
};

/** The architecture name distributions use for a module's ELF machine (`x86_64`, `aarch64`, ...). */
export function moduleArch(elf: ModuleImage['elf']): string {
  return EM[elf.machine]?.(elf) ?? `elf-machine-${elf.machine}`;
}

/** A module as the reports name it: several corpora can hold modules of the same name. */
export interface ModuleRef {
  name: string;
  source: string;
  arch: string;
}

export function moduleRef(m: ModuleImage): ModuleRef {
  return { name: m.name, source: m.source, arch: moduleArch(m.elf) };
}

/** A changed symbol a module imports, with the CRC the module was built against. */
export interface UsedSymbol extends ChangedSymbol {
  importCrc: number;
}

export interface ModuleImpact extends ModuleRef {
  imports: number;
  /** Changed symbols the module imports, by symbol name. */
  uses: UsedSymbol[];
}

export interface SymbolConsumers extends ChangedSymbol {
  /** Modules of the corpus that import the symbol, in corpus order. */
  consumers: ModuleRef[];
}

export interface ArchImpact {
  arch: string;
  modules: number;
  affected: number;
}

export interface ImpactReport {
  /** Changed symbols considered (breaking changes, or the listed symbols). */
  changed: number;
  modules: number;
  /** Modules with no `__versions` entry: the loader checks no CRC of theirs, so no row here names them. */
  withoutImports: number;
  byArch: ArchImpact[];
  /** Affected modules, most changed symbols used first, then by name and source. */
  affected: ModuleImpact[];
  /** Changed symbols some module consumes, most consumers first, then by name. */
  symbols: SymbolConsumers[];
  /** Changed symbols no module of the corpus imports. */
  unused: number;
}

/**
 * Whether a change stops this module loading: a GPL tightening does not hurt a GPL-compatible module, a
 * new namespace does not hurt a module that already imports it. CRC changes, removals and listed
 * symbols always count.
 */
function hurts(s: ChangedSymbol, m: ModuleImage): boolean {
  return s.kinds.some((k) => {
    if (k === 'export-type-changed') return !isGplCompatible(m.license);
    if (k === 'namespace-changed') return s.newNamespace === null || !m.importNs.includes(s.newNamespace);
    return true;
  });
}

function moduleImpact(m: ModuleImage, changed: ReadonlyMap<string, ChangedSymbol>): ModuleImpact {
  const uses: UsedSymbol[] = [];
  for (const i of m.imports) {
    const s = changed.get(i.symbol);
    if (s !== undefined && hurts(s, m)) uses.push({ ...s, importCrc: i.crc });
  }
  uses.sort((a, b) => cmp(a.symbol, b.symbol));
  return { ...moduleRef(m), imports: m.imports.length, uses };
}

export function analyzeImpact(
  changed: readonly ChangedSymbol[],
  corpus: readonly ModuleImage[],
): ImpactReport {
  requireSome(corpus.length, 'the module corpus', 'kernel modules', MODULES_EXPECTED);
  const bySymbol = new Map(changed.map((s) => [s.symbol, s]));
  const all = corpus.map((m) => moduleImpact(m, bySymbol));
  const consumers = new Map<string, ModuleRef[]>();
  const arches = new Map<string, ArchImpact>();
  for (const m of all) {
    const a = arches.get(m.arch) ?? { arch: m.arch, modules: 0, affected: 0 };
    a.modules++;
    if (m.uses.length > 0) a.affected++;
    arches.set(m.arch, a);
    for (const u of m.uses) {
      const list = consumers.get(u.symbol) ?? [];
      list.push({ name: m.name, source: m.source, arch: m.arch });
      consumers.set(u.symbol, list);
    }
  }
  const symbols = [...consumers].map(([symbol, c]) => ({ ...bySymbol.get(symbol)!, consumers: c }));
  return {
    changed: bySymbol.size,
    modules: corpus.length,
    withoutImports: corpus.filter((m) => m.imports.length === 0).length,
    byArch: [...arches.values()].sort((a, b) => cmp(a.arch, b.arch)),
    affected: all.filter((m) => m.uses.length > 0).sort(byUsesThenName),
    symbols: symbols.sort((a, b) => b.consumers.length - a.consumers.length || cmp(a.symbol, b.symbol)),
    unused: bySymbol.size - consumers.size,
  };
}

function byUsesThenName(a: ModuleImpact, b: ModuleImpact): number {
  return b.uses.length - a.uses.length || cmp(a.name, b.name) || cmp(a.source, b.source);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Debian's and other distributions' architecture names as the ELF machine names them (moduleArch). */
const ARCH_ALIASES: Record<string, string> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  ppc64el: 'ppc64le',
  i386: 'i686',
  armhf: 'armv7hl',
  loong64: 'loongarch64',
};

/** An architecture label (`amd64`, `arm64`, `x86_64`) in moduleArch's words. */
export function archOfLabel(label: string): string {
  return Object.hasOwn(ARCH_ALIASES, label) ? ARCH_ALIASES[label]! : label;
}

/** One architecture's update: its changed symbols, and the modules built for it (in-tree and corpus). */
export interface ArchPair {
  arch: string;
  old: string;
  new: string;
  changed: readonly ChangedSymbol[];
  /** The old build's own in-tree modules (from its package or tree; none from a store ref). */
  inTree: readonly ModuleImage[];
}

export interface ArchImpactReport {
  arch: string;
  old: string;
  new: string;
  inTree: number;
  corpus: number;
  report: ImpactReport;
}

/**
 * oEEP-0009's "affected driver modules" per architecture: each arch's update against its own in-tree
 * modules and the corpus modules built for that arch (by ELF machine). A corpus module of an arch with
 * no pair is not judged against another arch's kernel.
 */
export function analyzeImpactByArch(
  pairs: readonly ArchPair[],
  corpus: readonly ModuleImage[],
): ArchImpactReport[] {
  const seen = new Set<string>();
  for (const p of pairs) {
    if (seen.has(p.arch)) throw new UsageError(`two OLD NEW pairs for ${p.arch}: one pair per architecture`);
    seen.add(p.arch);
  }
  return pairs.map((p) => {
    const own = corpus.filter((m) => moduleArch(m.elf) === p.arch);
    requireSome(
      p.inTree.length + own.length,
      `${p.old} (${p.arch})`,
      'kernel modules of that architecture (in-tree or in the corpus)',
      MODULES_EXPECTED,
    );
    return {
      arch: p.arch,
      old: p.old,
      new: p.new,
      inTree: p.inTree.length,
      corpus: own.length,
      report: analyzeImpact(p.changed, [...p.inTree, ...own]),
    };
  });
}
