// CO-RE relocation against a kernel's BTF, following libbpf's relo_core.c: the local spec is parsed from
// the access string (bpf_core_parse_spec); candidate target types are those of the same kind whose name,
// without a `___flavour` suffix, is the local one's (bpf_core_add_cands: vmlinux first, modules when vmlinux
// has none); each candidate is matched (bpf_core_spec_match: named members searched through anonymous
// ones, bpf_core_fields_are_compat on each) and the relocated value computed (bpf_core_calc_relo). All
// matching candidates must agree, else libbpf refuses the object ("relocation decision ambiguity").
// A failed existence relocation yields 0; any other failure poisons the instruction, which the verifier
// refuses only if it can reach it (bpf-reach.ts).

import type { CoreFailReason } from '../model/bpf-compat.js';
import type { BpfInsn, CoreRelo } from '../model/bpf-object.js';
import { BTF_MODIFIERS, type Btf, type BtfType } from '../model/btf.js';

export type CoreOutcome =
  | { status: 'ok'; local: bigint; target: bigint; targetType: number }
  /** Existence relocations that found nothing: the value is 0. */
  | { status: 'absent'; local: bigint; target: 0n }
  | {
      status: 'poison';
      reason: CoreFailReason;
      targetType: string | null;
      missing: string | null;
      similar: string[];
    }
  /** libbpf refuses the whole object (bad relocation, ambiguity). */
  | { status: 'error'; reason: CoreFailReason; detail: string };

interface Acc {
  typeId: number;
  idx: number;
  name: string | null;
}

interface Spec {
  btf: Btf;
  root: number;
  acc: Acc[];
  bitOffset: number;
}

const FIELD = new Set([
  'field_byte_offset',
  'field_byte_size',
  'field_exists',
  'field_signed',
  'field_lshift_u64',
  'field_rshift_u64',
]);
const TYPE = new Set(['type_id_local', 'type_id_target', 'type_exists', 'type_size', 'type_matches']);
const ENUMVAL = new Set(['enumval_exists', 'enumval_value']);
const EXISTS = new Set(['field_exists', 'type_exists', 'type_matches', 'enumval_exists']);

class BadRelo extends Error {}

/** bpf_core_essential_name_len: the name up to its last `___`. */
export function essential(name: string): string {
  const i = name.lastIndexOf('___');
  return i > 0 ? name.slice(0, i) : name;
}

function skip(btf: Btf, id: number): { id: number; t: BtfType } {
  const r = btf.resolve(id);
  return { id: r, t: btf.get(r) };
}

const isComposite = (t: BtfType) => t.kind === 'struct' || t.kind === 'union';
const isEnum = (t: BtfType) => t.kind === 'enum' || t.kind === 'enum64';

/** btf_kind_core_compat: the same kind, or enum and enum64. */
function kindCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isEnum(a) && isEnum(b));
}

/** btf__resolve_size; pointers are 8 bytes (BPF and the 64-bit kernels this reads). */
export function resolveSize(btf: Btf, id: number): number {
  let cur = id;
  let mult = 1;
  for (let depth = 0; depth < 64; depth++) {
    const t = btf.get(cur);
    switch (t.kind) {
      case 'int':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'float':
      case 'datasec':
        return mult * t.size;
      case 'ptr':
        return mult * 8;
      case 'array':
        mult *= t.nelems;
        cur = t.type;
        break;
      case 'var':
        cur = t.type;
        break;
      default:
        if (BTF_MODIFIERS.has(t.kind)) cur = (t as { type: number }).type;
        else throw new BadRelo(`type ${id} (${t.kind}) has no size`);
    }
  }
  throw new BadRelo(`type ${id}: too deep to size`);
}

