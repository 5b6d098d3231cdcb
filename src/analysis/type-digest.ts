// A kernel's type graph digested for the store (model/type-digest.ts), and read back for `kabi explain`:
// only the nodes whose transitive definition differs between the two builds are loaded, since a node
// that reaches nothing changed takes no part in any explanation (it is neither changed, nor a holder of a
// changed type, nor on a path to one). What is loaded is the same graph explain builds from BTF, less
// those nodes, so the analysis that follows is the one explain runs on BTF.
import { createHash } from 'node:crypto';
import { KabiError } from '../errors.js';
import type { Btf } from '../model/btf.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import {
  hashHex,
  sameHash,
  TYPE_HASH_BYTES,
  type TypeDef,
  type TypeDigest,
  type TypeIndex,
} from '../model/type-digest.js';
import { type ExplainSide, KernelTypes } from './export-declarations.js';
import type { TypeGraph, TypeNode } from './type-graph.js';

const hash = (parts: readonly string[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return new Uint8Array(h.digest().subarray(0, TYPE_HASH_BYTES));
};

/**
 * The digest of one kernel: its graph with the declaration of every export that has a CRC (in the
 * build's order, as explain declares them), each node's def hash, and the reach hash of its strongly
 * connected component (types refer to each other in cycles through pointers).
 */
export function typeDigest(side: ExplainSide): TypeDigest {
  const types = new KernelTypes(side);
  const defined = new Set<string>();
  for (const [key, n] of types.graph.nodes) if (n.facts.length) defined.add(key);
  for (const e of side.build.exports.values()) if (e.crc !== null) types.declare(e);
  const text = new Map<string, string>();
  for (const d of types.declarations.values()) if (d.from === null) text.set(d.key, d.text);
  return digestOf(types.graph, text, defined);
}

/**
 * For ingest: the digest of a kernel read with its BTF, or null with a warning on the build when its BTF
 * cannot be walked (a hostile one: the type graph refuses it); the build is stored either way.
 */
export function kernelTypeDigest(
  build: KernelBuild,
  kernel: { btf: Btf; modules: ExplainSide['modules'] },
): TypeDigest | null {
  try {
    return typeDigest({ build, btf: kernel.btf, modules: kernel.modules });
  } catch (e) {
    if (!(e instanceof KabiError)) throw e;
    build.warnings.push(`types not kept for explain: ${e.message}`);
    return null;
  }
}

function digestOf(
  graph: TypeGraph,
  text: ReadonlyMap<string, string>,
  /** Keys vmlinux's BTF defines: the rest were added by declarations. */
  defined: ReadonlySet<string>,
): TypeDigest {
  const nodes = [...graph.nodes.values()];
  const defs: TypeDigest['defs'] = new Map();
  const defHash: Uint8Array[] = [];
  for (const n of nodes) {
    const def: TypeDef = { facts: n.facts, refs: [...n.refs], text: text.get(n.key) ?? null };
    const h = hash([JSON.stringify([def.facts, def.refs, def.text])]);
    defHash.push(h);
    const hex = hashHex(h);
    if (!defs.has(hex)) defs.set(hex, { hash: h, def });
  }
  const reach = reachHashes(nodes, defHash);
  const index: TypeIndex = new Map();
  for (const [i, n] of nodes.entries())
    index.set(n.key, { def: defHash[i]!, reach: reach[i]!, declared: !defined.has(n.key) });
  return { index, defs };
}

/**
 * Iterative Tarjan over the refs; a component's hash covers its members (key, def hash) and the hashes
 * of the components it points to, and a ref to a key with no node by that key.
 */
function reachHashes(nodes: readonly TypeNode[], defHash: readonly Uint8Array[]): Uint8Array[] {
  const at = new Map(nodes.map((n, i) => [n.key, i]));
  const succ = nodes.map((n) => [...n.refs].map((r) => at.get(r) ?? -1));
  const dangling = nodes.map((n) => [...n.refs].filter((r) => !at.has(r)));
  const count = nodes.length;
  const order = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const compOf = new Int32Array(count).fill(-1);
  const compHash: Uint8Array[] = [];
  const out: Uint8Array[] = new Array(count);
  const stack: number[] = [];
  let counter = 0;
  const enter = (v: number, work: [number, number][]) => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    work.push([v, 0]);
  };
  for (let start = 0; start < count; start++) {
    if (order[start] !== -1) continue;
    const work: [number, number][] = [];
    enter(start, work);
    while (work.length) {
      const top = work[work.length - 1]!;
      const v = top[0];
      const next = succ[v]!;
      if (top[1] < next.length) {
        const w = next[top[1]++]!;
        if (w === -1) continue;
        if (order[w] === -1) enter(w, work);
        else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== order[v]) continue;
      const comp = compHash.length;
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        compOf[w] = comp;
        members.push(w);
      } while (w !== v);
      const own = members.map((m) => `${nodes[m]!.key}\0${hashHex(defHash[m]!)}`).sort();
      const outside = new Set<string>();
      for (const m of members) {
        for (const s of succ[m]!) if (s !== -1 && compOf[s] !== comp) outside.add(hashHex(compHash[compOf[s]!]!));
        for (const d of dangling[m]!) outside.add(`missing ${d}`);
      }
      const h = hash([...own, '--', ...[...outside].sort()]);
      compHash.push(h);
      for (const m of members) out[m] = h;
    }
  }
  return out;
}

