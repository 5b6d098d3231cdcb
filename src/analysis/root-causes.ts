// Which changed types are the causes of a CRC cascade and which only follow from one. Of the types whose
// definition changed, a type that only grew because a type it embeds by value grew (`struct pci_dev`
// around `struct device`) inherits its change: a consequence, not a root. Types whose definition did not
// change but that hold a changed type by value are listed apart (libabigail reports them as changed).
// The roots are then ranked by the CRC-changed exports that reach them. Apart from explain.ts because
// these are the judgements about types; explain.ts only pairs exports with them.
import type { Explanation, RootChange } from './explanation.js';
import { rootChanges, type TypeChange } from './type-diff.js';
import { embeddedTypes, type TypeGraph } from './type-graph.js';

export interface RootCauses {
  /** Every type whose own definition changed, with what changed. */
  changed: Map<string, TypeChange[]>;
  /** The changed types that are not `inherited`. */
  roots: Map<string, TypeChange[]>;
  /** Changed types whose change is only the layout of a changed type they embed: type → embedded. */
  inherited: Map<string, string[]>;
  /** Unchanged types that hold a changed type by value: type → held. */
  containers: Map<string, string[]>;
}

export function rootCauses(before: TypeGraph, after: TypeGraph): RootCauses {
  const changed = rootChanges(before, after);
  const inherited = inheritedLayoutChanges(changed, after);
  const roots = new Map([...changed].filter(([key]) => !inherited.has(key)));
  const containers = containersOf(new Set(changed.keys()), after);
  return { changed, roots, inherited, containers };
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

/** The exports that reach each root, counted as they are explained; then the roots ranked by them. */
export class RootTally {
  private readonly exports = new Map<string, string[]>();
  private readonly unchanged = new Map<string, number>();
  private readonly example = new Map<string, string[]>();

  /** A CRC-changed export and the path to each root it reaches; the first shortest path is the example. */
  addChanged(symbol: string, found: readonly { type: string; path: string[] }[]): void {
    for (const r of found) {
      const list = this.exports.get(r.type);
      if (list) list.push(symbol);
      else this.exports.set(r.type, [symbol]);
      const ex = this.example.get(r.type);
      if (!ex || r.path.length < ex.length) this.example.set(r.type, r.path);
    }
  }

  /** The roots an export with an unchanged CRC reaches. */
  addUnchanged(roots: readonly string[]): void {
    for (const r of roots) this.unchanged.set(r, (this.unchanged.get(r) ?? 0) + 1);
  }

  /** The causes as the Explanation lists them: roots some export reaches, most CRC changes first. */
  list(causes: RootCauses): Pick<Explanation, 'roots' | 'inherited' | 'containers'> {
    const roots: RootChange[] = [...causes.roots]
      .map(([type, changes]) => ({
        type,
        changes,
        exports: this.exports.get(type) ?? [],
        unchangedCrcExports: this.unchanged.get(type) ?? 0,
        examplePath: this.example.get(type) ?? [],
      }))
      .filter((r) => r.exports.length > 0 || r.unchangedCrcExports > 0)
      .sort((a, b) => b.exports.length - a.exports.length || (a.type < b.type ? -1 : 1));
    const inherited = [...causes.inherited]
      .map(([type, embeds]) => ({ type, embeds, changes: causes.changed.get(type)! }))
      .sort((a, b) => (a.type < b.type ? -1 : 1));
    const containers = [...causes.containers]
      .map(([type, embeds]) => ({ type, embeds: embeds.sort() }))
      .sort((a, b) => (a.type < b.type ? -1 : 1));
    return { roots, inherited, containers };
  }
}
