// Writes BTF (include/uapi/linux/btf.h) from the model: for test inputs in either byte order, and for
// small fixtures cut out of a real kernel's BTF (btfSubset), which bpftool and the kernel can read.
import { BTF_KIND_NO, type Btf, type BtfType } from '../model/btf.js';

const LINKAGE = { static: 0, global: 1, extern: 2 } as const;
const ENCODING = { unsigned: 0, signed: 1, char: 2, bool: 4 } as const;

export interface EncodeBtfOptions {
  bigEndian?: boolean;
  /** For split BTF: the base's string section length; own names are offset past it (ids are as given). */
  stringBase?: number;
}

/** Encodes `types` as a base BTF: `types[0]` gets id 1. */
export function encodeBtf(types: readonly BtfType[], opts: EncodeBtfOptions = {}): Uint8Array {
  const le = !opts.bigEndian;
  const strings = new StringTable(opts.stringBase ?? 0);
  const words: number[] = [];
  const info = (kind: number, vlen: number, flag: boolean) => ((flag ? 1 : 0) << 31) | (kind << 24) | vlen;
  for (const t of types) {
    if (t.kind === 'void') throw new RangeError('void is id 0 and is not encoded');
    const kind = BTF_KIND_NO[t.kind];
    const name = strings.add(t.name);
    switch (t.kind) {
      case 'int':
        words.push(
          name,
          info(kind, 0, false),
          t.size,
          (ENCODING[t.encoding] << 24) | (t.bitOffset << 16) | t.bits,
        );
        break;
      case 'ptr':
      case 'typedef':
      case 'volatile':
      case 'const':
      case 'restrict':
      case 'type_tag':
        words.push(name, info(kind, 0, false), t.type);
        break;
      case 'array':
        words.push(name, info(kind, 0, false), 0, t.type, t.indexType, t.nelems);
        break;
      case 'struct':
      case 'union': {
        const bitfields = t.members.some((m) => m.bitfieldSize > 0);
        words.push(name, info(kind, t.members.length, bitfields), t.size);
        for (const m of t.members)
          words.push(
            strings.add(m.name),
            m.type,
            bitfields ? (m.bitfieldSize << 24) | m.bitOffset : m.bitOffset,
          );
        break;
      }
      case 'enum':
        words.push(name, info(kind, t.values.length, t.signed), t.size);
        for (const v of t.values) words.push(strings.add(v.name), Number(BigInt.asUintN(32, v.value)));
        break;
      case 'enum64':
        words.push(name, info(kind, t.values.length, t.signed), t.size);
        for (const v of t.values) {
          const u = BigInt.asUintN(64, v.value);
          words.push(strings.add(v.name), Number(u & 0xffffffffn), Number(u >> 32n));
        }
        break;
      case 'fwd':
        words.push(name, info(kind, 0, t.union), 0);
        break;
      case 'func':
        words.push(name, info(kind, LINKAGE[t.linkage], false), t.type);
        break;
      case 'func_proto':
        words.push(name, info(kind, t.params.length + (t.variadic ? 1 : 0), false), t.type);
        for (const p of t.params) words.push(strings.add(p.name), p.type);
        if (t.variadic) words.push(0, 0);
        break;
      case 'var':
        words.push(name, info(kind, 0, false), t.type, LINKAGE[t.linkage]);
        break;
      case 'datasec':
        words.push(name, info(kind, t.vars.length, false), t.size);
        for (const v of t.vars) words.push(v.type, v.offset, v.size);
        break;
      case 'float':
        words.push(name, info(kind, 0, false), t.size);
        break;
      case 'decl_tag':
        words.push(name, info(kind, 0, false), t.type, t.componentIdx >>> 0);
        break;
    }
  }
  const str = strings.bytes();
  const out = new Uint8Array(24 + words.length * 4 + str.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xeb9f, le);
  out[2] = 1;
  view.setUint32(4, 24, le);
  view.setUint32(8, 0, le);
  view.setUint32(12, words.length * 4, le);
  view.setUint32(16, words.length * 4, le);
  view.setUint32(20, str.length, le);
  for (let i = 0; i < words.length; i++) view.setUint32(24 + i * 4, words[i]! >>> 0, le);
  out.set(str, 24 + words.length * 4);
  return out;
}

class StringTable {
  private readonly offsets = new Map<string, number>([['', 0]]);
  private readonly parts: Buffer[] = [Buffer.from([0])];
  private length = 1;

  constructor(private readonly base: number) {}

  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const at = this.base + this.length;
    const b = Buffer.from(`${s}\0`, 'latin1');
    this.parts.push(b);
    this.length += b.length;
    this.offsets.set(s, at);
    return at;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/**
 * The types `roots` need, renumbered from 1: everything they contain by value, and the structs and unions
 * they point to down to `pointerDepth` pointers; deeper pointer targets become forward declarations,
 * as genksyms leaves a struct it only saw declared.
 */
export function btfSubset(btf: Btf, roots: readonly number[], pointerDepth = 2): BtfType[] {
  const depthOf = new Map<number, number>();
  const queue: [number, number][] = roots.map((r) => [r, 0]);
  const opaque = new Set<number>();
  while (queue.length) {
    const [id, depth] = queue.shift()!;
    if (id === 0) continue;
    const seen = depthOf.get(id);
    if (seen !== undefined && seen <= depth) continue;
    depthOf.set(id, depth);
    const t = btf.get(id);
    const aggregate = (t.kind === 'struct' || t.kind === 'union') && t.name !== '';
    if (aggregate && depth > pointerDepth) {
      opaque.add(id);
      continue;
    }
    opaque.delete(id);
    const next = (ref: number, d = depth) => queue.push([ref, d]);
    switch (t.kind) {
      case 'ptr':
        next(t.type, depth + 1);
        break;
      case 'array':
        next(t.type);
        next(t.indexType);
        break;
      case 'struct':
      case 'union':
        for (const m of t.members) next(m.type);
        break;
      case 'func_proto':
        next(t.type);
        for (const p of t.params) next(p.type);
        break;
      case 'datasec':
        for (const v of t.vars) next(v.type);
        break;
      default:
        if ('type' in t) next(t.type);
    }
  }
  const ids = [...depthOf.keys()].sort((a, b) => a - b);
  const remap = new Map<number, number>([[0, 0]]);
  ids.forEach((id, i) => {
    remap.set(id, i + 1);
  });
  const r = (id: number) => remap.get(id)!;
  return ids.map((id): BtfType => {
    const t = btf.get(id);
    if (opaque.has(id) && (t.kind === 'struct' || t.kind === 'union'))
      return { kind: 'fwd', name: t.name, union: t.kind === 'union' };
    switch (t.kind) {
      case 'array':
        return { ...t, type: r(t.type), indexType: r(t.indexType) };
      case 'struct':
      case 'union':
        return { ...t, members: t.members.map((m) => ({ ...m, type: r(m.type) })) };
      case 'func_proto':
        return { ...t, type: r(t.type), params: t.params.map((p) => ({ ...p, type: r(p.type) })) };
      case 'datasec':
        return { ...t, vars: t.vars.map((v) => ({ ...v, type: r(v.type) })) };
      default:
        return 'type' in t ? ({ ...t, type: r(t.type) } as BtfType) : t;
    }
  });
}