function parseSpec(btf: Btf, r: CoreRelo): Spec {
  const spec: Spec = { btf, root: r.typeId, acc: [], bitOffset: 0 };
  if (TYPE.has(r.kind)) {
    if (r.access !== '0') throw new BadRelo(`access string "${r.access}" for a type relocation`);
    return spec;
  }
  if (!/^\d+(:\d+)*$/.test(r.access)) throw new BadRelo(`access string "${r.access}"`);
  const raw = r.access.split(':').map(Number);
  let { id, t } = skip(btf, r.typeId);
  const first: Acc = { typeId: id, idx: raw[0]!, name: null };
  spec.acc.push(first);
  if (ENUMVAL.has(r.kind)) {
    if ((t.kind !== 'enum' && t.kind !== 'enum64') || raw.length > 1 || first.idx >= t.values.length)
      throw new BadRelo(`enum value relocation "${r.access}" on a ${t.kind}`);
    first.name = t.values[first.idx]!.name;
    return spec;
  }
  spec.bitOffset = first.idx * resolveSize(btf, id) * 8;
  for (let i = 1; i < raw.length; i++) {
    ({ id, t } = skip(btf, id));
    const idx = raw[i]!;
    if (t.kind === 'struct' || t.kind === 'union') {
      const m = t.members[idx];
      if (!m) throw new BadRelo(`member ${idx} of ${t.kind} ${t.name} (${t.members.length} members)`);
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.acc.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elem = skip(btf, t.type);
      const flex = isFlex(btf, spec.acc[spec.acc.length - 1]!, t.nelems);
      if (!flex && idx >= t.nelems) throw new BadRelo(`index ${idx} of a ${t.nelems}-element array`);
      spec.acc.push({ typeId: elem.id, idx, name: null });
      id = elem.id;
      spec.bitOffset += idx * resolveSize(btf, elem.id) * 8;
    } else {
      throw new BadRelo(`access step ${i} of "${r.access}" reaches a ${t.kind}`);
    }
  }
  return spec;
}

function isFlex(btf: Btf, acc: Acc, nelems: number): boolean {
  if (!acc.name || nelems > 0) return false;
  const t = btf.get(acc.typeId);
  return (t.kind === 'struct' || t.kind === 'union') && acc.idx === t.members.length - 1;
}

/** `task_struct.state`, `sk_buff.cb[2]`, `bpf_map_type::BPF_MAP_TYPE_RINGBUF`: the access as C spells it. */
export function accessText(btf: Btf, r: CoreRelo): string {
  const root = btf.get(r.typeId);
  const name = root.name || '(anon)';
  try {
    const spec = parseSpec(btf, r);
    if (TYPE.has(r.kind)) return name;
    if (ENUMVAL.has(r.kind)) return `${name}::${spec.acc[0]!.name}`;
    let s = spec.acc[0]!.idx === 0 ? name : `${name}[${spec.acc[0]!.idx}]`;
    for (const a of spec.acc.slice(1)) s += a.name ? `.${a.name}` : `[${a.idx}]`;
    return s;
  } catch {
    return `${name} ${r.access}`;
  }
}

function fieldsCompat(lb: Btf, lid: number, tb: Btf, tid: number): boolean {
  for (let depth = 0; depth < 32; depth++) {
    const l = skip(lb, lid).t;
    const t = skip(tb, tid).t;
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindCompat(l, t)) return false;
    switch (l.kind) {
      case 'ptr':
      case 'float':
        return true;
      case 'fwd':
      case 'enum':
      case 'enum64': {
        const a = essential(l.name);
        const b = essential(t.name);
        return a === '' || b === '' || a === b;
      }
      case 'int':
        return l.bitOffset === 0 && (t as { bitOffset: number }).bitOffset === 0;
      case 'array':
        lid = l.type;
        tid = (t as { type: number }).type;
        continue;
      default:
        return false;
    }
  }
  return false;
}

