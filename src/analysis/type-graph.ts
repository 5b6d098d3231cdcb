// The named types of one kernel as a graph for comparison: each named type (`struct device`,
// `typedef gfp_t`, `enum pid_type`) and each exported declaration (`func kmalloc_trace`) becomes a node
// with its shallow definition written as facts (size, members with offsets and C types, enum values,
// prototype), where other named types appear by name only, and edges to the named types it mentions.
// Two kernels' graphs are compared by key, so BTF ids (which differ between builds) never matter.
//
// Types with the same key (BTF keeps distinct definitions of a name apart) are merged: their facts are
// concatenated in a stable order, so a change to any of them shows.
//
// A kernel's graph holds what its declarations reach: vmlinux's named types enter when reached
// (`kernelKey`), each with every definition vmlinux has of its name, as when every one was added first.
//
// The facts are text, so the functions that read them back (`memberFacts`, `embeddedMembers`) live here
// beside the code that writes them.
import { ArtifactFormatError } from '../errors.js';
import type { Btf, BtfType } from '../model/btf.js';
import { cTypeName } from '../model/btf-c.js';

export interface TypeNode {
  key: string;
  /** Shallow definition, one fact a line: `size 744`, `member kobj @0: struct kobject`, `value A = 1`. */
  facts: string[];
  /** Keys of the named types the definition mentions (through pointers, arrays, prototypes). */
  refs: Set<string>;
}

export interface TypeGraph {
  nodes: Map<string, TypeNode>;
}

const TAGGED = new Set(['struct', 'union', 'enum', 'enum64', 'fwd', 'typedef']);

/** `struct device`, `union foo`, `enum bar`, `typedef u32`; null for anonymous and unnamed kinds. */
export function typeKey(t: BtfType): string | null {
  if (!t.name) return null;
  switch (t.kind) {
    case 'struct':
    case 'union':
    case 'typedef':
      return `${t.kind} ${t.name}`;
    case 'enum':
    case 'enum64':
      return `enum ${t.name}`;
    case 'fwd':
      return `${t.union ? 'union' : 'struct'} ${t.name}`;
    case 'func':
      return `func ${t.name}`;
    case 'var':
      return `var ${t.name}`;
    default:
      return null;
  }
}

// BTF is input: anonymous types may loop or be shared in a tree that doubles at every level. Flattening
// and reference collection therefore spend from a budget per BTF and builder proportional to the BTF's
// size (its types, members and parameters): Debian 6.1's vmlinux, every type and function added, spends
// 1.8 steps per item of the 16 allowed; a BTF that overspends is refused with a typed error.
const STEPS_PER_ITEM = 16;
const STEPS_MIN = 1 << 12;
const MAX_NESTING = 64;

interface Walk {
  btf: Btf;
  steps: { left: number };
  /** typeText of each id met: members and parameters name the same few thousand types again and again. */
  texts: Map<number, string>;
  /**
   * The base's texts, for ids below `btf.firstId`: a base type is written the same from any split BTF
   * on it, so hundreds of exporting modules share vmlinux's `struct device *` instead of each making it.
   */
  baseTexts: Map<number, string> | null;
}

export class TypeGraphBuilder {
  readonly nodes = new Map<string, TypeNode>();

  /**
   * `kernel`: vmlinux's BTF, whose named types enter the graph when something reaches them (kernelKey),
   * as if all of them had been added first (addTypes): a graph of every named type of a 6.1 vmlinux was
   * 11,700 nodes, and the 452 exports of the bundled corpus reach 2,700 of them.
   */
  constructor(private readonly kernel: Btf | null = null) {}
  /** The ids described, by their BTF's source (as `source#id` was: one string per type cost more). */
  private readonly done = new Map<string, Set<number>>();
  private readonly walks = new Map<Btf, Walk>();

