// Encodes BTF blobs (include/uapi/linux/btf.h) from the model's BtfType records, for tests of inputs the
// real kernels do not cover: decl tags, bad ids, big-endian, split BTF.
//
//   const bytes = buildBtf([
//     { kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 },   // id 1
//     { kind: 'func_proto', name: '', type: 1, params: [], variadic: false },              // id 2
//     { kind: 'func', name: 'f', type: 2, linkage: 'global' },                              // id 3
//   ]);
//
// Ids follow the list: the first record is id 1 (or, for split BTF, the base's type count). A split BTF
// takes the base blob it continues: `buildBtf(moduleTypes, { base: vmlinuxBytes })`.
import type { BtfType } from '../../src/model/btf.js';

export type BtfRecord = Exclude<BtfType, { kind: 'void' }>;

export interface BuildBtfOptions {
  /** Default true. */
  littleEndian?: boolean;
  /** The base blob (built here) that this split BTF continues. */
  base?: Uint8Array;
}

const KIND: Record<BtfRecord['kind'], number> = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
};
const LINKAGE = { static: 0, global: 1, extern: 2 } as const;
const INT_ENCODING = { unsigned: 0, signed: 1, char: 2, bool: 4 } as const;

export function buildBtf(types: BtfRecord[], opts: BuildBtfOptions = {}): Uint8Array {
  const le = opts.littleEndian ?? true;
  const strBase = opts.base ? header(opts.base).strLen : 0;
  const strings = new Strings(strBase);
  const words: number[] = [];
  for (const t of types) encode(t, words, strings);
  const strBytes = strings.bytes();
  const typeLen = words.length * 4;
  const out = new Uint8Array(24 + typeLen + strBytes.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, le);
  out[2] = 1; // version
  v.setUint32(4, 24, le); // hdr_len
  v.setUint32(8, 0, le); // type_off
  v.setUint32(12, typeLen, le);
  v.setUint32(16, typeLen, le); // str_off
  v.setUint32(20, strBytes.length, le);
  for (const [i, w] of words.entries()) v.setUint32(24 + i * 4, w >>> 0, le);
  out.set(strBytes, 24 + typeLen);
  return out;
}

function header(blob: Uint8Array): { strLen: number } {
  const le = blob[0] === 0x9f;
  return { strLen: new DataView(blob.buffer, blob.byteOffset).getUint32(20, le) };
}

class Strings {
  private readonly offsets = new Map<string, number>();
  private readonly parts: Buffer[] = [];
  private length = 0;

  constructor(private readonly base: number) {
    // A base BTF's string section starts with ""; a split BTF's "" is the base's offset 0.
    if (base === 0) this.add('');
    else this.offsets.set('', 0);
  }

  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const off = this.base + this.length;
    const b = Buffer.from(`${s}\0`, 'latin1');
    this.parts.push(b);
    this.length += b.length;
    this.offsets.set(s, off);
    return off;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

function info(kind: number, vlen: number, kindFlag = false): number {
  return ((kindFlag ? 1 : 0) << 31) | (kind << 24) | (vlen & 0xffff);
}

function encode(t: BtfRecord, w: number[], s: Strings): void {
  const name = s.add(t.name);
  const k = KIND[t.kind];
  switch (t.kind) {
    case 'int':
      w.push(name, info(k, 0), t.size, (INT_ENCODING[t.encoding] << 24) | (t.bitOffset << 16) | t.bits);
      return;
    case 'ptr':
    case 'typedef':
    case 'volatile':
    case 'const':
    case 'restrict':
    case 'type_tag':
      w.push(name, info(k, 0), t.type);
      return;
    case 'array':
      w.push(name, info(k, 0), 0, t.type, t.indexType, t.nelems);
      return;
    case 'struct':
    case 'union': {
      const bitfields = t.members.some((m) => m.bitfieldSize !== 0);
      w.push(name, info(k, t.members.length, bitfields), t.size);
      for (const m of t.members)
        w.push(s.add(m.name), m.type, bitfields ? (m.bitfieldSize << 24) | m.bitOffset : m.bitOffset);
      return;
    }
    case 'enum':
    case 'enum64':
      w.push(name, info(k, t.values.length, t.signed), t.size);
      for (const e of t.values) {
        const v = BigInt.asUintN(64, e.value);
        if (t.kind === 'enum') w.push(s.add(e.name), Number(v & 0xffffffffn));
        else w.push(s.add(e.name), Number(v & 0xffffffffn), Number(v >> 32n));
      }
      return;
    case 'fwd':
      w.push(name, info(k, 0, t.union), 0);
      return;
    case 'func':
      w.push(name, info(k, LINKAGE[t.linkage]), t.type);
      return;
    case 'func_proto':
      w.push(name, info(k, t.params.length + (t.variadic ? 1 : 0)), t.type);
      for (const p of t.params) w.push(s.add(p.name), p.type);
      if (t.variadic) w.push(0, 0);
      return;
    case 'var':
      w.push(name, info(k, 0), t.type, LINKAGE[t.linkage]);
      return;
    case 'datasec':
      w.push(name, info(k, t.vars.length), t.size);
      for (const v of t.vars) w.push(v.type, v.offset, v.size);
      return;
    case 'float':
      w.push(name, info(k, 0), t.size);
      return;
    case 'decl_tag':
      w.push(name, info(k, 0), t.type, t.componentIdx);
      return;
  }
}