/** __bpf_core_types_are_compat: the rule for type relocations and for kfunc prototypes. */
export function typesCompat(lb: Btf, lid: number, tb: Btf, tid: number, level = 2): boolean {
  if (!kindCompat(lb.get(lid), tb.get(tid))) return false;
  for (let depth = 0; depth < 32; depth++) {
    const ls = skip(lb, lid);
    const ts = skip(tb, tid);
    const l = ls.t;
    const t = ts.t;
    if (!kindCompat(l, t)) return false;
    switch (l.kind) {
      case 'void':
      case 'struct':
      case 'union':
      case 'enum':
      case 'enum64':
      case 'fwd':
        return true;
      case 'int':
        return l.bitOffset === 0 && (t as { bitOffset: number }).bitOffset === 0;
      case 'ptr':
        lid = l.type;
        tid = (t as { type: number }).type;
        continue;
      case 'array':
        lid = l.type;
        tid = (t as { type: number }).type;
        continue;
      case 'func_proto': {
        const tp = t as Extract<BtfType, { kind: 'func_proto' }>;
        if (l.params.length !== tp.params.length || l.variadic !== tp.variadic) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (level <= 0) return false;
          if (
            !typesCompat(lb, skip(lb, l.params[i]!.type).id, tb, skip(tb, tp.params[i]!.type).id, level - 1)
          )
            return false;
        }
        lid = skip(lb, l.type).id;
        tid = skip(tb, tp.type).id;
        continue;
      }
      default:
        return false;
    }
  }
  return false;
}

/**
 * bpf_core_types_match (TYPE_MATCHES), simplified: same kind and name; a struct's or union's local members
 * each present by name with matching types; an enum's local values each present by name; pointers and
 * arrays compared through; integers of the same size and signedness.
 */
function typesMatch(lb: Btf, lid: number, tb: Btf, tid: number, depth = 0): boolean {
  if (depth > 16) return false;
  const l = skip(lb, lid).t;
  const t = skip(tb, tid).t;
  if (!kindCompat(l, t)) return false;
  if (l.name && essential(l.name) !== essential(t.name)) return false;
  switch (l.kind) {
    case 'struct':
    case 'union': {
      const tm = (t as typeof l).members;
      return l.members.every((m) => {
        const o = tm.find((x) => x.name === m.name);
        return o !== undefined && typesMatch(lb, m.type, tb, o.type, depth + 1);
      });
    }
    case 'enum':
    case 'enum64': {
      const tv = (t as typeof l).values;
      return l.values.every((v) => tv.some((x) => x.name === v.name));
    }
    case 'int': {
      const ti = t as typeof l;
      return l.size === ti.size && (l.encoding === 'signed') === (ti.encoding === 'signed');
    }
    case 'ptr':
    case 'array':
      return typesMatch(lb, l.type, tb, (t as { type: number }).type, depth + 1);
    default:
      return true;
  }
}

/** Each BTF's own type ids by essential name, built once per BTF. */
const byEssential = new WeakMap<Btf, Map<string, number[]>>();

function essentialIndex(btf: Btf): Map<string, number[]> {
  let m = byEssential.get(btf);
  if (m) return m;
  m = new Map();
  for (let id = btf.base ? btf.firstId : 1; id < btf.count; id++) {
    const n = btf.get(id).name;
    if (!n) continue;
    const e = essential(n);
    const ids = m.get(e);
    if (ids) ids.push(id);
    else m.set(e, [id]);
  }
  byEssential.set(btf, m);
  return m;
}

/** Target candidates for a local type: vmlinux's, else every module's (libbpf's bpf_core_find_cands). */
function candidates(local: BtfType, targets: readonly Btf[]): { btf: Btf; id: number }[] {
  const name = essential(local.name);
  const of = (btf: Btf) =>
    (essentialIndex(btf).get(name) ?? [])
      .filter((id) => kindCompat(btf.get(id), local))
      .map((id) => ({ btf, id }));
  const [vmlinux, ...modules] = targets;
  const own = vmlinux ? of(vmlinux) : [];
  return own.length > 0 ? own : modules.flatMap(of);
}

interface MatchMiss {
  targetType: string;
  missing: string;
  similar: string[];
  reason: CoreFailReason;
}

