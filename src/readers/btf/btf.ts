// The raw BTF blob (include/uapi/linux/btf.h), as found in a .BTF section or /sys/kernel/btf/*:
//
//   header   u16 magic 0xeB9F (its byte order is the blob's), u8 version 1, u8 flags, u32 hdr_len,
//            u32 type_off, u32 type_len, u32 str_off, u32 str_len (offsets from the end of the header)
//   types    records of struct btf_type {u32 name_off; u32 info; u32 size_or_type} + kind-specific data
//            info: vlen bits 0-15, kind bits 24-28, kind_flag bit 31
//   strings  NUL-terminated; offset 0 is ""; split BTF's offsets continue after its base's strings
//
// Every offset, count and type reference is checked against the blob before use; a bad blob gets an
// ArtifactFormatError naming the file, the byte offset and the type id. Hand-written: no BTF parser on npm.
import { ArtifactFormatError } from '../../errors.js';
import {
  BTF_KIND_NO,
  BTF_MODIFIERS,
  Btf,
  type BtfEnumValue,
  type BtfIntEncoding,
  type BtfKind,
  type BtfLinkage,
  type BtfMember,
  type BtfType,
  type BtfTypeTable,
  nameHash,
  nameHashOfBytes,
} from '../../model/btf.js';

export const BTF_MAGIC = 0xeb9f;
const HEADER_MIN = 24;

/** A kind's number, by name ('void' is 0, as BTF writes void). */
const KIND: Record<BtfKind, number> = { ...BTF_KIND_NO, void: 0 };
/** Each kind's name by its number; 'unknown' for 0, which no record may have. */
const KIND_NAMES: readonly (Exclude<BtfKind, 'void'> | 'unknown')[] = Object.entries(BTF_KIND_NO).reduce(
  (names, [k, v]) => {
    names[v] = k as Exclude<BtfKind, 'void'>;
    return names;
  },
  ['unknown'] as (Exclude<BtfKind, 'void'> | 'unknown')[],
);
const MODIFIER_KINDS = new Set([...BTF_MODIFIERS].map((k) => KIND[k]));
const LINKAGE: readonly BtfLinkage[] = ['static', 'global', 'extern'];

export interface ReadBtfOptions {
  source: string;
  /** The kernel's BTF when this is a module's split BTF. */
  base?: Btf;
  /** Where the blob sits in its file, so errors give file offsets. */
  fileOffset?: number;
  /** Section name for errors (default `.BTF`). */
  section?: string;
  /**
   * Decode each type when it is first asked for (every type is still checked now): a module's split BTF,
   * of which an explanation or a type digest reads the few types its exports reach.
   */
  lazy?: boolean;
}

export function isBtf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 2 &&
    ((bytes[0] === 0x9f && bytes[1] === 0xeb) || (bytes[0] === 0xeb && bytes[1] === 0x9f))
  );
}

export function readBtf(bytes: Uint8Array, opts: ReadBtfOptions): Btf {
  return new BtfParser(bytes, opts).parse();
}

