// A whole BTF as one C header, as `bpftool btf dump file F format c` (libbpf's btf_dump.c, v1.1) writes
// it: the same design, written anew from its rules. Each type has an ordering state and an emit state;
// types are ordered depth-first so that what a definition embeds comes before it (a strong link), while
// what it only points to may come later behind a forward declaration (a weak link); names that repeat
// get `___2`, `___3` in the order they are first printed; structs get the padding members (`long: 64;`)
// and `__attribute__((packed))` their layout needs.
//
// Output is written piece by piece into one array (never nested strings), so its cost is linear in its
// size. BTF is input: a loop no C can spell (an anonymous struct reached from itself) or nesting past
// MAX_NESTING is written as a comment and reported in `problems`; output past a budget proportional to
// the BTF's size (a tree of shared anonymous types doubles at each level) is elided and reported too.
import type { Btf, BtfType } from './btf.js';

export interface BtfCDump {
  text: string;
  /** What could not be written as C (loops, nesting, the output budget), one line each; empty for real BTF. */
  problems: string[];
}

const MAX_NESTING = 256;
const PREFIX_MAX = 13;
const BUDGET_PER_ITEM = 64;
const BUDGET_MIN = 1 << 18;
/** Steps of ordering and emitting per item: libbpf revisits prototypes and anonymous types per path.
 * Debian 6.1 and 6.12 vmlinux BTF print identically with 2 steps and 16 characters per item (measured). */
const STEPS_PER_ITEM = 16;
const STEPS_MIN = 1 << 16;
const DEFINITION_BUDGET = 1 << 17;

const NOT = 0;
const BUSY = 1; // ORDERING / EMITTING
const DONE = 2; // ORDERED / EMITTED

type Struct = Extract<BtfType, { kind: 'struct' | 'union' }>;
type Enum = Extract<BtfType, { kind: 'enum' | 'enum64' }>;

const HEADER = `#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

`;
const FOOTER = `#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
`;

/**
 * Every type of `btf` (a split BTF: its own and its base's) as one C header, or only `roots` and the
 * types they need (bpftool's `root_id`).
 */
export function btfToC(btf: Btf, roots?: readonly number[]): BtfCDump {
  const d = new BtfDumper(btf);
  d.out.push(HEADER);
  if (roots) for (const id of roots) d.dumpType(id);
  else for (let id = 1; id < btf.count; id++) d.dumpType(id);
  d.out.push(FOOTER);
  return { text: d.out.join(''), problems: d.problems };
}

/**
 * One struct, union, enum or typedef as bpftool writes its definition (padding, packing, anonymous
 * members inline), without what it needs and without `___N` names; null for other kinds.
 */
export function btfDefinitionC(btf: Btf, id: number): string | null {
  return new BtfDumper(btf).definition(id);
}

function pfx(lvl: number): string {
  return '\t'.repeat(Math.min(lvl, PREFIX_MAX));
}

const roundup = (x: number, to: number) => Math.ceil(x / to) * to;

class BtfDumper {
  readonly out: string[] = [];
  readonly problems: string[] = [];
  private readonly n: number;
  private readonly order: Uint8Array;
  private readonly emit: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly names = new Map<number, string>();
  private readonly typeNames = new Map<string, number>();
  private readonly identNames = new Map<string, number>();
  private readonly aligns = new Map<number, number>();
  private readonly ptrSize: number;
  private queue: number[] = [];
  private nesting = 0;
  private budget: number;
  private steps: number;
  /** Anonymous structs and unions being written out: meeting one again inside itself is a loop. */
  private readonly inline = new Set<number>();

  constructor(private readonly btf: Btf) {
    this.n = btf.count;
    this.order = new Uint8Array(this.n);
    this.emit = new Uint8Array(this.n);
    this.fwdEmitted = new Uint8Array(this.n);
    this.referenced = new Uint8Array(this.n);
    let items = 0;
    for (let id = 1; id < this.n; id++) {
      const t = btf.get(id);
      items += 1;
      for (const ref of refsOf(t)) {
        if (ref < this.n) this.referenced[ref] = 1;
        items++;
      }
    }
    this.budget = Math.max(BUDGET_MIN, items * BUDGET_PER_ITEM);
    this.steps = Math.max(STEPS_MIN, items * STEPS_PER_ITEM);
    this.ptrSize = pointerSize(btf);
  }