/** bpf_core_match_member: a named member, searched through anonymous members; fills the target spec. */
function matchMember(
  lb: Btf,
  la: Acc,
  tb: Btf,
  tid: number,
  spec: Spec,
): { found: true; next: number } | { found: false; incompatible: boolean } {
  const ts = skip(tb, tid);
  const t = ts.t;
  if (!isComposite(t)) return { found: false, incompatible: false };
  const lt = lb.get(la.typeId) as Extract<BtfType, { kind: 'struct' | 'union' }>;
  const lm = lt.members[la.idx]!;
  const members = (t as Extract<BtfType, { kind: 'struct' | 'union' }>).members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    spec.bitOffset += m.bitOffset;
    if (!m.name) {
      const r = matchMember(lb, la, tb, m.type, spec);
      if (r.found || r.incompatible) return r;
    } else if (m.name === lm.name) {
      spec.acc.push({ typeId: ts.id, idx: i, name: m.name });
      if (fieldsCompat(lb, lm.type, tb, m.type)) return { found: true, next: m.type };
      spec.acc.pop();
      return { found: false, incompatible: true };
    }
    spec.bitOffset -= m.bitOffset;
  }
  return { found: false, incompatible: false };
}

/** bpf_core_spec_match for field and enum value relocations; on a miss, says what was missing. */
function specMatch(local: Spec, kind: string, tb: Btf, tid: number): Spec | MatchMiss {
  const spec: Spec = { btf: tb, root: tid, acc: [], bitOffset: 0 };
  const rootName = tb.get(tid).name;
  if (ENUMVAL.has(kind)) {
    const { id, t } = skip(tb, tid);
    if (!isEnum(t))
      return { targetType: rootName, missing: local.acc[0]!.name!, similar: [], reason: 'no-member' };
    const want = essential(local.acc[0]!.name!);
    const values = (t as Extract<BtfType, { kind: 'enum' | 'enum64' }>).values;
    const i = values.findIndex((v) => essential(v.name) === want);
    if (i < 0)
      return {
        targetType: `enum ${rootName}`,
        missing: want,
        similar: values.filter((v) => v.name.includes(want)).map((v) => v.name),
        reason: 'no-member',
      };
    spec.acc.push({ typeId: id, idx: i, name: values[i]!.name });
    return spec;
  }
  let cur = tid;
  for (let i = 0; i < local.acc.length; i++) {
    const la = local.acc[i]!;
    const ts = skip(tb, cur);
    if (la.name) {
      const r = matchMember(local.btf, la, tb, cur, spec);
      if (!r.found) {
        const t = ts.t;
        const members = isComposite(t) ? allMemberNames(tb, t) : [];
        return {
          targetType: `${t.kind} ${t.name || '(anon)'}`,
          missing: la.name,
          similar: similarNames(members, la.name),
          reason: r.incompatible ? 'incompatible-member' : 'no-member',
        };
      }
      cur = r.next;
    } else {
      let id = ts.id;
      if (i > 0) {
        const t = ts.t;
        if (t.kind !== 'array')
          return {
            targetType: `${t.kind} ${t.name}`,
            missing: `[${la.idx}]`,
            similar: [],
            reason: 'array-index',
          };
        const flex = isFlex(tb, spec.acc[spec.acc.length - 1]!, t.nelems);
        if (!flex && la.idx >= t.nelems)
          return {
            targetType: `${t.nelems}-element array`,
            missing: `[${la.idx}]`,
            similar: [],
            reason: 'array-index',
          };
        id = skip(tb, t.type).id;
      }
      spec.acc.push({ typeId: id, idx: la.idx, name: null });
      spec.bitOffset += la.idx * resolveSize(tb, id) * 8;
      cur = id;
    }
  }
  return spec;
}

/** Members named like the missing one: `__state` for `state` first (a rename's usual shape), at most 3. */
function similarNames(names: string[], missing: string): string[] {
  const bare = (n: string) => n.replace(/^_+|_+$/g, '');
  const close = names.filter((n) => n !== missing && bare(n) === bare(missing));
  const loose = names.filter((n) => n !== missing && !close.includes(n) && n.includes(missing));
  return [...close, ...loose].slice(0, 3);
}

