// Which of a module's own types hold a changed type by value. Asked after `explainCrcChanges`, once per
// module of a corpus, against its split BTF: apart from explain.ts because it reads a third BTF (the
// module's) and only the finished Explanation, never the two kernels' graphs.
import type { Btf } from '../model/btf.js';
import type { Explanation, ModuleExposure } from './explanation.js';
import { embeddedMembers, TypeGraphBuilder } from './type-graph.js';

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
