// A kernel's type graph digested for the store (model/type-digest.ts), and read back for `kabi explain`:
// only the nodes whose transitive definition differs between the two builds are loaded, since a node
// that reaches nothing changed takes no part in any explanation (it is neither changed, nor a holder of a
// changed type, nor on a path to one). What is loaded is the same graph explain builds from BTF, less
// those nodes, so the analysis that follows is the one explain runs on BTF.
import { hash as oneShot } from 'node:crypto';
import { KabiError } from '../errors.js';
import type { Btf } from '../model/btf.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { TYPE_HASH_BYTES, type TypeDef, type TypeDigest, TypeIndex } from '../model/type-digest.js';
import { type ExplainSide, KernelTypes } from './export-declarations.js';
import type { TypeGraph, TypeNode } from './type-graph.js';

// One-shot SHA-1 of one string per node: a hash object per node cost more than the hashing. As hex
// (of its first TYPE_HASH_BYTES), not bytes: two ArrayBuffers per node and component were most of the
// digest's garbage; the bytes are written once, into the index's one array.
const hashHex = (text: string): string => oneShot('sha1', text, 'hex').slice(0, 2 * TYPE_HASH_BYTES);

/**
 * The digest of one kernel: its graph with the declaration of every export that has a CRC (in the
 * build's order, as explain declares them), each node's def hash, and the reach hash of its strongly
 * connected component (types refer to each other in cycles through pointers).
 */
export function typeDigest(side: ExplainSide): TypeDigest {
  const types = new KernelTypes(side, { everyType: true });
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
  const jsons = new Map<string, string>();
  const defHex: string[] = [];
  const refs: string[][] = [];
  for (const n of nodes) {
    const own = [...n.refs];
    const declaration = text.get(n.key) ?? null;
    refs.push(own);
    const json = JSON.stringify([n.facts, own, declaration]);
    const hex = hashHex(json);
    defHex.push(hex);
    if (!defs.has(hex)) {
      defs.set(hex, { facts: n.facts, refs: own, text: declaration });
      jsons.set(hex, json);
    }
  }
  const reach = reachHashes(nodes, refs, defHex);
  const step = 2 * TYPE_HASH_BYTES;
  const hashes = new Uint8Array(nodes.length * step);
  const bytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  const declared = new Uint8Array(nodes.length);
  for (const [i, n] of nodes.entries()) {
    bytes.write(defHex[i]!, i * step, TYPE_HASH_BYTES, 'hex');
    bytes.write(reach[i]!, i * step + TYPE_HASH_BYTES, TYPE_HASH_BYTES, 'hex');
    declared[i] = defined.has(n.key) ? 0 : 1;
  }
  return {
    index: new TypeIndex(
      nodes.map((n) => n.key),
      hashes,
      declared,
    ),
    defs,
    json: jsons,
  };
}

/**
 * Iterative Tarjan over the refs; a component's hash covers its members (key, def hash) and the hashes
 * of the components it points to, and a ref to a key with no node by that key.
 */
