// Why did a CRC change? genksyms computes an export's CRC over its declaration with every type it
// reaches expanded; a change to one struct therefore moves the CRC of every export that reaches it.
// This walks the same reachability over BTF: an export's CRC change is explained by the *root* type
// changes its declaration reaches (a type whose own definition changed), with the path that leads there.
//
// BTF over-approximates genksyms: genksyms expands only the structs defined in the exporting file's
// headers, BTF has every definition. So a reached root is a candidate cause; "type changes behind an
// unchanged CRC" are the reached roots genksyms did not see.
import type { Btf } from '../model/btf.js';
import { cDeclaration } from '../model/btf-c.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { rootChanges, type TypeChange } from './type-diff.js';
import { embeddedMembers, embeddedTypes, type TypeGraph, TypeGraphBuilder, typeKey } from './type-graph.js';
import { Reachability } from './type-reach.js';

export { rootChanges, type TypeChange } from './type-diff.js';

export interface ExplainSide {
  build: KernelBuild;
  /** vmlinux's BTF. */
  btf: Btf;
  /** Split BTF of exporting modules, by module name (`snd_pcm`); read on demand. */
  modules: { get(name: string): Btf | undefined };
  /**
   * Declared types of exported variables BTF has no VAR for (it records only per-CPU variables):
   * variable name → type key (`struct kmem_cache`) and where that was read.
   */
  externs?: ReadonlyMap<string, { key: string | null; declaration: string; where: string }>;
}

export interface ExplainOptions {
  /** Only these exports (default: every export whose CRC changed). */
  symbols?: ReadonlySet<string>;
}

export interface RootChange {
  /** `struct device`, `func kmalloc_trace`. */
  type: string;
  changes: TypeChange[];
  /** CRC-changed exports whose declaration reaches this type. */
  exports: string[];
  /** Exports with an unchanged CRC that reach it too (genksyms did not expand it for them). */
  unchangedCrcExports: number;
  /** One path from an export to this type: `kmalloc_trace → struct kmem_cache → ...`. */
  examplePath: string[];
}

export type ExplainStatus = 'explained' | 'no-declaration' | 'no-type-change';

export interface SymbolExplanation {
  symbol: string;
  module: string;
  oldCrc: string | null;
  newCrc: string | null;
  status: ExplainStatus;
  /** The C declaration in the new kernel (or the old, if it is gone from the new BTF). */
  declaration: string | null;
  /** Where the declaration came from when BTF had none (an extern in a header). */
  declarationFrom: string | null;
  /** Root changes this declaration reaches, the path to each (starting at the symbol). */
  roots: { type: string; path: string[] }[];
}

export interface Explanation {
  old: string;
  new: string;
  /** Exports whose CRC changed (within the selection). */
  crcChanged: number;
  explained: number;
  symbols: SymbolExplanation[];
  /** Root type changes, most exports reached first. */
  roots: RootChange[];
  /** Types that changed only because they embed a changed type by value: consequences, not roots. */
  inherited: { type: string; embeds: string[]; changes: TypeChange[] }[];
  /** Types with an unchanged definition that hold a changed type by value (libabigail calls them changed). */
  containers: { type: string; embeds: string[] }[];
  /** Exports with an unchanged CRC whose declaration reaches a root change. */
  unchangedCrcReached: number;
  /** With a module corpus: what each module's own types hold of the changed ones (see moduleExposure). */
  modules?: ModuleExposure[];
}

const crcOf = (e: Export | undefined) => (e?.crc == null ? null : `0x${e.crc.toString(16).padStart(8, '0')}`);

/** `drivers/sound/core/snd-pcm` → `snd_pcm`. */
export function moduleKey(module: string): string {
  // Matches how readers name a module's split BTF: its file name, dashes made underscores.
  return (module.split('/').pop() ?? module).replace(/-/g, '_');
}

class Side {
  readonly graph: TypeGraph;
  private readonly builder = new TypeGraphBuilder();
  readonly declarations = new Map<string, { key: string; text: string; from: string | null }>();

  constructor(readonly input: ExplainSide) {
    this.builder.addTypes(input.btf);
    this.graph = this.builder.build();
  }

