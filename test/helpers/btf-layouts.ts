// An independent walk over BTF records for the `kabi explain --modules` tests: which structs' layouts
// moved only because they hold, by value, a struct that changed size (or that itself moved so), and which
// named types a function's declaration reaches. Plain loops over the records by id, typedefs and
// qualifiers resolved as a C compiler would; it shares no code with src/analysis (no facts, no type
// graph, no strongly connected components), so a bug there cannot hide in both.
import type { Btf, BtfType } from '../../src/model/btf.js';

/** `struct device`, `union foo`, `enum bar`, `typedef u32`; null for what has no name of its own. */
function nameOf(t: BtfType): string | null {
  if (!t.name) return null;
  if (t.kind === 'struct' || t.kind === 'union' || t.kind === 'typedef') return `${t.kind} ${t.name}`;
  if (t.kind === 'enum' || t.kind === 'enum64') return `enum ${t.name}`;
  if (t.kind === 'fwd') return `${t.union ? 'union' : 'struct'} ${t.name}`;
  return null;
}

/** The named types a type mentions, through pointers, arrays, qualifiers, prototypes and unnamed bodies. */
function mentions(btf: Btf, start: number, out: Set<string>): void {
  const stack = [start];
  const seen = new Set<number>();
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const t = btf.get(id);
    const name = nameOf(t);
    if (name !== null && id !== start) {
      out.add(name);
      continue;
    }
    if (t.kind === 'struct' || t.kind === 'union') stack.push(...t.members.map((m) => m.type));
    else if (t.kind === 'func_proto') stack.push(t.type, ...t.params.map((p) => p.type));
    else if ('type' in t) stack.push(t.type);
  }
}

/** Named type → the named types its definition mentions, over several kernels' BTF, matched by name. */
export function typeEdges(btfs: readonly Btf[]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const btf of btfs)
    for (let id = btf.firstId; id < btf.count; id++) {
      const name = nameOf(btf.get(id));
      if (name === null) continue;
      const out = edges.get(name) ?? new Set<string>();
      edges.set(name, out);
      mentions(btf, id, out);
    }
  return edges;
}

/** Every named type reachable from the declaration of `symbol` (a function or variable) in any kernel. */
export function reachedFrom(
  edges: Map<string, Set<string>>,
  btfs: readonly Btf[],
  symbol: string,
): Set<string> {
  const reached = new Set<string>();
  for (const btf of btfs)
    for (let id = btf.firstId; id < btf.count; id++) {
      const t = btf.get(id);
      if ((t.kind === 'func' || t.kind === 'var') && t.name === symbol) mentions(btf, id, reached);
    }
  const queue = [...reached];
  for (let i = 0; i < queue.length; i++)
    for (const next of edges.get(queue[i]!) ?? [])
      if (!reached.has(next)) {
        reached.add(next);
        queue.push(next);
      }
  return reached;
}

interface Layout {
  size: number;
  /** Member path → bit offset and C type, unnamed struct and union members flattened. */
  members: Map<string, { offset: number; type: string }>;
  /** The named structs and unions held by value (typedefs, qualifiers and arrays resolved). */
  holds: Set<string>;
}

function strip(btf: Btf, id: number): BtfType {
  let t = btf.get(id);
  while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'typedef' || t.kind === 'array')
    t = btf.get(t.type);
  return t;
}

/** A member's type as a short C-like text: enough to tell a retyped member from a moved one. */
function typeText(btf: Btf, id: number, depth = 0): string {
  const t = btf.get(id);
  const name = nameOf(t);
  if (name !== null) return name;
  if (depth > 8) return '…';
  if (t.kind === 'ptr') return `${typeText(btf, t.type, depth + 1)} *`;
  if (t.kind === 'array') return `${typeText(btf, t.type, depth + 1)}[${t.nelems}]`;
  if (t.kind === 'const' || t.kind === 'volatile') return `${t.kind} ${typeText(btf, t.type, depth + 1)}`;
  if (t.kind === 'struct' || t.kind === 'union') return `${t.kind} size ${t.size}`;
  return t.name || t.kind;
}

function layoutOf(btf: Btf, t: Extract<BtfType, { kind: 'struct' | 'union' }>): Layout {
  const layout: Layout = { size: t.size, members: new Map(), holds: new Set() };
  const walk = (s: typeof t, prefix: string, base: number) => {
    for (const [i, m] of s.members.entries()) {
      const inner = strip(btf, m.type);
      const at = base + m.bitOffset;
      let body = btf.get(m.type);
      while (body.kind === 'const' || body.kind === 'volatile') body = btf.get(body.type);
      if ((body.kind === 'struct' || body.kind === 'union') && !body.name)
        walk(body, `${prefix}${m.name || `#${i}`}.`, at);
      else layout.members.set(`${prefix}${m.name || `#${i}`}`, { offset: at, type: typeText(btf, m.type) });
      if ((inner.kind === 'struct' || inner.kind === 'union') && inner.name)
        layout.holds.add(`${inner.kind} ${inner.name}`);
    }
  };
  walk(t, '', 0);
  return layout;
}

function layouts(btf: Btf): Map<string, Layout> {
  const out = new Map<string, Layout>();
  for (let id = btf.firstId; id < btf.count; id++) {
    const t = btf.get(id);
    if ((t.kind === 'struct' || t.kind === 'union') && t.name)
      out.set(`${t.kind} ${t.name}`, layoutOf(btf, t));
  }
  return out;
}

/**
 * The structs (and unions) defined in both kernels whose members are the same by name and type but
 * whose size or member offsets moved, because a struct they hold by value changed size or moved so:
 * `struct net_device` around `struct device`. A fixed point, since holding nests.
 */
export function layoutFollowers(oldBtf: Btf, newBtf: Btf): Set<string> {
  const a = layouts(oldBtf);
  const b = layouts(newBtf);
  const sameMembers = (x: Layout, y: Layout) =>
    x.members.size === y.members.size && [...x.members].every(([k, m]) => y.members.get(k)?.type === m.type);
  const moved = (x: Layout, y: Layout) =>
    x.size !== y.size || [...x.members].some(([k, m]) => y.members.get(k)?.offset !== m.offset);
  const grew = new Set([...b].filter(([k, y]) => a.has(k) && a.get(k)!.size !== y.size).map(([k]) => k));
  const follows = new Set<string>();
  for (let more = true; more; ) {
    more = false;
    for (const [k, y] of b) {
      const x = a.get(k);
      if (!x || follows.has(k) || !sameMembers(x, y) || !moved(x, y)) continue;
      if (![...y.holds].some((h) => grew.has(h) || follows.has(h))) continue;
      follows.add(k);
      more = true;
    }
  }
  return follows;
}
