// BTF (BPF Type Format, include/uapi/linux/btf.h): the C types of a kernel or module, as pahole
// encoded them from DWARF. A type is named by its id: 0 is void, ids 1.. index `types`.
// A module's split BTF continues its kernel's ids: its first own id is base.types.length.

export type BtfIntEncoding = 'signed' | 'char' | 'bool' | 'unsigned';

export interface BtfMember {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** 0 unless a bitfield. */
  bitfieldSize: number;
}

export interface BtfParam {
  name: string;
  type: number;
}

export interface BtfEnumValue {
  name: string;
  value: bigint;
}

export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}

export type BtfType =
  | { kind: 'void'; name: '' }
  | { kind: 'int'; name: string; size: number; encoding: BtfIntEncoding; bitOffset: number; bits: number }
  | { kind: 'ptr'; name: ''; type: number }
  | { kind: 'array'; name: ''; type: number; indexType: number; nelems: number }
  | { kind: 'struct' | 'union'; name: string; size: number; members: BtfMember[] }
  | { kind: 'enum' | 'enum64'; name: string; size: number; signed: boolean; values: BtfEnumValue[] }
  | { kind: 'fwd'; name: string; union: boolean }
  | { kind: 'typedef'; name: string; type: number }
  | { kind: 'volatile' | 'const' | 'restrict'; name: ''; type: number }
  | { kind: 'type_tag'; name: string; type: number }
  | { kind: 'func'; name: string; type: number; linkage: BtfLinkage }
  | { kind: 'func_proto'; name: ''; type: number; params: BtfParam[]; variadic: boolean }
  | { kind: 'var'; name: string; type: number; linkage: BtfLinkage }
  | { kind: 'datasec'; name: string; size: number; vars: BtfVarSecinfo[] }
  | { kind: 'float'; name: string; size: number }
  | { kind: 'decl_tag'; name: string; type: number; componentIdx: number };

export type BtfKind = BtfType['kind'];
export type BtfLinkage = 'static' | 'global' | 'extern';

/** Kinds that only qualify another type: skipped when resolving what a type is. */
export const BTF_MODIFIERS: ReadonlySet<BtfKind> = new Set([
  'typedef',
  'volatile',
  'const',
  'restrict',
  'type_tag',
]);

const VOID: BtfType = { kind: 'void', name: '' };

/** Each kind's number in a BTF record's info (include/uapi/linux/btf.h BTF_KIND_*); void is type 0. */
export const BTF_KIND_NO = {
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
} as const satisfies Record<Exclude<BtfKind, 'void'>, number>;

/** Kinds a name is looked up among: declarations (an export's), or the tagged types a type key names. */
export type NameKinds = 'declared' | 'tagged';
const NAME_KINDS: Record<NameKinds, ReadonlySet<BtfKind>> = {
  declared: new Set(['func', 'var']),
  tagged: new Set(['struct', 'union', 'enum', 'enum64', 'fwd', 'typedef']),
};

/**
 * A BTF's own types read on demand (a reader decodes a type when it is first asked for): a module's split
 * BTF holds thousands of types of which an explanation or a digest reads a few.
 */
export interface BtfTypeTable {
  readonly length: number;
  /** The type at `index` (id `firstId + index`). */
  at(index: number): BtfType;
  /** Its name, without decoding the rest of it. */
  nameAt(index: number): string;
  /** Its kind, without decoding the rest of it. */
  kindAt(index: number): BtfKind;
  /** One per type, plus each struct's or union's members and each prototype's parameters. */
  readonly items: number;
  /** nameHash of its name without making the string; -1 for no name (a table read from bytes has it). */
  nameHashAt?(index: number): number;
}

/**
 * FNV-1a of a name's bytes (a BTF name is read as latin1: a character per byte), for finding a name
 * among a kernel's 50,000 functions without making a string of each (BtfTypeTable.nameHashAt).
 */