  /** Finds the export's declaration: its module's split BTF first, then vmlinux; then a header extern. */
  declare(e: Export): string | null {
    const own = e.module === null ? undefined : this.input.modules.get(moduleKey(e.module));
    const btfs = [own, this.input.btf].filter((b) => b !== undefined);
    for (const btf of btfs) {
      const id = btf.find(e.symbol, 'func') ?? btf.find(e.symbol, 'var');
      if (id === undefined) continue;
      const key = this.builder.addClosure(btf, id);
      if (!key) continue;
      const t = btf.get(id);
      this.declarations.set(e.symbol, {
        key,
        text: cDeclaration(btf, 'type' in t ? t.type : id, e.symbol).replace(/\s*\n\s*/g, ' '),
        from: null,
      });
      return key;
    }
    const ext = this.input.externs?.get(e.symbol);
    if (ext) {
      const key = `var ${e.symbol}`;
      const refs = new Set(ext.key ? [ext.key] : []);
      this.graph.nodes.set(key, { key, facts: [`type ${ext.key ?? ext.declaration}`], refs });
      this.declarations.set(e.symbol, { key, text: ext.declaration, from: ext.where });
      return key;
    }
    return null;
  }
}

export function explainCrcChanges(
  oldSide: ExplainSide,
  newSide: ExplainSide,
  opts: ExplainOptions = {},
): Explanation {
  const before = new Side(oldSide);
  const after = new Side(newSide);
  const wanted = opts.symbols;

  // Every export in both kernels gets its declaration: changed CRCs to explain, unchanged ones to
  // count the type changes genksyms did not see.
  const changed: { old: Export; new: Export }[] = [];
  const unchanged: string[] = [];
  const declKey = new Map<string, string>();
  for (const [symbol, n] of newSide.build.exports) {
    const o = oldSide.build.exports.get(symbol);
    if (!o || o.crc == null || n.crc == null) continue;
    if (wanted && !wanted.has(symbol)) continue;
    const kOld = before.declare(o);
    const kNew = after.declare(n);
    const key = kNew ?? kOld;
    if (key) declKey.set(symbol, key);
    if (o.crc !== n.crc) changed.push({ old: o, new: n });
    else if (key) unchanged.push(symbol);
  }

  const allChanged = rootChanges(before.graph, after.graph);
  const layout = inheritedLayoutChanges(allChanged, after.graph);
  const roots = new Map([...allChanged].filter(([key]) => !layout.has(key)));
  const containers = containersOf(new Set(allChanged.keys()), after.graph);
  const reach = new Reachability(before.graph, after.graph, [...roots.keys()]);

  const rootExports = new Map<string, string[]>();
  const rootUnchanged = new Map<string, number>();
  const rootExample = new Map<string, string[]>();
  const symbols: SymbolExplanation[] = [];
  let explained = 0;
  for (const { old: o, new: n } of changed.sort((a, b) => (a.new.symbol < b.new.symbol ? -1 : 1))) {
    const key = declKey.get(n.symbol);
    const decl = after.declarations.get(n.symbol) ?? before.declarations.get(n.symbol);
    const found = key === undefined ? [] : reach.paths(key, n.symbol);
    const status: ExplainStatus =
      key === undefined ? 'no-declaration' : found.length ? 'explained' : 'no-type-change';
    if (status === 'explained') explained++;
    for (const r of found) {
      const list = rootExports.get(r.type);
      if (list) list.push(n.symbol);
      else rootExports.set(r.type, [n.symbol]);
      const ex = rootExample.get(r.type);
      if (!ex || r.path.length < ex.length) rootExample.set(r.type, r.path);
    }
    symbols.push({
      symbol: n.symbol,
      module: n.module ?? '',
      oldCrc: crcOf(o),
      newCrc: crcOf(n),
      status,
      declaration: decl?.text ?? null,
      declarationFrom: decl?.from ?? null,
      roots: found,
    });
  }
  let unchangedCrcReached = 0;
  for (const symbol of unchanged) {
    const hit = reach.rootsOf(declKey.get(symbol)!);
    if (hit.length === 0) continue;
    unchangedCrcReached++;
    for (const r of hit) rootUnchanged.set(r, (rootUnchanged.get(r) ?? 0) + 1);
  }

  const rootList: RootChange[] = [...roots]
    .map(([type, changes]) => ({
      type,
      changes,
      exports: rootExports.get(type) ?? [],
      unchangedCrcExports: rootUnchanged.get(type) ?? 0,
      examplePath: rootExample.get(type) ?? [],
    }))
    .filter((r) => r.exports.length > 0 || r.unchangedCrcExports > 0)
    .sort((a, b) => b.exports.length - a.exports.length || (a.type < b.type ? -1 : 1));

  return {
    old: oldSide.build.source,
    new: newSide.build.source,
    crcChanged: changed.length,
    explained,
    symbols,
    roots: rootList,
    inherited: [...layout]
      .map(([type, embeds]) => ({ type, embeds, changes: allChanged.get(type)! }))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
    containers: [...containers]
      .map(([type, embeds]) => ({ type, embeds: embeds.sort() }))
      .sort((a, b) => (a.type < b.type ? -1 : 1)),
    unchangedCrcReached,
  };
}