class BtfParser {
  private readonly view: DataView;
  private readonly le: boolean;
  private readonly base: Btf | null;
  private readonly baseStrLen: number;
  private strStart = 0;
  private strLen = 0;
  /** The string section decoded once: a name is a slice of it, not a decode call of its own. */
  private strings = '';
  private readonly strCache = new Map<number, string>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly opts: ReadBtfOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.base = opts.base ?? null;
    this.baseStrLen = opts.base ? strLenOf(opts.base) : 0;
    if (bytes.length < HEADER_MIN)
      throw this.error(`${bytes.length} bytes: too short for a BTF header (24)`, 0);
    if (bytes[0] === 0x9f && bytes[1] === 0xeb) this.le = true;
    else if (bytes[0] === 0xeb && bytes[1] === 0x9f) this.le = false;
    else throw this.error(`bad magic ${hex2(bytes[0]!, bytes[1]!)}: expected 0xeb9f`, 0);
  }

  private error(reason: string, offset: number): ArtifactFormatError {
    return new ArtifactFormatError(reason, {
      source: this.opts.source,
      offset: (this.opts.fileOffset ?? 0) + offset,
      section: this.opts.section ?? '.BTF',
    });
  }

  private u32(off: number): number {
    return this.view.getUint32(off, this.le);
  }

  parse(): Btf {
    const version = this.bytes[2];
    if (version !== 1) throw this.error(`BTF version ${version}: only version 1 exists`, 2);
    const hdrLen = this.u32(4);
    if (hdrLen < HEADER_MIN || hdrLen > this.bytes.length)
      throw this.error(
        `hdr_len ${hdrLen}: expected 24 or more, within the ${this.bytes.length}-byte blob`,
        4,
      );
    const typeOff = this.u32(8);
    const typeLen = this.u32(12);
    const strOff = this.u32(16);
    const strLen = this.u32(20);
    this.checkSpan(hdrLen + typeOff, typeLen, 'type section', 8);
    this.checkSpan(hdrLen + strOff, strLen, 'string section', 16);
    if (typeLen % 4 !== 0) throw this.error(`type_len ${typeLen} is not a multiple of 4`, 12);
    this.strStart = hdrLen + strOff;
    this.strLen = strLen;
    if (strLen > 0 && this.bytes[this.strStart + strLen - 1] !== 0)
      throw this.error('string section does not end with NUL', this.strStart + strLen - 1);
    if (this.base === null && (strLen === 0 || this.bytes[this.strStart] !== 0))
      throw this.error('string section must start with the empty string', this.strStart);
    this.strings = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.strStart, strLen).toString(
      'latin1',
    );

    const firstId = this.base ? this.base.count : 1;
    // Every record is checked here without being decoded; a type is decoded when asked for (lazy) or
    // all at once, after the checks.
    const offsets: number[] = [];
    let off = hdrLen + typeOff;
    const end = off + typeLen;
    while (off < end) {
      offsets.push(off);
      off = this.checkType(off, end, firstId + offsets.length - 1);
    }
    const table = new DecodedTypes(this, offsets, this.items);
    const own = new Btf(
      this.opts.lazy ? table : offsets.map((o) => this.decode(o)),
      firstId,
      this.base,
      this.opts.source,
    );
    this.checkReferences(own, offsets);
    // Modules read on top of this BTF resolve low string offsets here (keeps only the string bytes).
    stringSpaces.set(own, { length: this.baseStrLen + strLen, lookup: (o) => this.str(o, 0) });
    return own;
  }

  private checkSpan(start: number, len: number, what: string, field: number): void {
    if (start + len > this.bytes.length)
      throw this.error(
        `${what} (${len} bytes at ${start}) runs past the end of the ${this.bytes.length}-byte blob: truncated or corrupt`,
        field,
      );
  }

  private str(off: number, at: number): string {
    if (off < this.baseStrLen) {
      if (!this.base) return '';
      return baseString(this.base, off);
    }
    const rel = off - this.baseStrLen;
    const cached = this.strCache.get(rel);
    if (cached !== undefined) return cached;
    if (rel >= this.strLen) throw this.error(`name offset ${off} lies outside the string section`, at);
    const s = this.strings.slice(rel, this.strings.indexOf('\0', rel));
    this.strCache.set(rel, s);
    return s;
  }

  /** Throws as `str` would for a name offset outside the string section, without making the string. */
  private checkName(off: number, at: number): void {
    if (off >= this.baseStrLen && off - this.baseStrLen >= this.strLen)
      throw this.error(`name offset ${off} lies outside the string section`, at);
  }

  /** The kind of the record at `off` (checked). */
  kindOf(off: number): BtfKind {
    return KIND_NAMES[(this.u32(off + 4) >>> 24) & 0x1f] as BtfKind;
  }

  /** The name of the record at `off` (checked). */
  nameOf(off: number): string {
    return this.str(this.u32(off), off);
  }

  /** nameHash of the record's name, read from the string section's bytes (-1: no name). */
  nameHashOf(off: number): number {
    const nameOff = this.u32(off);
    if (nameOff < this.baseStrLen) {
      const s = this.str(nameOff, off);
      return s === '' ? -1 : nameHash(s);
    }
    // checkType saw the name start inside the section, which ends with a NUL.
    return nameHashOfBytes(this.bytes, this.strStart + nameOff - this.baseStrLen);
  }

  /** Items counted by checkType: one per type, plus members and parameters (a walk's budget). */
  private items = 0;

  /**
   * Checks the record at `off` (what decode will read lies in the type section, every name in the
   * string section, its kind and linkage are known), counts its items, returns the next record's offset.
   */
  private checkType(off: number, end: number, id: number): number {
    if (off + 12 > end) throw this.error(`type ${id}: record header runs past the type section`, off);
    const nameOff = this.u32(off);
    this.checkName(nameOff, off);
    const info = this.u32(off + 4);
    const vlen = info & 0xffff;
    const kindNo = (info >>> 24) & 0x1f;
    if (kindNo === 0 || kindNo >= KIND_NAMES.length)
      throw this.error(`type ${id}: unknown kind ${kindNo} (known: 1-19)`, off + 4);
    const data = off + 12;
    // Numbers, not the kind's name, and no closure: this runs for each of vmlinux's 100,000 types, mostly
    // before the JIT has compiled it.
    let size = 0;
    switch (kindNo) {
      case KIND.int:
      case KIND.var:
      case KIND.decl_tag:
        size = 4;
        break;
      case KIND.array:
        size = 12;
        break;
      case KIND.struct:
      case KIND.union:
      case KIND.enum64:
      case KIND.datasec:
        size = vlen * 12;
        break;
      case KIND.enum:
      case KIND.func_proto:
        size = vlen * 8;
        break;
      case KIND.func:
        if (vlen > 2)
          throw this.error(`type ${id} (func ${this.str(nameOff, off)}): linkage ${vlen} (0-2)`, off);
        break;
    }
    const next = data + size;
    if (next > end)
      throw this.error(
        `type ${id} (${KIND_NAMES[kindNo]} ${this.str(nameOff, off)}): ${size} bytes of data run past the type section`,
        off,
      );
    this.items++;
    switch (kindNo) {
      case KIND.struct:
      case KIND.union:
        for (let i = 0; i < vlen; i++) this.checkName(this.u32(data + i * 12), data + i * 12);
        this.items += vlen;
        break;
      case KIND.enum:
        for (let i = 0; i < vlen; i++) this.checkName(this.u32(data + i * 8), data + i * 8);
        break;
      case KIND.enum64:
        for (let i = 0; i < vlen; i++) this.checkName(this.u32(data + i * 12), data + i * 12);
        break;
      case KIND.func_proto:
        for (let i = 0; i < vlen; i++) {
          const p = data + i * 8;
          // A last parameter of type 0 without a name is C's `...`.
          if (i === vlen - 1 && this.u32(p + 4) === 0 && this.u32(p) === 0) continue;
          this.checkName(this.u32(p), p);
          this.items++;
        }
        break;
    }
    return next;
  }

  /** The record at `off`, checked by checkType. */
  decode(off: number): BtfType {
    const name = this.str(this.u32(off), off);
    const info = this.u32(off + 4);
    const sizeOrType = this.u32(off + 8);
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    const kind = KIND_NAMES[(info >>> 24) & 0x1f] as Exclude<BtfKind, 'void'>;
    const data = off + 12;
    switch (kind) {
      case 'int': {
        const v = this.u32(data);
        const enc = (v >>> 24) & 0xf;
        const encoding: BtfIntEncoding =
          enc & 4 ? 'bool' : enc & 2 ? 'char' : enc & 1 ? 'signed' : 'unsigned';
        return { kind, name, size: sizeOrType, encoding, bitOffset: (v >>> 16) & 0xff, bits: v & 0xff };
      }
      case 'ptr':
        return { kind, name: '', type: sizeOrType };
      case 'array':
        return {
          kind,
          name: '',
          type: this.u32(data),
          indexType: this.u32(data + 4),
          nelems: this.u32(data + 8),
        };
      case 'struct':
      case 'union': {
        const members: BtfMember[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const m = data + i * 12;
          const o = this.u32(m + 8);
          members[i] = {
            name: this.str(this.u32(m), m),
            type: this.u32(m + 4),
            bitOffset: kindFlag ? o & 0xffffff : o,
            bitfieldSize: kindFlag ? o >>> 24 : 0,
          };
        }
        return { kind, name, size: sizeOrType, members };
      }
      case 'enum':
      case 'enum64': {
        const width = kind === 'enum' ? 8 : 12;
        const values: BtfEnumValue[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const v = data + i * width;
          let value: bigint;
          if (kind === 'enum') {
            value = kindFlag ? BigInt(this.view.getInt32(v + 4, this.le)) : BigInt(this.u32(v + 4));
          } else {
            value = (BigInt(this.u32(v + 8)) << 32n) | BigInt(this.u32(v + 4));
            if (kindFlag) value = BigInt.asIntN(64, value);
          }
          values[i] = { name: this.str(this.u32(v), v), value };
        }
        return { kind, name, size: sizeOrType, signed: kindFlag, values };
      }
      case 'fwd':
        return { kind, name, union: kindFlag };
      case 'typedef':
      case 'type_tag':
        return { kind, name, type: sizeOrType };
      case 'volatile':
      case 'const':
      case 'restrict':
        return { kind, name: '', type: sizeOrType };
      case 'func':
        return { kind, name, type: sizeOrType, linkage: LINKAGE[vlen]! };
      case 'func_proto': {
        const params = [];
        let variadic = false;
        for (let i = 0; i < vlen; i++) {
          const p = data + i * 8;
          const type = this.u32(p + 4);
          // A last parameter of type 0 without a name is C's `...`.
          if (i === vlen - 1 && type === 0 && this.u32(p) === 0) variadic = true;
          else params.push({ name: this.str(this.u32(p), p), type });
        }
        return { kind, name: '', type: sizeOrType, params, variadic };
      }
      case 'var': {
        const l = this.u32(data);
        const linkage = l === 0 ? 'static' : l === 1 ? 'global' : 'extern';
        return { kind, name, type: sizeOrType, linkage };
      }
      case 'datasec': {
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const v = data + i * 12;
          vars.push({ type: this.u32(v), offset: this.u32(v + 4), size: this.u32(v + 8) });
        }
        return { kind, name, size: sizeOrType, vars };
      }
      case 'float':
        return { kind, name, size: sizeOrType };
      case 'decl_tag':
        return { kind, name, type: sizeOrType, componentIdx: this.view.getInt32(data, this.le) };
    }
  }

  /**
   * Every reference names an existing type, and no chain of qualifiers loops (the kernel rejects both).
   * Read from the records, not the decoded types (a lazy BTF decodes few); a bad one is named from its
   * decoded type.
   */
  private checkReferences(btf: Btf, offsets: number[]): void {
    const { count, firstId } = btf;
    const at = (id: number) => offsets[id - firstId]!;
    for (let i = 0; i < offsets.length; i++) {
      const off = offsets[i]!;
      const info = this.u32(off + 4);
      const vlen = info & 0xffff;
      const data = off + 12;
      let ok = true;
      switch ((info >>> 24) & 0x1f) {
        case KIND.array:
          ok = this.u32(data) < count && this.u32(data + 4) < count;
          break;
        case KIND.struct:
        case KIND.union:
          for (let m = 0; m < vlen && ok; m++) ok = this.u32(data + m * 12 + 4) < count;
          break;
        case KIND.func_proto:
          ok = this.u32(off + 8) < count;
          for (let p = 0; p < vlen && ok; p++) ok = this.u32(data + p * 8 + 4) < count;
          break;
        case KIND.datasec:
          for (let v = 0; v < vlen && ok; v++) ok = this.u32(data + v * 12) < count;
          break;
        case KIND.ptr:
        case KIND.typedef:
        case KIND.volatile:
        case KIND.const:
        case KIND.restrict:
        case KIND.func:
        case KIND.var:
        case KIND.decl_tag:
        case KIND.type_tag:
          ok = this.u32(off + 8) < count;
          break;
      }
      if (!ok) this.badReference(btf, firstId + i, at);
    }
    this.checkLoops(btf, at, offsets);
  }

  /** Throws naming the first reference of type `id` past the last id. */
  private badReference(btf: Btf, id: number, at: (id: number) => number): void {
    const { count } = btf;
    const bad = (ref: number, what: string) => {
      if (ref >= count) {
        const t = btf.get(id);
        throw this.error(
          `type ${id} (${t.kind} ${t.name}): ${what} refers to type ${ref}, but the last id is ${count - 1}`,
          at(id),
        );
      }
    };
    const t = btf.get(id);
    if ('type' in t) bad(t.type, 'its type');
    if (t.kind === 'array') bad(t.indexType, 'its index type');
    if (t.kind === 'struct' || t.kind === 'union') for (const m of t.members) bad(m.type, `member ${m.name}`);
    if (t.kind === 'func_proto') for (const p of t.params) bad(p.type, `parameter ${p.name}`);
    if (t.kind === 'datasec') for (const v of t.vars) bad(v.type, 'a variable');
  }

  /**
   * No type holds itself: a struct that embeds itself (through members, array elements and typedefs), an
   * array of itself, a pointer or qualifier chain that points back to itself (`typedef T *T`). The kernel
   * refuses such BTF ("Loop detected"). As in the kernel, a pointer to anything but a pointer or a
   * qualifier ends a chain, so `struct list_head { struct list_head *next; }` stays valid. Only this
   * BTF's own types: a base was checked when it was read and never refers upwards. Iterative (a hostile
   * chain is as long as the type section) and linear in the number of references.
   */
  private checkLoops(btf: Btf, at: (id: number) => number, offsets: number[]): void {
    const { firstId } = btf;
    const kindNo = (id: number) =>
      id >= firstId ? (this.u32(offsets[id - firstId]! + 4) >>> 24) & 0x1f : KIND[btf.get(id).kind];
    const chain = (k: number) => k === KIND.ptr || MODIFIER_KINDS.has(k);
    // Pointer and qualifier chains: each step of the chain, until it reaches a type that is neither.
    this.findLoop(
      btf,
      at,
      'pointer/typedef/qualifier chain loops',
      (id) => (chain(kindNo(id)) && chain(kindNo(this.u32(offsets[id - firstId]! + 8))) ? 1 : 0),
      (id) => this.u32(offsets[id - firstId]! + 8),
    );
    // Held by value: what a struct, array or qualifier is made of; a pointer holds nothing.
    this.findLoop(
      btf,
      at,
      'holds itself by value (members, array elements, typedefs), looping',
      (id) => {
        const off = offsets[id - firstId]!;
        const info = this.u32(off + 4);
        const k = (info >>> 24) & 0x1f;
        if (k === KIND.struct || k === KIND.union) return info & 0xffff;
        return k === KIND.array || MODIFIER_KINDS.has(k) ? 1 : 0;
      },
      (id, i) => {
        const off = offsets[id - firstId]!;
        const k = (this.u32(off + 4) >>> 24) & 0x1f;
        if (k === KIND.struct || k === KIND.union) return this.u32(off + 12 + i * 12 + 4);
        return k === KIND.array ? this.u32(off + 12) : this.u32(off + 8);
      },
    );
  }

  /**
   * A loop through the references `refAt(id, 0..refCount(id)-1)` among this BTF's own types, refused
   * naming a type on it. Depth-first, its path in two typed arrays: no array per type or step (a cold
   * vmlinux read made one per struct).
   */
  private findLoop(
    btf: Btf,
    at: (id: number) => number,
    what: string,
    refCount: (id: number) => number,
    refAt: (id: number, i: number) => number,
  ): void {
    const { count, firstId } = btf;
    // 0 unvisited, 1 on the walk's path, 2 done (no loop through it).
    const state = new Uint8Array(count - firstId);
    let pathId: Int32Array | null = null;
    let pathAt: Int32Array | null = null;
    for (let start = firstId; start < count; start++) {
      if (state[start - firstId] !== 0) continue;
      // Most types refer to nothing this walk follows: done without a walk of their own.
      if (refCount(start) === 0) {
        state[start - firstId] = 2;
        continue;
      }
      // A path holds each type once: never longer than the types.
      pathId ??= new Int32Array(count - firstId);
      pathAt ??= new Int32Array(count - firstId);
      let depth = 0;
      pathId[0] = start;
      pathAt[0] = 0;
      state[start - firstId] = 1;
      while (depth >= 0) {
        const id = pathId[depth]!;
        const i = pathAt[depth]!;
        if (i === refCount(id)) {
          state[id - firstId] = 2;
          depth--;
          continue;
        }
        pathAt[depth] = i + 1;
        const ref = refAt(id, i);
        if (ref < firstId) continue;
        const s = state[ref - firstId];
        if (s === 1) {
          const t = btf.get(ref);
          throw this.error(`type ${ref} (${t.kind} ${t.name}): ${what} back to type ${ref}`, at(ref));
        }
        if (s === 0) {
          state[ref - firstId] = 1;
          depth++;
          pathId[depth] = ref;
          pathAt[depth] = 0;
        }
      }
    }
  }
}