  private walkOf(btf: Btf): Walk {
    let walk = this.walks.get(btf);
    if (!walk) {
      let items = 0;
      for (let cur: Btf | null = btf; cur; cur = cur.base) items += ownItems(cur);
      walk = {
        btf,
        steps: { left: Math.max(STEPS_MIN, items * STEPS_PER_ITEM) },
        texts: new Map(),
        baseTexts: btf.base ? this.walkOf(btf.base).texts : null,
      };
      this.walks.set(btf, walk);
    }
    return walk;
  }

  /** Adds every named type of `btf`'s own types (not its base's: add the base first). */
  addTypes(btf: Btf): void {
    for (let id = btf.firstId; id < btf.count; id++) {
      // A BTF decoded on demand decodes only these (a kernel's functions and prototypes wait for a closure).
      if (!TAGGED.has(btf.kindOf(id))) continue;
      const t = btf.get(id);
      if (!t.name) continue;
      this.add(btf, id);
    }
  }

  /** Adds the declaration of a function or variable by id. */
  add(btf: Btf, id: number): string | null {
    const t = btf.get(id);
    const key = typeKey(t);
    if (key === null) return null;
    // Forward declarations say nothing a definition would not; a definition replaces them.
    if (t.kind === 'fwd') {
      if (!this.nodes.has(key)) this.nodes.set(key, { key, facts: [], refs: new Set() });
      return key;
    }
    let seen = this.done.get(btf.source);
    if (!seen) {
      seen = new Set();
      this.done.set(btf.source, seen);
    }
    if (seen.has(id)) return key;
    seen.add(id);
    const facts: string[] = [];
    const refs = new Set<string>();
    describe(this.walkOf(btf), t, facts, refs);
    const node = this.nodes.get(key);
    if (!node || node.facts.length === 0) this.nodes.set(key, { key, facts, refs });
    else if (node.facts.join('\n') !== facts.join('\n')) {
      // A second, different definition under the same name: keep both, in a stable order.
      const both = [node.facts, facts].sort((a, b) => (a.join('\n') < b.join('\n') ? -1 : 1));
      node.facts = [...both[0]!, '--', ...both[1]!];
      for (const r of refs) node.refs.add(r);
    }
    return key;
  }

  /**
   * Adds a declaration and, from the same BTF, every named type it reaches that the graph lacks: how a
   * module's own types (absent from vmlinux) enter the graph without reading all of them. vmlinux's
   * definition of a name comes first, as when all of vmlinux's types were in the graph before.
   */
  addClosure(btf: Btf, id: number): string | null {
    const first = this.add(btf, id);
    const stack = first ? [first] : [];
    const visited = new Set<string>(stack);
    while (stack.length) {
      const node = this.nodes.get(stack.pop()!);
      for (const ref of node?.refs ?? []) {
        if (visited.has(ref)) continue;
        visited.add(ref);
        if (this.nodes.get(ref)?.facts.length) continue;
        // vmlinux's definition first; from vmlinux's own types, vmlinux's only.
        if (this.kernelKey(ref) || btf === this.kernel) continue;
        const found = findKey(btf, ref);
        if (found !== undefined && this.add(btf, found)) stack.push(ref);
      }
    }
    return first;
  }

  /** The keys kernelKey has looked up in vmlinux: each once. */
  private readonly kernelKeys = new Set<string>();

  /**
   * Adds vmlinux's definitions of `key` (every one, in id order, merged as addTypes merges them) and of
   * each named type they reach; whether the graph now defines `key`. A name vmlinux only declares (fwd)
   * is an empty node, which a module's definition may fill (addClosure). Iterative: the graph is deep.
   */
  kernelKey(key: string): boolean {
    const btf = this.kernel;
    const todo = [key];
    while (btf !== null && todo.length) {
      const k = todo.pop()!;
      if (this.kernelKeys.has(k)) continue;
      this.kernelKeys.add(k);
      const name = k.slice(k.indexOf(' ') + 1);
      const ids = btf.named(name, 'tagged').filter((id) => typeKey(btf.get(id)) === k);
      for (const id of ids.sort((a, b) => a - b)) this.add(btf, id);
      const node = this.nodes.get(k);
      if (!node?.facts.length) continue;
      for (const r of node.refs)
        if (!this.kernelKeys.has(r) && !this.nodes.get(r)?.facts.length) todo.push(r);
    }
    return (this.nodes.get(key)?.facts.length ?? 0) > 0;
  }