/**
 * Types whose only change is their size and member offsets, because a member they embed by value grew
 * or shrank (`struct pci_dev` embeds `struct device`): consequences, not roots. Fixed point, since
 * embedding nests (`struct net_device` → `struct device`).
 */
function inheritedLayoutChanges(
  changed: ReadonlyMap<string, TypeChange[]>,
  graph: TypeGraph,
): Map<string, string[]> {
  const inherited = new Map<string, string[]>();
  const resized = (key: string) =>
    changed
      .get(key)
      ?.some((c) => c.change === 'size' || (c.change === 'definition' && key.startsWith('typedef ')));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [key, changes] of changed) {
      if (inherited.has(key)) continue;
      if (!changes.every((c) => c.change === 'size' || c.change === 'member-moved')) continue;
      const embeds = embeddedTypes(graph.nodes.get(key)?.facts ?? []).filter(
        (ref) => resized(ref) || inherited.has(ref),
      );
      if (embeds.length === 0) continue;
      inherited.set(key, [...new Set(embeds)]);
      grew = true;
    }
  }
  return inherited;
}

/**
 * Types whose own definition is unchanged but that hold a changed type by value, directly or through
 * other such types (`struct device_node` holds `struct fwnode_handle`, whose member changed type but
 * not its size): libabigail reports them as changed; here they are neither roots nor layout changes.
 */
function containersOf(changed: ReadonlySet<string>, graph: TypeGraph): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const [key, node] of graph.nodes)
    for (const inner of embeddedTypes(node.facts)) {
      const list = holders.get(inner);
      if (list) list.push(key);
      else holders.set(inner, [key]);
    }
  const out = new Map<string, string[]>();
  const queue = [...changed];
  for (let i = 0; i < queue.length; i++) {
    const inner = queue[i]!;
    for (const holder of holders.get(inner) ?? []) {
      if (changed.has(holder)) continue;
      const list = out.get(holder);
      if (list) {
        if (!list.includes(inner)) list.push(inner);
        continue;
      }
      out.set(holder, [inner]);
      queue.push(holder);
    }
  }
  return out;
}

export { typeKey };

export interface ModuleExposure {
  module: string;
  /** False when the module carries no BTF: which members it uses cannot be known from the artifact. */
  hasBtf: boolean;
  /** The module's own types that hold a changed type by value: their layout moves with it. */
  holds: { type: string; member: string; offset: number; holds: string }[];
}

/**
 * What a module's own types (its split BTF) hold by value among the types that changed. A driver that
 * only uses a changed struct through pointers is affected only if it reads members that moved; one that
 * embeds it has its own layout moved. Which members code reads, BTF does not say.
 */
export function moduleExposure(module: string, btf: Btf | null, e: Explanation): ModuleExposure {
  if (btf === null) return { module, hasBtf: false, holds: [] };
  const changed = new Set([
    ...e.roots.map((r) => r.type),
    ...e.inherited.map((r) => r.type),
    ...e.containers.map((r) => r.type),
  ]);
  const holds: ModuleExposure['holds'] = [];
  const graph = new TypeGraphBuilder();
  for (let id = btf.firstId; id < btf.count; id++) {
    const t = btf.get(id);
    if ((t.kind !== 'struct' && t.kind !== 'union') || !t.name) continue;
    const key = graph.add(btf, id);
    if (!key) continue;
    for (const e of embeddedMembers(graph.nodes.get(key)?.facts ?? []))
      if (changed.has(e.key)) holds.push({ type: key, member: e.member, offset: e.offset, holds: e.key });
  }
  return { module, hasBtf: true, holds };
}
