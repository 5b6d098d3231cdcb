// From an export's declaration to the changed types it reaches, as genksyms expands a declaration into
// every type it mentions. The walk runs over the union of both kernels' edges (a pointer added or dropped
// between them still leads somewhere), and answers two questions per declaration: which targets it
// reaches (for counting), and one shortest path to each (for showing). The targets are every changed type
// (roots, the layouts that follow from them, their holders): explain counts the roots, a module's report
// lists them all. Kept apart from explain.ts because the graph algorithm is the same whatever the targets.
import type { TypeGraph } from './type-graph.js';

/**
 * Which targets each node reaches: Tarjan's strongly connected components (types refer to each other in
 * cycles through pointers), then one bitset of targets per component, filled in reverse topological order.
 */
export class Reachability {
  private readonly index = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly succ: number[][] = [];
  private readonly targetIds: string[];
  private readonly targetBit = new Map<string, number>();
  private readonly words: number;
  private compOf!: Int32Array;
  private compBits: Uint32Array[] = [];

  constructor(a: TypeGraph, b: TypeGraph, targets: readonly string[]) {
    this.targetIds = [...targets];
    for (const [i, r] of this.targetIds.entries()) this.targetBit.set(r, i);
    this.words = Math.max(1, Math.ceil(this.targetIds.length / 32));
    for (const g of [a, b])
      for (const [key, node] of g.nodes) {
        const from = this.id(key);
        for (const r of node.refs) this.succ[from]!.push(this.id(r));
      }
    this.components();
  }

  private id(key: string): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.index.set(key, i);
      this.keys.push(key);
      this.succ.push([]);
    }
    return i;
  }

  private components(): void {
    const n = this.keys.length;
    const order = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    this.compOf = new Int32Array(n).fill(-1);
    const stack: number[] = [];
    let counter = 0;
    const enter = (v: number) => {
      order[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = 1;
    };
    // Iterative Tarjan: the type graph is deep enough to overflow a recursive one.
    for (let start = 0; start < n; start++) {
      if (order[start] !== -1) continue;
      const work: [number, number][] = [[start, 0]];
      enter(start);
      while (work.length) {
        const top = work[work.length - 1]!;
        const [v, i] = top;
        const next = this.succ[v]!;
        if (i < next.length) {
          top[1]++;
          const w = next[i]!;
          if (order[w] === -1) {
            enter(w);
            work.push([w, 0]);
          } else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
          continue;
        }
        work.pop();
        if (work.length) {
          const parent = work[work.length - 1]![0];
          low[parent] = Math.min(low[parent]!, low[v]!);
        }
        if (low[v] === order[v]) this.closeComponent(v, stack, onStack);
      }
    }
  }

  /**
   * Pops the component `v` roots off Tarjan's stack. Components come out after every component they
   * reach, so its bitset is its own targets and the bitsets of its successors' components.
   */
  private closeComponent(v: number, stack: number[], onStack: Uint8Array): void {
    const comp = this.compBits.length;
    const bits = new Uint32Array(this.words);
    const members: number[] = [];
    let w: number;
    do {
      w = stack.pop()!;
      onStack[w] = 0;
      this.compOf[w] = comp;
      members.push(w);
      const bit = this.targetBit.get(this.keys[w]!);
      if (bit !== undefined) bits[bit >> 5]! |= 1 << (bit & 31);
    } while (w !== v);
    for (const m of members)
      for (const s of this.succ[m]!) {
        const c = this.compOf[s]!;
        if (c !== comp && c !== -1) {
          const sb = this.compBits[c]!;
          for (let k = 0; k < this.words; k++) bits[k]! |= sb[k]!;
        }
      }
    this.compBits.push(bits);
  }

  /** Targets reachable from `key`, not counting `key` itself unless it is a target. */
  targetsOf(key: string): string[] {
    const i = this.index.get(key);
    if (i === undefined) return [];
    const bits = this.compBits[this.compOf[i]!]!;
    const out: string[] = [];
    for (let k = 0; k < this.words; k++) {
      let w = bits[k]!;
      while (w) {
        const b = 31 - Math.clz32(w);
        w &= ~(1 << b);
        out.push(this.targetIds[k * 32 + b]!);
      }
    }
    return out;
  }

  /**
   * A shortest path from `key` to each target it reaches, or to each of `only` (breadth-first, only
   * through nodes that reach a target: a node on a shortest path to one of `only` reaches it).
   */
  paths(key: string, label: string, only?: ReadonlySet<string>): { type: string; path: string[] }[] {
    const start = this.index.get(key);
    if (start === undefined) return [];
    const wanted = this.targetsOf(key).filter((t) => only === undefined || only.has(t));
    const targets = new Set(wanted.map((r) => this.index.get(r)!));
    if (targets.size === 0) return [];
    const parent = new Map<number, number>([[start, -1]]);
    const found: { type: string; path: string[] }[] = [];
    const queue = [start];
    for (let q = 0; q < queue.length && found.length < targets.size; q++) {
      const v = queue[q]!;
      if (targets.has(v)) found.push({ type: this.keys[v]!, path: this.pathTo(v, parent, label) });
      for (const w of this.succ[v]!) {
        if (parent.has(w) || this.empty(w)) continue;
        parent.set(w, v);
        queue.push(w);
      }
    }
    return found;
  }

  private empty(i: number): boolean {
    const bits = this.compBits[this.compOf[i]!]!;
    for (let k = 0; k < this.words; k++) if (bits[k]) return false;
    return true;
  }

  private pathTo(v: number, parent: Map<number, number>, label: string): string[] {
    const path: string[] = [];
    for (let cur = v; cur !== -1; cur = parent.get(cur)!) path.push(this.keys[cur]!);
    path.reverse();
    // The first step is the export's own declaration: name it by the symbol.
    path[0] = label;
    return path;
  }
}