  build(): TypeGraph {
    return { nodes: this.nodes };
  }
}

// A BTF's own items, counted once: every module's split BTF shares vmlinux's as its base, and counting
// vmlinux's 130,000 types again for each of hundreds of exporting modules was most of a digest's time.
const itemCounts = new WeakMap<Btf, number>();

function ownItems(btf: Btf): number {
  let items = itemCounts.get(btf);
  if (items === undefined) {
    items = btf.ownItems;
    itemCounts.set(btf, items);
  }
  return items;
}

function spend(w: Walk, n: number): void {
  w.steps.left -= n;
  if (w.steps.left < 0)
    throw new ArtifactFormatError(
      "anonymous types expand beyond any real kernel's (a loop, or a tree of shared anonymous types): refusing to walk further",
      { source: w.btf.source },
    );
}

function describe(w: Walk, t: BtfType, facts: string[], refs: Set<string>): void {
  const btf = w.btf;
  switch (t.kind) {
    case 'struct':
    case 'union':
      facts.push(`size ${t.size}`);
      members(w, t, '', 0, facts, refs, new Set());
      return;
    case 'enum':
    case 'enum64':
      facts.push(`size ${t.size}`);
      for (const v of t.values) facts.push(flat('value ', v.name, ' = ', v.value));
      return;
    case 'typedef': {
      const target = btf.get(t.type);
      if ((target.kind === 'struct' || target.kind === 'union') && !target.name) {
        facts.push(`= ${target.kind}`, `size ${target.size}`);
        members(w, target, '', 0, facts, refs, new Set([t.type]));
        return;
      }
      facts.push(flat('= ', typeText(w, t.type)));
      collectRefs(w, t.type, refs);
      return;
    }
    case 'func': {
      const proto = btf.get(t.type);
      if (proto.kind !== 'func_proto') return;
      facts.push(flat('returns ', typeText(w, proto.type)));
      for (const [i, p] of proto.params.entries()) facts.push(flat('param ', i, ': ', typeText(w, p.type)));
      if (proto.variadic) facts.push('param ...');
      collectRefs(w, t.type, refs);
      return;
    }
    case 'var':
      facts.push(flat('type ', typeText(w, t.type)));
      collectRefs(w, t.type, refs);
      return;
  }
}

/** Members, with anonymous struct/union members flattened into dotted paths and absolute offsets. */
function members(
  w: Walk,
  t: Extract<BtfType, { kind: 'struct' | 'union' }>,
  prefix: string,
  base: number,
  facts: string[],
  refs: Set<string>,
  /** The anonymous types being flattened on this path: one met again holds itself. */
  path: Set<number>,
): void {
  const btf = w.btf;
  spend(w, t.members.length);
  let anon = 0;
  for (const m of t.members) {
    const name = m.name || `(anon${anon++ ? anon : ''})`;
    const at = base + m.bitOffset;
    const id = stripQualifiers(btf, m.type);
    const target = btf.get(id);
    if ((target.kind === 'struct' || target.kind === 'union') && !target.name) {
      facts.push(flat('member ', prefix, name, ' @', at, ': ', target.kind, ' size ', target.size));
      if (path.has(id) || path.size >= MAX_NESTING)
        throw new ArtifactFormatError(
          `anonymous ${target.kind} [${id}] holds itself, or nests over ${MAX_NESTING} deep, at ${prefix}${name}`,
          { source: btf.source },
        );
      path.add(id);
      members(w, target, `${prefix}${name}.`, at, facts, refs, path);
      path.delete(id);
      continue;
    }
    const bits = m.bitfieldSize ? `:${m.bitfieldSize}` : '';
    facts.push(flat('member ', prefix, name, ' @', at, bits, ': ', typeText(w, m.type)));
    collectRefs(w, m.type, refs);
  }
}

