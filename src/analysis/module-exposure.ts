// What a module of a corpus is exposed to: every changed type its imports reach (roots, the layouts that
// move with them, their holders), and which of its own types (its split BTF, when it has one) hold a
// changed type by value. Asked by `explainCrcChanges` once per module, with the import lookup it built:
// apart from explain.ts because it reads a third BTF (the module's) and the finished Explanation, never
// the two kernels' graphs.
import type { Btf } from '../model/btf.js';
import type { ModuleImage } from '../model/module-image.js';
import type { ChangedTypeKind, Explanation, ModuleExposure, ModuleReach } from './explanation.js';
import { embeddedMembers, TypeGraphBuilder } from './type-graph.js';

/** A corpus module for `explainCrcChanges`: its image, and its split BTF on the old kernel if read. */
export interface ExplainModule {
  image: ModuleImage;
  btf: Btf | null;
}

/** What an import's declaration reaches: null when both kernels export it but neither declares it. */
export type ImportReach = { crcChanged: boolean; reaches: { type: string; path: string[] }[] } | null;

const KIND_ORDER: Record<ChangedTypeKind, number> = { root: 0, layout: 1, holder: 2 };

/** Each changed type of the Explanation and how it takes part: root, layout or holder. */
export function changedTypeKinds(e: Explanation): Map<string, ChangedTypeKind> {
  const kinds = new Map<string, ChangedTypeKind>();
  for (const r of e.containers) kinds.set(r.type, 'holder');
  for (const r of e.inherited) kinds.set(r.type, 'layout');
  for (const r of e.roots) kinds.set(r.type, 'root');
  return kinds;
}

/**
 * The module against the Explanation. `lookup` answers for one import (undefined: not exported by both
 * kernels, e.g. a symbol of another module of the corpus). A driver that only uses a changed struct
 * through pointers is affected only if it reads members that moved; one that embeds it has its own layout
 * moved. Which members code reads, neither BTF nor `__versions` says.
 */
export function moduleExposure(
  m: ExplainModule,
  e: Explanation,
  lookup: (symbol: string) => ImportReach | undefined,
): ModuleExposure {
  const kinds = changedTypeKinds(e);
  const symbols = [...new Set(m.image.imports.map((i) => i.symbol))].sort();
  const byType = new Map<string, ModuleReach>();
  const undeclared: string[] = [];
  for (const symbol of symbols) {
    const found = lookup(symbol);
    if (found === null) undeclared.push(symbol);
    for (const { type, path } of found?.reaches ?? []) {
      const kind = kinds.get(type);
      if (kind === undefined) continue;
      const r = byType.get(type) ?? { type, kind, imports: [], unchangedCrc: [], path };
      byType.set(type, r);
      r.imports.push(symbol);
      if (!found!.crcChanged) r.unchangedCrc.push(symbol);
      if (path.length < r.path.length) r.path = path;
    }
  }
  // Nearest first: the types an import's declaration names come before those many pointers away.
  const reaches = [...byType.values()].sort(
    (a, b) =>
      a.path.length - b.path.length || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.type < b.type ? -1 : 1),
  );
  const hasBtf = m.image.hasBtf || m.btf !== null;
  return {
    module: m.image.name,
    source: m.image.source,
    imports: symbols.length,
    undeclared,
    reaches,
    hasBtf,
    holds: m.btf === null ? (hasBtf ? null : []) : ownHolds(m.btf, kinds),
  };
}

/** The module's own structs and unions (its split BTF) that hold a changed type by value. */
function ownHolds(
  btf: Btf,
  changed: ReadonlyMap<string, ChangedTypeKind>,
): NonNullable<ModuleExposure['holds']> {
  const holds: NonNullable<ModuleExposure['holds']> = [];
  const graph = new TypeGraphBuilder();
  for (let id = btf.firstId; id < btf.count; id++) {
    const t = btf.get(id);
    if ((t.kind !== 'struct' && t.kind !== 'union') || !t.name) continue;
    const key = graph.add(btf, id);
    if (!key) continue;
    for (const e of embeddedMembers(graph.nodes.get(key)?.facts ?? []))
      if (changed.has(e.key)) holds.push({ type: key, member: e.member, offset: e.offset, holds: e.key });
  }
  return holds;
}