function allMemberNames(btf: Btf, t: BtfType, depth = 0): string[] {
  if (!isComposite(t) || depth > 8) return [];
  const out: string[] = [];
  for (const m of (t as Extract<BtfType, { kind: 'struct' | 'union' }>).members) {
    if (m.name) out.push(m.name);
    else out.push(...allMemberNames(btf, skip(btf, m.type).t, depth + 1));
  }
  return out;
}

interface FieldValue {
  value: bigint;
  /** Memory access size and its type, for byte_offset on a non-bitfield. */
  size: number;
  typeId: number;
}

/** bpf_core_calc_field_relo (little-endian). */
function fieldValue(kind: string, spec: Spec): FieldValue {
  const acc = spec.acc[spec.acc.length - 1]!;
  const btf = spec.btf;
  if (!acc.name) {
    const sz = resolveSize(btf, acc.typeId);
    if (kind === 'field_byte_offset')
      return { value: BigInt(spec.bitOffset / 8), size: sz, typeId: acc.typeId };
    if (kind === 'field_byte_size') return { value: BigInt(sz), size: 0, typeId: 0 };
    throw new BadRelo(`${kind} on an array element`);
  }
  const t = btf.get(acc.typeId) as Extract<BtfType, { kind: 'struct' | 'union' }>;
  const m = t.members[acc.idx]!;
  const mt = skip(btf, m.type);
  const bitOff = spec.bitOffset;
  let bitSz = m.bitfieldSize;
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    byteSz = (mt.t as { size: number }).size;
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new BadRelo('bitfield cannot be read with a 64-bit load');
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = resolveSize(btf, mt.id);
    byteOff = bitOff / 8;
    bitSz = byteSz * 8;
  }
  const v = (value: number | boolean): FieldValue => ({
    value: BigInt(typeof value === 'boolean' ? (value ? 1 : 0) : value),
    size: !bitfield && kind === 'field_byte_offset' ? byteSz : 0,
    typeId: !bitfield && kind === 'field_byte_offset' ? mt.id : 0,
  });
  switch (kind) {
    case 'field_byte_offset':
      return v(byteOff);
    case 'field_byte_size':
      return v(byteSz);
    case 'field_signed':
      return v(
        (isEnum(mt.t) && (mt.t as { signed: boolean }).signed) ||
          (mt.t.kind === 'int' && mt.t.encoding === 'signed'),
      );
    case 'field_lshift_u64':
      return v(64 - (bitOff + bitSz - byteOff * 8));
    case 'field_rshift_u64':
      return v(64 - bitSz);
    default:
      throw new BadRelo(`unknown field relocation ${kind}`);
  }
}

function typeValue(kind: string, spec: Spec): bigint {
  switch (kind) {
    case 'type_id_target':
    case 'type_id_local':
      return BigInt(spec.root);
    case 'type_exists':
    case 'type_matches':
      return 1n;
    case 'type_size':
      return BigInt(resolveSize(spec.btf, spec.root));
    default:
      throw new BadRelo(kind);
  }
}

function enumValue(kind: string, spec: Spec): bigint {
  if (kind === 'enumval_exists') return 1n;
  const a = spec.acc[0]!;
  const t = spec.btf.get(a.typeId) as Extract<BtfType, { kind: 'enum' | 'enum64' }>;
  return t.values[a.idx]!.value;
}

const LDX = 1;
const ST = 2;
const STX = 3;

/**
 * Resolves one relocation against a kernel's BTF: `targets` is vmlinux's BTF, then the modules' split BTF
 * (libbpf looks in modules only when vmlinux has no candidate). `insn` is the relocated instruction.
 */
export function resolveCoreRelo(
  local: Btf,
  r: CoreRelo,
  insn: BpfInsn,
  targets: readonly Btf[],
): CoreOutcome {
  try {
    return resolve(local, r, insn, targets);
  } catch (e) {
    if (e instanceof BadRelo) return { status: 'error', reason: 'bad-relocation', detail: e.message };
    if (e instanceof RangeError) return { status: 'error', reason: 'bad-relocation', detail: e.message };
    throw e;
  }
}