export function nameHash(name: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** nameHash of the NUL-terminated name at `at` in a string section's bytes; -1 for the empty name. */
export function nameHashOfBytes(bytes: Uint8Array, at: number): number {
  if (bytes[at] === 0) return -1;
  let h = FNV_OFFSET;
  for (let b = bytes[at]!; b !== 0; b = bytes[++at]!) h = Math.imul(h ^ b, FNV_PRIME);
  return h >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class Btf {
  /** Own types by name: all of them, or (decoded on demand) only those of some kinds. */
  private readonly byName = new Map<NameKinds | 'all', Map<string, number | number[]>>();
  /** Own types of some kinds by nameHash, for a table that hashes names from its bytes. */
  private readonly byHash = new Map<NameKinds, Map<number, number | number[]>>();
  private types: readonly BtfType[] | null;
  private readonly table: BtfTypeTable | null;

  constructor(
    /** This BTF's own types: `own[i]` has id `firstId + i`; or a table that decodes them on demand. */
    own: readonly BtfType[] | BtfTypeTable,
    /** First id this BTF defines itself: 1 for a kernel, its base's `count` for a module. */
    readonly firstId: number,
    /** The kernel's BTF under a module's split BTF; types below firstId live there. */
    readonly base: Btf | null,
    readonly source: string,
  ) {
    const table = Array.isArray(own) ? null : (own as BtfTypeTable);
    this.types = table ? null : (own as readonly BtfType[]);
    this.table = table;
  }

  /** This BTF's own types: `own[i]` has id `firstId + i` (a table's are all decoded on first use). */
  get own(): readonly BtfType[] {
    if (this.types === null) {
      const t = this.table!;
      this.types = Array.from({ length: t.length }, (_, i) => t.at(i));
    }
    return this.types;
  }

  private get ownCount(): number {
    return this.types?.length ?? this.table!.length;
  }

  /** The kind of type `id`, without decoding the rest of a type not yet decoded. */
  kindOf(id: number): BtfKind {
    if (id >= this.firstId && this.types === null) {
      const i = id - this.firstId;
      if (i < this.table!.length) return this.table!.kindAt(i);
    }
    return this.get(id).kind;
  }

  /** One past the last id. */
  get count(): number {
    return this.firstId + this.ownCount;
  }

  /** One per own type, plus each struct's or union's members and each prototype's parameters. */
  get ownItems(): number {
    if (this.table) return this.table.items;
    let items = 0;
    for (const t of this.types!)
      items +=
        1 +
        (t.kind === 'struct' || t.kind === 'union' ? t.members.length : 0) +
        (t.kind === 'func_proto' ? t.params.length : 0);
    return items;
  }

  get(id: number): BtfType {
    if (id >= this.firstId) {
      const i = id - this.firstId;
      const t = this.types ? this.types[i] : i < this.table!.length ? this.table!.at(i) : undefined;
      if (t === undefined) throw new RangeError(`${this.source}: no BTF type ${id}`);
      return t;
    }
    if (this.base) return this.base.get(id);
    if (id === 0) return VOID;
    throw new RangeError(`${this.source}: no BTF type ${id}`);
  }

  /**
   * Ids of the types called `name`, this BTF's own first, then its base's. With `kinds`, a BTF decoded on
   * demand lists only its own types of those kinds (it need not make every name of its thousands of
   * types to find a function); others may list any kind, so a caller still checks each type's kind.
   */
  named(name: string, kinds?: NameKinds): readonly number[] {
    const hit = this.ownNamed(name, kinds);
    const own = typeof hit === 'number' ? [hit] : hit;
    if (!this.base) return own ?? [];
    // A module's split BTF names few of the names asked: its base's list then, without a copy.
    const base = this.base.named(name, kinds);
    return own ? [...own, ...base] : base;
  }

  /** The own types called `name` (of `kinds`, for a table): an id, several, or none. */
  private ownNamed(name: string, kinds?: NameKinds): number | number[] | undefined {
    const table = this.table;
    if (!table?.nameHashAt || !kinds) return this.nameIndex(table && kinds ? kinds : 'all').get(name);
    const hit = this.hashIndex(kinds, table).get(nameHash(name));
    if (hit === undefined) return undefined;
    const first = this.firstId;
    if (typeof hit === 'number') return table.nameAt(hit - first) === name ? hit : undefined;
    const ids = hit.filter((id) => table.nameAt(id - first) === name);
    return ids.length === 0 ? undefined : ids.length === 1 ? ids[0] : ids;
  }

  private hashIndex(kinds: NameKinds, table: BtfTypeTable): Map<number, number | number[]> {
    let index = this.byHash.get(kinds);
    if (index) return index;
    index = new Map();
    const only = NAME_KINDS[kinds];
    for (let i = 0; i < table.length; i++) {
      if (!only.has(table.kindAt(i))) continue;
      const h = table.nameHashAt!(i);
      if (h !== -1) addId(index, h, this.firstId + i);
    }
    this.byHash.set(kinds, index);
    return index;
  }

  /** Most names have one type: its id, not an array of one (an index per exporting module's split BTF). */
  private nameIndex(kinds: NameKinds | 'all'): Map<string, number | number[]> {
    let index = this.byName.get(kinds);
    if (index) return index;
    index = new Map();
    const only = kinds === 'all' ? null : NAME_KINDS[kinds];
    const count = this.ownCount;
    for (let i = 0; i < count; i++) {
      if (only && !only.has(this.types ? this.types[i]!.kind : this.table!.kindAt(i))) continue;
      const n = this.types ? this.types[i]!.name : this.table!.nameAt(i);
      if (n) addId(index, n, this.firstId + i);
    }
    this.byName.set(kinds, index);
    return index;
  }

  /** The first type called `name` of kind `kind`, or undefined. */
  find(name: string, kind: BtfKind): number | undefined {
    const kinds = NAME_KINDS.declared.has(kind)
      ? 'declared'
      : NAME_KINDS.tagged.has(kind)
        ? 'tagged'
        : undefined;
    // As named(name, kinds).find(...), own types first, then the base's: without a list made per call
    // (a type digest asks for each of 25,000 exports' functions, then their variables).
    for (let btf: Btf | null = this; btf; btf = btf.base) {
      const hit = btf.ownNamed(name, kinds);
      if (hit === undefined) continue;
      if (typeof hit === 'number') {
        if (this.get(hit).kind === kind) return hit;
      } else for (const id of hit) if (this.get(id).kind === kind) return id;
    }
    return undefined;
  }

  /** Follows typedefs and qualifiers to the type that says what the value is. */
  resolve(id: number): number {
    let cur = id;
    for (let hops = 0; hops < 64; hops++) {
      const t = this.get(cur);
      if (!BTF_MODIFIERS.has(t.kind)) return cur;
      cur = (t as { type: number }).type;
    }
    return cur;
  }
}

/** Adds `id` under `key`: most keys have one type, kept as its id, not an array of one. */
function addId<K>(index: Map<K, number | number[]>, key: K, id: number): void {
  const ids = index.get(key);
  if (ids === undefined) index.set(key, id);
  else if (typeof ids === 'number') index.set(key, [ids, id]);
  else ids.push(id);
}