/** A BTF's own types, each decoded from its checked record when first asked for. */
class DecodedTypes implements BtfTypeTable {
  private readonly decoded: (BtfType | undefined)[];

  constructor(
    private readonly parser: BtfParser,
    private readonly offsets: readonly number[],
    readonly items: number,
  ) {
    this.decoded = new Array(offsets.length);
  }

  get length(): number {
    return this.offsets.length;
  }

  at(index: number): BtfType {
    let t = this.decoded[index];
    if (t === undefined) {
      t = this.parser.decode(this.offsets[index]!);
      this.decoded[index] = t;
    }
    return t;
  }

  nameAt(index: number): string {
    return this.parser.nameOf(this.offsets[index]!);
  }

  kindAt(index: number): BtfKind {
    return this.parser.kindOf(this.offsets[index]!);
  }

  nameHashAt(index: number): number {
    return this.parser.nameHashOf(this.offsets[index]!);
  }
}

// Split BTF names offsets below its base's string length in the base: kept beside each Btf read here.
const stringSpaces = new WeakMap<Btf, { length: number; lookup: (off: number) => string }>();

function strLenOf(btf: Btf): number {
  const space = stringSpaces.get(btf);
  if (!space) throw new ArtifactFormatError('split BTF needs a base read by readBtf', { source: btf.source });
  return space.length;
}

function baseString(btf: Btf, off: number): string {
  return stringSpaces.get(btf)!.lookup(off);
}

function hex2(a: number, b: number): string {
  return `0x${a.toString(16).padStart(2, '0')}${b.toString(16).padStart(2, '0')}`;
}