function stripQualifiers(btf: Btf, id: number): number {
  let cur = id;
  for (let i = 0; i < 16; i++) {
    const t = btf.get(cur);
    if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') break;
    cur = t.type;
  }
  return cur;
}

/** A type as one line of C (anonymous bodies squeezed onto the line); the same for an id each time. */
function typeText(w: Walk, id: number): string {
  const texts = id < w.btf.firstId && w.baseTexts ? w.baseTexts : w.texts;
  let text = texts.get(id);
  if (text === undefined) {
    text = cTypeName(w.btf, id);
    // Most names are one line: the regular expression only for those that are not.
    if (text.includes('\n')) text = text.replace(/\s*\n\s*/g, ' ');
    texts.set(id, text);
  }
  return text;
}

/** The named types `id` mentions, through pointers, arrays, prototypes and anonymous types: each unnamed
 * type visited once (iterative: a hostile chain is as long as the type section). */
function collectRefs(w: Walk, id: number, refs: Set<string>): void {
  const seen = new Set<number>();
  const todo = [id];
  while (todo.length) {
    const cur = todo.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const t = w.btf.get(cur);
    const key = typeKey(t);
    if (key !== null && t.kind !== 'func' && t.kind !== 'var') {
      refs.add(key);
      continue;
    }
    switch (t.kind) {
      case 'ptr':
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag':
      case 'array':
        todo.push(t.type);
        break;
      case 'func_proto':
        spend(w, t.params.length);
        // Pushed in reverse: popped in the order the declaration names them, as paths are chosen by it.
        for (let i = t.params.length - 1; i >= 0; i--) todo.push(t.params[i]!.type);
        todo.push(t.type);
        break;
      case 'struct':
      case 'union':
        spend(w, t.members.length);
        for (let i = t.members.length - 1; i >= 0; i--) todo.push(t.members[i]!.type);
        break;
    }
    spend(w, 1);
  }
}

/**
 * The parts joined into one flat string. A template literal makes a chain of cons strings (one object
 * per part, then a flat copy when JSON.stringify reads it); a digest keeps ~240,000 facts alive to its
 * end, so every collection copied those chains: joined, a fact is one string.
 */
function flat(...parts: (string | number | bigint)[]): string {
  return parts.join('');
}

const MEMBER = /^member (\S+) @(\d+)(?::\d+)?: (.*)$/;
const BY_VALUE = /^(?:(struct|union|enum) )?(\w+)(?:\[\d+\])*$/;

/** A node's `member` facts read back: name, bit offset and C type (bitfield widths dropped). */
export function memberFacts(facts: readonly string[]): { member: string; offset: number; type: string }[] {
  const out = [];
  for (const fact of facts) {
    const m = MEMBER.exec(fact);
    if (m) out.push({ member: m[1]!, offset: Number(m[2]), type: m[3]! });
  }
  return out;
}

/** The members that hold a named type by value (not through a pointer), with that type's key. */
export function embeddedMembers(facts: readonly string[]): { member: string; offset: number; key: string }[] {
  const out = [];
  for (const { member, offset, type } of memberFacts(facts)) {
    const v = BY_VALUE.exec(type);
    if (v) out.push({ member, offset, key: v[1] ? `${v[1]} ${v[2]}` : `typedef ${v[2]}` });
  }
  return out;
}

/** The named types a type's members hold by value. */
export function embeddedTypes(facts: readonly string[]): string[] {
  return embeddedMembers(facts).map((e) => e.key);
}

/** The id of the type `key` names in `btf` (its own types first), preferring a definition to a fwd. */
function findKey(btf: Btf, key: string): number | undefined {
  const space = key.indexOf(' ');
  const tag = key.slice(0, space);
  const name = key.slice(space + 1);
  let fwd: number | undefined;
  for (const id of btf.named(name, 'tagged')) {
    const t = btf.get(id);
    if (t.kind === 'fwd') {
      if ((t.union ? 'union' : 'struct') === tag) fwd ??= id;
      continue;
    }
    if (typeKey(t) === key) return id;
  }
  return fwd;
}