function resolve(local: Btf, r: CoreRelo, insn: BpfInsn, targets: readonly Btf[]): CoreOutcome {
  const localSpec = parseSpec(local, r);
  const localType = local.get(r.typeId);
  if (r.kind === 'type_id_local')
    return { status: 'ok', local: BigInt(r.typeId), target: BigInt(r.typeId), targetType: r.typeId };
  if (!localType.name) throw new BadRelo(`relocation against an anonymous ${localType.kind}`);
  const localVal = localValue(r.kind, localSpec);
  const cands = candidates(localType, targets);
  let chosen: { value: bigint; spec: Spec; memsz?: FieldValue } | null = null;
  let firstMiss: MatchMiss | null = null;
  for (const c of cands) {
    let spec: Spec | MatchMiss | null;
    if (TYPE.has(r.kind)) {
      const ok =
        r.kind === 'type_matches'
          ? typesMatch(local, r.typeId, c.btf, c.id)
          : typesCompat(local, r.typeId, c.btf, c.id);
      spec = ok ? { btf: c.btf, root: c.id, acc: [], bitOffset: 0 } : null;
    } else {
      spec = specMatch(localSpec, r.kind, c.btf, c.id);
    }
    if (spec === null) continue;
    if (!('btf' in spec)) {
      firstMiss ??= spec;
      continue;
    }
    let value: bigint;
    let memsz: FieldValue | undefined;
    if (FIELD.has(r.kind)) {
      if (r.kind === 'field_exists') value = 1n;
      else {
        memsz = fieldValue(r.kind, spec);
        value = memsz.value;
      }
    } else if (TYPE.has(r.kind)) value = typeValue(r.kind, spec);
    else value = enumValue(r.kind, spec);
    if (chosen === null) chosen = { value, spec, ...(memsz ? { memsz } : {}) };
    else if (chosen.value !== value)
      return {
        status: 'error',
        reason: 'ambiguous',
        detail: `candidates ${chosen.spec.root} and ${spec.root} give ${chosen.value} and ${value}`,
      };
  }
  if (chosen === null) {
    if (EXISTS.has(r.kind)) return { status: 'absent', local: localVal, target: 0n };
    return {
      status: 'poison',
      reason: cands.length === 0 ? 'no-candidate-type' : (firstMiss?.reason ?? 'no-member'),
      targetType: cands.length === 0 ? null : (firstMiss?.targetType ?? null),
      missing: cands.length === 0 ? essential(localType.name) : (firstMiss?.missing ?? null),
      similar: firstMiss?.similar ?? [],
    };
  }
  // A load or store whose width changes is safe only for pointers and unsigned integers (libbpf).
  if (chosen.memsz && r.kind === 'field_byte_offset' && [LDX, ST, STX].includes(insn.code & 7)) {
    const orig = fieldValue(r.kind, localSpec);
    if (orig.size !== chosen.memsz.size) {
      const a = skip(local, orig.typeId).t;
      const b = skip(chosen.spec.btf, chosen.memsz.typeId).t;
      const ok =
        (a.kind === 'ptr' && b.kind === 'ptr') ||
        (a.kind === 'int' && b.kind === 'int' && a.encoding !== 'signed' && b.encoding !== 'signed');
      if (!ok)
        return {
          status: 'poison',
          reason: 'memory-size',
          targetType: null,
          missing: `${orig.size}-byte access, ${chosen.memsz.size} bytes in the kernel`,
          similar: [],
        };
    }
  }
  return { status: 'ok', local: localVal, target: chosen.value, targetType: chosen.spec.root };
}

function localValue(kind: string, spec: Spec): bigint {
  if (FIELD.has(kind)) return kind === 'field_exists' ? 1n : fieldValue(kind, spec).value;
  if (TYPE.has(kind)) return typeValue(kind, spec);
  return enumValue(kind, spec);
}