/** One side of explain from a digest: its build, its index, and the externs read from headers. */
export interface DigestSide {
  build: KernelBuild;
  index: TypeIndex;
  externs?: ExplainSide['externs'];
}

/** Loads definitions by def hash (hex); a store answers with one query. */
export type TypeDefLoader = (hashes: readonly Uint8Array[]) => Promise<Map<string, TypeDef>>;

/** A kernel's side as explain needs it (KernelTypes is the other kind, built from BTF). */
export interface SideTypes {
  readonly input: { build: KernelBuild };
  readonly graph: TypeGraph;
  readonly declarations: Map<string, { key: string; text: string; from: string | null }>;
  declare(e: Export): string | null;
}

/**
 * Both sides' graphs, of only the nodes whose reach hash differs (or that one side lacks), and the
 * declarations of the exports in `symbols` whose CRC changed (their text is shown).
 */
export async function digestSides(
  a: DigestSide,
  b: DigestSide,
  load: TypeDefLoader,
  symbols?: ReadonlySet<string>,
): Promise<[SideTypes, SideTypes]> {
  const wanted = [new Set<string>(), new Set<string>()] as const;
  const sides = [a, b] as const;
  for (const [key, na] of a.index) {
    const nb = b.index.get(key);
    if (nb && sameHash(na.reach, nb.reach)) continue;
    wanted[0].add(key);
    if (nb) wanted[1].add(key);
  }
  for (const key of b.index.keys()) if (!a.index.has(key)) wanted[1].add(key);
  const texts = [new Set<string>(), new Set<string>()] as const;
  for (const [symbol, n] of b.build.exports) {
    const o = a.build.exports.get(symbol);
    if (!o || o.crc === null || n.crc === null || o.crc === n.crc) continue;
    if (symbols && !symbols.has(symbol)) continue;
    for (const s of [0, 1] as const) {
      const key = declarationKey(sides[s].index, symbol);
      if (key) texts[s].add(key);
    }
  }
  const hashes = new Map<string, Uint8Array>();
  for (const s of [0, 1] as const)
    for (const key of [...wanted[s], ...texts[s]]) {
      const h = sides[s].index.get(key)!.def;
      hashes.set(hashHex(h), h);
    }
  const defs = await load([...hashes.values()]);
  return [
    new DigestTypes(a, wanted[0], defs),
    new DigestTypes(b, wanted[1], defs),
  ];
}

/** The key explain gives an export's declaration: its function, else its variable. */
function declarationKey(index: TypeIndex, symbol: string): string | null {
  for (const key of [`func ${symbol}`, `var ${symbol}`]) if (index.has(key)) return key;
  return null;
}

class DigestTypes implements SideTypes {
  readonly graph: TypeGraph = { nodes: new Map() };
  readonly declarations = new Map<string, { key: string; text: string; from: string | null }>();

  constructor(
    readonly input: DigestSide,
    private readonly keys: ReadonlySet<string>,
    private readonly defs: ReadonlyMap<string, TypeDef>,
  ) {
    // vmlinux's types, in the index's order (the order the graph had when it was digested).
    for (const [key, n] of input.index) if (!n.declared && keys.has(key)) this.add(key);
  }

  private add(key: string): TypeNode | undefined {
    if (!this.keys.has(key)) return undefined;
    const def = this.defs.get(hashHex(this.input.index.get(key)!.def));
    if (!def) return undefined;
    const node = { key, facts: def.facts, refs: new Set(def.refs) };
    this.graph.nodes.set(key, node);
    return node;
  }

  /**
   * As KernelTypes.declare: the declaration, and the declared-only types it reaches through others of
   * them (a module's own types). Nodes not loaded reach nothing that changed and stay out.
   */
  declare(e: Export): string | null {
    const key = declarationKey(this.input.index, e.symbol);
    if (key) {
      const def = this.defs.get(hashHex(this.input.index.get(key)!.def));
      if (def?.text != null) this.declarations.set(e.symbol, { key, text: def.text, from: null });
      const first = this.graph.nodes.get(key) ?? this.add(key);
      const stack = first ? [first] : [];
      while (stack.length)
        for (const ref of stack.pop()!.refs) {
          if (!this.input.index.get(ref)?.declared || this.graph.nodes.has(ref)) continue;
          const node = this.add(ref);
          if (node) stack.push(node);
        }
      return key;
    }
    const ext = this.input.externs?.get(e.symbol);
    if (!ext) return null;
    // As KernelTypes: an extern read from a header is a node of its own, reaching its declared type.
    const k = `var ${e.symbol}`;
    this.graph.nodes.set(k, { key: k, facts: [`type ${ext.key ?? ext.declaration}`], refs: new Set(ext.key ? [ext.key] : []) });
    this.declarations.set(e.symbol, { key: k, text: ext.declaration, from: ext.where });
    return k;
  }
}

/** A digest held in memory as a loader: a kernel read from BTF, explained against a stored one. */
export function digestLoader(...digests: TypeDigest[]): TypeDefLoader {
  return async (hashes) => {
    const out = new Map<string, TypeDef>();
    for (const h of hashes) {
      const hex = hashHex(h);
      for (const d of digests) {
        const found = d.defs.get(hex);
        if (found) {
          out.set(hex, found.def);
          break;
        }
      }
    }
    return out;
  };
}