  private p(s: string): void {
    this.out.push(s);
    this.budget -= s.length;
  }

  /** One step of the walk; false once the walk has spent its steps (a tree of shared types, not C). */
  private step(): boolean {
    if (--this.steps >= 0) return true;
    if (this.steps === -1) this.problem('walk budget spent: the types after this point are not written');
    return false;
  }

  private problem(what: string): void {
    if (this.problems.length < 100) this.problems.push(what);
  }

  definition(id: number): string | null {
    const t = this.btf.get(id);
    // One definition: the longest in Debian 6.1's vmlinux is 17 KB of C.
    this.budget = Math.min(this.budget, DEFINITION_BUDGET);
    if (t.kind === 'struct' || t.kind === 'union') this.structDef(id, t, 0);
    else if (t.kind === 'enum' || t.kind === 'enum64') this.enumDef(id, t, 0);
    else if (t.kind === 'typedef') this.typedefDef(id, t, 0);
    else return null;
    this.p(';');
    return this.out.join('');
  }

  dumpType(id: number): void {
    this.queue = [];
    this.nesting = 0;
    if (this.orderType(id, false) < 0) return;
    for (const q of this.queue) this.emitType(q, 0);
  }

  // ---- ordering (strong links first, weak ones behind forward declarations) ----

  private orderType(id: number, throughPtr: boolean): number {
    if (this.order[id] === DONE) return 1;
    if (!this.step()) return -1;
    const t = this.btf.get(id);
    if (this.order[id] === BUSY) {
      if ((t.kind === 'struct' || t.kind === 'union') && throughPtr && t.name) return 0;
      this.problem(`unsatisfiable type cycle, id:[${id}]`);
      return -1;
    }
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      this.problem(`types nest over ${MAX_NESTING} deep at id:[${id}]`);
      return -1;
    }
    try {
      return this.orderStep(id, t, throughPtr);
    } finally {
      this.nesting--;
    }
  }

  private orderStep(id: number, t: BtfType, throughPtr: boolean): number {
    switch (t.kind) {
      case 'void':
        return 0;
      case 'int':
      case 'float':
        this.order[id] = DONE;
        return 0;
      case 'ptr': {
        const r = this.orderType(t.type, true);
        this.order[id] = DONE;
        return r;
      }
      case 'array':
        return this.orderType(t.type, false);
      case 'struct':
      case 'union': {
        if (throughPtr && t.name) return 0;
        this.order[id] = BUSY;
        for (const m of t.members) if (this.orderType(m.type, false) < 0) return -1;
        if (t.name) this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      }
      case 'enum':
      case 'enum64':
      case 'fwd':
        if (t.name || !this.referenced[id]) this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      case 'typedef': {
        const strong = this.orderType(t.type, throughPtr);
        if (strong < 0) return strong;
        if (throughPtr && !strong) return 0;
        this.queue.push(id);
        this.order[id] = DONE;
        return 1;
      }
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        return this.orderType(t.type, throughPtr);
      case 'func_proto': {
        let r = this.orderType(t.type, throughPtr);
        if (r < 0) return r;
        let strong = r > 0;
        for (const p of t.params) {
          r = this.orderType(p.type, throughPtr);
          if (r < 0) return r;
          if (r > 0) strong = true;
        }
        return strong ? 1 : 0;
      }
      default:
        this.order[id] = DONE;
        return 0;
    }
  }

  // ---- emitting (forward declarations where a definition must wait) ----

  private emitType(id: number, contId: number): void {
    if (this.emit[id] === DONE) return;
    if (!this.step()) return;
    const t = this.btf.get(id);
    const topLevel = contId === 0;
    if (this.emit[id] === BUSY) {
      if (this.fwdEmitted[id]) return;
      if (t.kind === 'struct' || t.kind === 'union') {
        if (id === contId) return;
        if (!t.name) {
          this.problem(`anonymous struct/union loop, id:[${id}]`);
          return;
        }
        this.structFwd(id, t);
        this.p(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (t.kind === 'typedef') {
        if (!this.blacklisted(t)) {
          this.typedefDef(id, t, 0);
          this.p(';\n\n');
        }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      this.problem(`types nest over ${MAX_NESTING} deep at id:[${id}]`);
      return;
    }
    try {
      this.emitStep(id, t, contId, topLevel);
    } finally {
      this.nesting--;
    }
  }

  private emitStep(id: number, t: BtfType, contId: number, topLevel: boolean): void {
    switch (t.kind) {
      case 'int':
        this.missingAlias(id);
        this.emit[id] = DONE;
        return;
      case 'enum':
      case 'enum64':
        if (topLevel) {
          this.enumDef(id, t, 0);
          this.p(';\n\n');
        }
        this.emit[id] = DONE;
        return;
      case 'ptr':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'array':
        this.emitType(t.type, contId);
        return;
      case 'fwd':
        this.fwdDef(id, t);
        this.p(';\n\n');
        this.emit[id] = DONE;
        return;
      case 'typedef':
        this.emit[id] = BUSY;
        this.emitType(t.type, id);
        if (!this.fwdEmitted[id] && !this.blacklisted(t)) {
          this.typedefDef(id, t, 0);
          this.p(';\n\n');
        }
        this.emit[id] = DONE;
        return;
      case 'struct':
      case 'union':
        this.emit[id] = BUSY;
        if (topLevel || !t.name) {
          const cont = t.name ? id : contId;
          for (const m of t.members) this.emitType(m.type, cont);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.structFwd(id, t);
          this.p(';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.structDef(id, t, 0);
          this.p(';\n\n');
          this.emit[id] = DONE;
        } else this.emit[id] = NOT;
        return;
      case 'func_proto':
        this.emitType(t.type, contId);
        for (const p of t.params) this.emitType(p.type, contId);
        return;
      default:
        return;
    }
  }

  private blacklisted(t: BtfType): boolean {
    return t.name === '__builtin_va_list';
  }

  private missingAlias(id: number): void {
    const aliases: Record<string, string> = {
      __Poly8_t: 'unsigned char',
      __Poly16_t: 'unsigned short',
      __Poly64_t: 'unsigned long long',
      __Poly128_t: 'unsigned __int128',
    };
    const name = this.typeName(id);
    const alias = Object.hasOwn(aliases, name) ? aliases[name] : undefined;
    if (alias) this.p(`typedef ${alias} ${name};\n\n`);
  }

  // ---- names: a name printed again for another type gets ___N ----

  private resolveName(id: number, space: Map<string, number>): string {
    const t = this.btf.get(id);
    if (!t.name) return '';
    const cached = this.names.get(id);
    if (cached !== undefined) return cached;
    let name = t.name;
    if (!(t.kind === 'fwd' || (t.kind === 'enum' && t.values.length === 0))) {
      const dups = nameDups(space, t.name);
      if (dups > 1) name = `${t.name}___${dups}`;
    }
    this.names.set(id, name);
    return name;
  }

  private typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  private identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }

  // ---- layout: alignment, size, packing, padding ----

  private alignOf(id: number, depth = 0): number {
    const known = this.aligns.get(id);
    if (known !== undefined) return known;
    const t = this.btf.get(id);
    let a = 0;
    if (depth > MAX_NESTING) return 0;
    switch (t.kind) {
      case 'int':
      case 'enum':
      case 'enum64':
      case 'float':
        a = Math.min(this.ptrSize, t.size);
        break;
      case 'ptr':
        a = this.ptrSize;
        break;
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
      case 'array':
        a = this.alignOf(t.type, depth + 1);
        break;
      case 'struct':
      case 'union': {
        let max = 1;
        a = -1;
        for (const m of t.members) {
          const ma = this.alignOf(m.type, depth + 1);
          if (ma <= 0) {
            a = 0;
            break;
          }
          max = Math.max(max, ma);
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * ma) !== 0) {
            a = 1;
            break;
          }
        }
        if (a === -1) a = t.size % max !== 0 ? 1 : max;
        break;
      }
      default:
        a = 0;
    }
    this.aligns.set(id, a);
    return a;
  }

  private sizeOf(id: number): number {
    let cur = id;
    let mult = 1;
    for (let hops = 0; hops < MAX_NESTING; hops++) {
      const t = this.btf.get(cur);
      switch (t.kind) {
        case 'int':
        case 'enum':
        case 'enum64':
        case 'float':
        case 'struct':
        case 'union':
        case 'datasec':
          return mult * t.size;
        case 'ptr':
          return mult * this.ptrSize;
        case 'typedef':
        case 'volatile':
        case 'const':
        case 'restrict':
        case 'type_tag':
        case 'var':
          cur = t.type;
          break;
        case 'array':
          mult *= t.nelems;
          cur = t.type;
          break;
        default:
          return 0;
      }
    }
    return 0;
  }

  private isPacked(t: Struct): boolean {
    let max = 1;
    for (const m of t.members) {
      const a = this.alignOf(m.type);
      if (a && m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return true;
      max = Math.max(max, a);
    }
    return t.size % max !== 0;
  }

  private bitPadding(cur: number, next: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (cur >= next) return;
    const pads: [string, number][] = [
      ['long', this.ptrSize * 8],
      ['int', 32],
      ['short', 16],
      ['char', 8],
    ];
    let newOff = 0;
    let padBits = 0;
    let padType = '';
    for (const [name, bits] of pads) {
      padBits = bits;
      padType = name;
      newOff = roundup(cur, bits);
      if (newOff <= next) break;
    }
    if (newOff > cur && newOff <= next) {
      if (
        inBitfield ||
        (newOff === next && roundup(cur, nextAlign * 8) !== newOff) ||
        (newOff !== next && next - newOff <= newOff - cur)
      )
        this.p(`\n${pfx(lvl)}${padType}: ${inBitfield ? newOff - cur : 0};`);
      cur = newOff;
    }
    while (cur !== next) {
      // A struct of 4 GB is one line of BTF and half a billion lines of padding.
      if (this.budget <= 0) {
        this.problem(`output budget spent: padding of ${next - cur} bits elided`);
        this.p(`\n${pfx(lvl)}/* ${next - cur} bits of padding elided: output limit */`);
        return;
      }
      const bits = Math.min(next - cur, padBits);
      if (bits === padBits) {
        this.p(`\n${pfx(lvl)}${padType}: ${padBits};`);
        cur += bits;
        continue;
      }
      for (let i = pads.length - 1; i >= 0; i--) {
        const [name, size] = pads[i]!;
        if (size < bits) continue;
        this.p(`\n${pfx(lvl)}${name}: ${bits};`);
        cur += bits;
        break;
      }
    }
  }

  // ---- definitions ----

  private structFwd(id: number, t: Struct): void {
    this.p(`${t.kind}${t.name ? ' ' : ''}${this.typeName(id)}`);
  }

  private structDef(id: number, t: Struct, lvl: number): void {
    const isStruct = t.kind === 'struct';
    const align = this.alignOf(id);
    const packed = isStruct && this.isPacked(t);
    this.p(`${t.kind}${t.name ? ' ' : ''}${this.typeName(id)} {`);
    if (!t.name && this.budget <= 0) {
      this.problem(`output budget spent: anonymous ${t.kind} [${id}] elided`);
      this.p(`/* [${id}] elided: output limit */}`);
      return;
    }
    let off = 0;
    let prevBitfield = false;
    for (const m of t.members) {
      const size = m.bitfieldSize;
      const mAlign = packed ? 1 : this.alignOf(m.type);
      this.bitPadding(off, m.bitOffset, mAlign, prevBitfield && size !== 0, lvl + 1);
      this.p(`\n${pfx(lvl + 1)}`);
      this.typeDecl(m.type, m.name, lvl + 1);
      if (size) {
        this.p(`: ${size}`);
        off = m.bitOffset + size;
        prevBitfield = true;
      } else {
        off = m.bitOffset + Math.max(0, this.sizeOf(m.type)) * 8;
        prevBitfield = false;
      }
      this.p(';');
    }
    if (isStruct) this.bitPadding(off, t.size * 8, align, false, lvl + 1);
    if (t.members.length || t.size) this.p(`\n${pfx(lvl)}}`);
    else this.p('}');
    if (packed) this.p(' __attribute__((packed))');
  }

  private enumDef(id: number, t: Enum, lvl: number): void {
    this.p(`enum${t.name ? ' ' : ''}${this.typeName(id)}`);
    if (t.values.length === 0) return;
    this.p(' {');
    const wide = t.kind === 'enum64';
    for (const v of t.values) {
      const dups = nameDups(this.identNames, v.name);
      const name = dups > 1 ? `${v.name}___${dups}` : v.name;
      const value = wide
        ? t.signed
          ? `${BigInt.asIntN(64, v.value)}LL`
          : `${BigInt.asUintN(64, v.value)}ULL`
        : t.signed
          ? `${BigInt.asIntN(32, v.value)}`
          : `${BigInt.asUintN(32, v.value)}`;
      this.p(`\n${pfx(lvl + 1)}${name} = ${value},`);
    }
    // libbpf 1.2 adds mode(byte)/mode(word) for enums of unusual size; bookworm's libbpf 1.1 does not.
    this.p(`\n${pfx(lvl)}}`);
  }

  private fwdDef(id: number, t: Extract<BtfType, { kind: 'fwd' }>): void {
    this.p(`${t.union ? 'union' : 'struct'} ${this.typeName(id)}`);
  }

  private typedefDef(id: number, t: Extract<BtfType, { kind: 'typedef' }>, lvl: number): void {
    const name = this.identName(id);
    if (t.type === 0 && name === '__gnuc_va_list') {
      this.p('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.p('typedef ');
    this.typeDecl(t.type, name, lvl);
  }

  // ---- declarations: the chain of declarators down to a named or inline type, written outwards ----

  private typeDecl(id: number, fname: string, lvl: number): void {
    const decls: number[] = [];
    const seen = new Set<number>();
    let cur = id;
    for (;;) {
      if (seen.has(cur)) {
        this.problem(`declarator loop at id:[${cur}]`);
        this.p(`/* [${cur}] loops back to itself */ void ${fname}`);
        return;
      }
      seen.add(cur);
      decls.push(cur);
      if (cur === 0) break;
      const t = this.btf.get(cur);
      if (
        t.kind === 'ptr' ||
        t.kind === 'volatile' ||
        t.kind === 'const' ||
        t.kind === 'restrict' ||
        t.kind === 'func_proto' ||
        t.kind === 'type_tag' ||
        t.kind === 'array'
      )
        cur = t.type;
      else break;
    }
    if (++this.nesting > MAX_NESTING) {
      this.nesting--;
      this.problem(`declarations nest over ${MAX_NESTING} deep at id:[${id}]`);
      this.p(`/* [${id}] too deep */ void ${fname}`);
      return;
    }
    try {
      this.typeChain(decls, fname, lvl);
    } finally {
      this.nesting--;
    }
  }

  private mods(decls: number[]): void {
    while (decls.length) {
      const k = this.btf.get(decls[decls.length - 1]!).kind;
      if (k !== 'volatile' && k !== 'const' && k !== 'restrict') return;
      this.p(`${k} `);
      decls.pop();
    }
  }

  private dropMods(decls: number[]): void {
    while (decls.length) {
      const k = this.btf.get(decls[decls.length - 1]!).kind;
      if (k !== 'volatile' && k !== 'const' && k !== 'restrict' && k !== 'type_tag') return;
      decls.pop();
    }
  }

  private emitName(fname: string, lastWasPtr: boolean): void {
    this.p(fname && !lastWasPtr ? ` ${fname}` : fname);
  }

  private typeChain(decls: number[], fname: string, lvl: number): void {
    let lastWasPtr = true;
    while (decls.length) {
      const id = decls.pop()!;
      if (id === 0) {
        this.mods(decls);
        this.p('void');
        lastWasPtr = false;
        continue;
      }
      const t = this.btf.get(id);
      switch (t.kind) {
        case 'int':
        case 'float':
          this.mods(decls);
          this.p(t.name);
          break;
        case 'struct':
        case 'union':
          this.mods(decls);
          if (t.name) this.structFwd(id, t);
          else if (this.inline.has(id)) {
            this.problem(`anonymous ${t.kind} [${id}] contains itself`);
            this.p(`${t.kind} {/* [${id}] loops back to itself */}`);
          } else {
            this.inline.add(id);
            this.structDef(id, t, lvl);
            this.inline.delete(id);
          }
          break;
        case 'enum':
        case 'enum64':
          this.mods(decls);
          if (t.name) this.p(`enum ${this.typeName(id)}`);
          else this.enumDef(id, t, lvl);
          break;
        case 'fwd':
          this.mods(decls);
          this.fwdDef(id, t);
          break;
        case 'typedef':
          this.mods(decls);
          this.p(this.identName(id));
          break;
        case 'ptr':
          this.p(lastWasPtr ? '*' : ' *');
          break;
        case 'volatile':
        case 'const':
        case 'restrict':
          this.p(` ${t.kind}`);
          break;
        case 'type_tag':
          this.mods(decls);
          this.p(` __attribute__((btf_type_tag("${t.name}")))`);
          break;
        case 'array': {
          this.dropMods(decls);
          if (decls.length === 0) {
            this.emitName(fname, lastWasPtr);
            this.p(`[${t.nelems}]`);
            return;
          }
          const multidim = this.btf.get(decls[decls.length - 1]!).kind === 'array';
          if (fname && !lastWasPtr) this.p(' ');
          if (!multidim) this.p('(');
          this.typeChain(decls, fname, lvl);
          if (!multidim) this.p(')');
          this.p(`[${t.nelems}]`);
          return;
        }
        case 'func_proto': {
          this.dropMods(decls);
          if (decls.length) {
            this.p(' (');
            this.typeChain(decls, fname, lvl);
            this.p(')');
          } else this.emitName(fname, lastWasPtr);
          this.p('(');
          if (t.params.length === 0) {
            this.p('void)');
            return;
          }
          if (this.budget <= 0) {
            this.problem(`output budget spent: parameters of [${id}] elided`);
            this.p(`/* [${id}] parameters elided: output limit */)`);
            return;
          }
          t.params.forEach((param, i) => {
            if (i > 0) this.p(', ');
            this.typeDecl(param.type, param.name, lvl);
          });
          if (t.variadic) this.p(', ...');
          this.p(')');
          return;
        }
        default:
          this.problem(`unexpected type in decl chain, kind:${t.kind}, id:[${id}]`);
          return;
      }
      lastWasPtr = t.kind === 'ptr';
    }
    this.emitName(fname, lastWasPtr);
  }
}

/** How many times `name` has now been printed in this name space (this time included). */
function nameDups(space: Map<string, number>, name: string): number {
  const n = (space.get(name) ?? 0) + 1;
  space.set(name, n);
  return n;
}

function refsOf(t: BtfType): number[] {
  switch (t.kind) {
    case 'struct':
    case 'union':
      return t.members.map((m) => m.type);
    case 'func_proto':
      return t.params.map((p) => p.type);
    case 'datasec':
      return t.vars.map((v) => v.type);
    case 'array':
      return [t.type, t.indexType];
    case 'ptr':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'typedef':
    case 'func':
    case 'var':
    case 'decl_tag':
    case 'type_tag':
      return [t.type];
    default:
      return [];
  }
}

/** The size of `long` in this BTF (libbpf guesses it the same way), 8 if it has none. */
function pointerSize(btf: Btf): number {
  for (let id = 1; id < btf.count; id++) {
    const t = btf.get(id);
    if (
      t.kind === 'int' &&
      (t.name === 'long int' ||
        t.name === 'long unsigned int' ||
        t.name === 'long' ||
        t.name === 'unsigned long' ||
        t.name === 'unsigned int long')
    )
      return t.size;
  }
  return 8;
}