function reachHashes(
  nodes: readonly TypeNode[],
  /** Each node's refs, in its set's order. */
  refs: readonly (readonly string[])[],
  /** Each node's def hash, as hex. */
  defHex: readonly string[],
): string[] {
  const at = new Map<string, number>();
  for (let i = 0; i < nodes.length; i++) at.set(nodes[i]!.key, i);
  const succ = refs.map((r) => r.map((k) => at.get(k) ?? -1));
  const count = nodes.length;
  const order = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const compOf = new Int32Array(count).fill(-1);
  /** Each component's hash, as hex. */
  const compHex: string[] = [];
  const out: string[] = new Array(count);
  const stack: number[] = [];
  let counter = 0;
  // The walk's path as two typed stacks (node, next successor to try), not a pair array per node.
  const workNode = new Int32Array(count);
  const workNext = new Int32Array(count);
  let depth = 0;
  const enter = (v: number) => {
    order[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    workNode[depth] = v;
    workNext[depth++] = 0;
  };
  for (let start = 0; start < count; start++) {
    if (order[start] !== -1) continue;
    enter(start);
    while (depth > 0) {
      const v = workNode[depth - 1]!;
      const next = succ[v]!;
      const k = workNext[depth - 1]!;
      if (k < next.length) {
        workNext[depth - 1] = k + 1;
        const w = next[k]!;
        if (w === -1) continue;
        if (order[w] === -1) enter(w);
        else if (onStack[w]) low[v] = Math.min(low[v]!, order[w]!);
        continue;
      }
      depth--;
      if (depth > 0) {
        const parent = workNode[depth - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== order[v]) continue;
      const comp = compHex.length;
      const members: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        compOf[w] = comp;
        members.push(w);
      } while (w !== v);
      const own = members.map((m) => `${nodes[m]!.key}\0${defHex[m]!}`);
      if (own.length > 1) own.sort();
      const outside = new Set<string>();
      for (const m of members) {
        const next = succ[m]!;
        for (let k = 0; k < next.length; k++) {
          const s = next[k]!;
          if (s === -1) outside.add(`missing ${refs[m]![k]}`);
          else if (compOf[s] !== comp) outside.add(compHex[compOf[s]!]!);
        }
      }
      const h = hashHex(JSON.stringify([own, [...outside].sort()]));
      compHex.push(h);
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
export type TypeDefLoader = (hashes: readonly string[]) => Promise<Map<string, TypeDef>>;

/** A kernel's side as explain needs it (KernelTypes is the other kind, built from BTF). */
export interface SideTypes {
  readonly input: { build: KernelBuild };
  readonly graph: TypeGraph;
  readonly declarations: Map<string, { key: string; text: string; from: string | null }>;
  declare(e: Export): string | null;
  /** Grows the graph by `key` where it can (a graph read whole from BTF on demand). */
  reach?(key: string): void;
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
  const wanted = [new Uint8Array(a.index.size), new Uint8Array(b.index.size)] as const;
  for (const [i, key] of a.index.keys.entries()) {
    const j = b.index.at(key);
    if (j !== undefined && a.index.sameReach(i, b.index, j)) continue;
    wanted[0][i] = 1;
    if (j !== undefined) wanted[1][j] = 1;
  }
  for (const [j, key] of b.index.keys.entries()) if (a.index.at(key) === undefined) wanted[1][j] = 1;
  // Every type whose reach differs (vmlinux's, and the module types declarations added), and the
  // declarations explain will make (exports in both, with a CRC, asked about); refs never lead to a
  // declaration, so one query answers all DigestTypes.declare walks.
  const sides = [a, b] as const;
  const hashes = new Set<string>();
  for (const s of [0, 1] as const) {
    const { index } = sides[s];
    const w = wanted[s];
    for (let i = 0; i < w.length; i++)
      if (w[i] && !isDeclaration(index.keys[i]!)) hashes.add(index.defHex(i));
  }
  for (const [symbol, n] of b.build.exports) {
    const o = a.build.exports.get(symbol);
    if (!o || o.crc === null || n.crc === null) continue;
    if (symbols && !symbols.has(symbol)) continue;
    for (const s of [0, 1] as const) {
      const i = declarationAt(sides[s].index, symbol);
      // A changed export's declaration is shown, so its text is loaded even when nothing it reaches changed.
      if (i !== undefined && (wanted[s][i] || o.crc !== n.crc)) hashes.add(sides[s].index.defHex(i));
    }
  }
  const defs = await load([...hashes]);
  return [new DigestTypes(a, wanted[0], defs), new DigestTypes(b, wanted[1], defs)];
}

const isDeclaration = (key: string) => key.startsWith('func ') || key.startsWith('var ');

/** Where the index holds an export's declaration: its function, else its variable. */
function declarationAt(index: TypeIndex, symbol: string): number | undefined {
  return index.at(`func ${symbol}`) ?? index.at(`var ${symbol}`);
}

class DigestTypes implements SideTypes {
  readonly graph: TypeGraph = { nodes: new Map() };
  readonly declarations = new Map<string, { key: string; text: string; from: string | null }>();

  constructor(
    readonly input: DigestSide,
    /** 1 for each node loaded: its reach differs from the other side's. */
    private readonly wanted: Uint8Array,
    private readonly defs: ReadonlyMap<string, TypeDef>,
  ) {
    // vmlinux's types, in the index's order (the order the graph had when it was digested).
    const { index } = input;
    for (let i = 0; i < index.size; i++) if (wanted[i] && !index.declared[i]) this.add(i);
  }

  private add(i: number): TypeNode | undefined {
    if (!this.wanted[i]) return undefined;
    const def = this.defs.get(this.input.index.defHex(i));
    if (!def) return undefined;
    const key = this.input.index.keys[i]!;
    const node = { key, facts: def.facts, refs: new Set(def.refs) };
    this.graph.nodes.set(key, node);
    return node;
  }

  /**
   * As KernelTypes.declare: the declaration, and the declared-only types it reaches through others of
   * them (a module's own types). Nodes not loaded reach nothing that changed and stay out.
   */
  declare(e: Export): string | null {
    const { index } = this.input;
    const at = declarationAt(index, e.symbol);
    if (at !== undefined) {
      const key = index.keys[at]!;
      const def = this.defs.get(index.defHex(at));
      if (def?.text != null) this.declarations.set(e.symbol, { key, text: def.text, from: null });
      const first = this.graph.nodes.get(key) ?? this.add(at);
      const stack = first ? [first] : [];
      while (stack.length)
        for (const ref of stack.pop()!.refs) {
          const j = index.at(ref);
          if (j === undefined || !index.declared[j] || this.graph.nodes.has(ref)) continue;
          const node = this.add(j);
          if (node) stack.push(node);
        }
      return key;
    }
    const ext = this.input.externs?.get(e.symbol);
    if (!ext) return null;
    // As KernelTypes: an extern read from a header is a node of its own, reaching its declared type.
    const k = `var ${e.symbol}`;
    this.graph.nodes.set(k, {
      key: k,
      facts: [`type ${ext.key ?? ext.declaration}`],
      refs: new Set(ext.key ? [ext.key] : []),
    });
    this.declarations.set(e.symbol, { key: k, text: ext.declaration, from: ext.where });
    return k;
  }
}

/** Digests held in memory as a loader: a kernel read from BTF, explained against a stored one. */
export function digestLoader(...digests: TypeDigest[]): TypeDefLoader {
  return async (hashes) => {
    const out = new Map<string, TypeDef>();
    for (const h of hashes)
      for (const d of digests) {
        const found = d.defs.get(h);
        if (found) {
          out.set(h, found);
          break;
        }
      }
    return out;
  };
}
