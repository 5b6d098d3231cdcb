// The BPF kfuncs a kernel offers, from its BTF and .BTF_ids (include/linux/btf_ids.h):
//
//   BTF_KFUNCS_START(name) / BTF_SET8_START(name)   emits the symbol __BTF_ID__set8__name at
//     struct btf_id_set8 { u32 cnt; u32 flags; struct { u32 id; u32 flags; } pairs[]; }
//   BTF_ID_FLAGS(func, bpf_x, KF_ACQUIRE | ...)      one pair: the FUNC's BTF id and its KF_* flags
//
// resolve_btfids (tools/bpf/resolve_btfids) fills in the ids and cnt at link time and sorts the pairs by
// id; so a built vmlinux or module holds each set's final contents. The set's own flags say
// BTF_SET8_KFUNCS (bit 0) from 6.9 on; before that a set8 was a kfunc set unless it was registered with
// register_btf_fmodret_id_set() (6.2-6.8: named *fmodret* or *modify_return*).
//
// pahole ≥ 1.27 (with such a kernel) also writes a DECL_TAG "bpf_kfunc" on every kfunc's FUNC: then the
// BTF alone names them, and a /sys/kernel/btf/vmlinux is enough.
//
// Without symbols (a stripped vmlinuz and no System.map) the sets are recognised by shape: see scanSets.

import { ArtifactFormatError } from '../../errors.js';
import type { Btf } from '../../model/btf.js';
import { cDeclaration, cTypeName } from '../../model/btf-c.js';
import { compareKfuncs, type Kfunc, type KfuncList, type KfuncMethod } from '../../model/kfunc.js';
import type { Artifact } from '../artifact.js';
import {
  type BtfIdSymbol,
  type BtfIdsSection,
  type KernelBtf,
  type KernelBtfOptions,
  readKernelBtf,
} from './kernel-btf.js';

export const BTF_SET8_KFUNCS = 1;
const SET8_PREFIX = '__BTF_ID__set8__';
const FMODRET_SET = /fmodret/;
const DECL_TAG_KFUNC = 'bpf_kfunc';

export interface Set8Pair {
  id: number;
  flags: number;
  /** Offset of the pair in the section. */
  offset: number;
}

export interface Set8 {
  /** From its symbol; null when found by shape. */
  name: string | null;
  /** Offset of the set in the section. */
  offset: number;
  flags: number;
  pairs: Set8Pair[];
}

interface Where {
  source: string;
  section: BtfIdsSection;
}

function fail(w: Where, reason: string, offset?: number): ArtifactFormatError {
  return new ArtifactFormatError(reason, {
    source: w.source,
    section: '.BTF_ids',
    ...(offset === undefined ? {} : { offset: w.section.fileOffset + offset }),
  });
}

function u32(sec: BtfIdsSection, off: number): number {
  return new DataView(sec.data.buffer, sec.data.byteOffset + off, 4).getUint32(0, sec.littleEndian);
}

/** The set8 at `offset`, every byte of it checked to lie within the section. */
export function readSet8(w: Where, offset: number, name: string | null): Set8 {
  const size = w.section.data.length;
  const what = name === null ? 'set8' : `set8 ${name}`;
  if (offset < 0 || offset + 8 > size)
    throw fail(
      w,
      `${what}: its 8-byte header at ${offset} runs past the end of the ${size}-byte section: truncated or corrupt`,
      offset >= 0 && offset <= size ? offset : undefined,
    );
  const cnt = u32(w.section, offset);
  const room = Math.floor((size - offset - 8) / 8);
  if (cnt > room)
    throw fail(
      w,
      `${what}: cnt ${cnt} runs past the end of the section (${room} of ${cnt} pairs fit): truncated or corrupt`,
      offset,
    );
  const pairs: Set8Pair[] = new Array(cnt);
  for (let i = 0; i < cnt; i++) {
    const at = offset + 8 + i * 8;
    pairs[i] = { id: u32(w.section, at), flags: u32(w.section, at + 4), offset: at };
  }
  return { name, offset, flags: u32(w.section, offset + 4), pairs };
}

/** The sets the `__BTF_ID__set8__*` symbols point at. */
export function setsFromSymbols(
  w: Where,
  symbols: readonly BtfIdSymbol[],
): { sets: Set8[]; warnings: string[] } {
  const sets: Set8[] = [];
  const warnings: string[] = [];
  const end = w.section.addr + BigInt(w.section.data.length);
  for (const s of symbols) {
    if (!s.name.startsWith(SET8_PREFIX)) continue;
    const name = s.name.slice(SET8_PREFIX.length);
    if (s.addr < w.section.addr || s.addr >= end)
      throw fail(
        w,
        `symbol ${s.name} at 0x${s.addr.toString(16)} lies outside .BTF_ids (0x${w.section.addr.toString(16)}-0x${end.toString(16)}): the symbols belong to another build`,
      );
    const set = readSet8(w, Number(s.addr - w.section.addr), name);
    if (s.size !== undefined && s.size !== 8 + set.pairs.length * 8)
      warnings.push(
        `${w.source}: set8 ${name} is ${s.size} bytes by its symbol but holds ${set.pairs.length} pairs`,
      );
    sets.push(set);
  }
  return { sets, warnings };
}

/**
 * The set8 sets of a section without symbols, recognised by shape: a header {cnt ≥ 1, flags 0 or
 * BTF_SET8_KFUNCS} followed by cnt pairs whose ids ascend (resolve_btfids sorts them), each naming a
 * BTF FUNC, with flags below 1 << 16. Other .BTF_ids contents fail this at once: BTF_ID_LIST and
 * BTF_SET entries are ids in the tens of thousands (far more than the section could count) or a
 * struct's, and a set8's own pairs start with such an id. Precision and recall against the symbols of
 * Debian 6.1 and 6.12: docs/kfuncs.md.
 */
export function scanSets(w: Where, btf: Btf): Set8[] {
  const size = w.section.data.length;
  const sets: Set8[] = [];
  let off = 0;
  while (off + 8 <= size) {
    const set = setAt(w, btf, off);
    if (set) {
      sets.push(set);
      off += 8 + set.pairs.length * 8;
    } else off += 4;
  }
  return sets;
}

function setAt(w: Where, btf: Btf, off: number): Set8 | null {
  const cnt = u32(w.section, off);
  const flags = u32(w.section, off + 4);
  if (cnt === 0 || cnt > (w.section.data.length - off - 8) / 8) return null;
  if (flags !== 0 && flags !== BTF_SET8_KFUNCS) return null;
  const set = readSet8(w, off, null);
  let last = 0;
  for (const p of set.pairs) {
    if (p.id <= last || p.id >= btf.count || p.flags >= 1 << 16) return null;
    if (btf.get(p.id).kind !== 'func') return null;
    last = p.id;
  }
  return set;
}

/** The FUNCs a DECL_TAG "bpf_kfunc" marks (on the function itself: component_idx -1). */
export function declTaggedKfuncs(btf: Btf): number[] {
  const out: number[] = [];
  for (let id = btf.firstId; id < btf.count; id++) {
    // The kind alone first: a lazily read BTF decodes only its decl_tags, not vmlinux's 100,000 types.
    if (btf.kindOf(id) !== 'decl_tag') continue;
    const t = btf.get(id);
    if (t.kind === 'decl_tag' && t.name === DECL_TAG_KFUNC && t.componentIdx === -1) {
      if (btf.get(t.type).kind === 'func') out.push(t.type);
    }
  }
  return out;
}

export function kfuncPrototype(btf: Btf, funcId: number): { prototype: string; signature: string } {
  const f = btf.get(funcId);
  if (f.kind !== 'func') throw new RangeError(`type ${funcId} is a ${f.kind}, not a func`);
  const proto = btf.get(f.type);
  const prototype = cDeclaration(btf, f.type, f.name);
  if (proto.kind !== 'func_proto') return { prototype, signature: prototype };
  const ret = cTypeName(btf, proto.type);
  const params = proto.params.map((p) => cTypeName(btf, p.type));
  if (proto.variadic) params.push('...');
  const sep = ret.endsWith('*') ? '' : ' ';
  return { prototype, signature: `${ret}${sep}${f.name}(${params.length ? params.join(', ') : 'void'})` };
}

interface Found {
  sets: Set8[];
  where: Where;
  btf: Btf;
  module: string | null;
}

/** The kfuncs of a kernel read by readKernelBtf (with `kfuncModules` for its modules' sets). */
export function kfuncsOf(k: KernelBtf): KfuncList {
  const warnings = [...k.warnings];
  const found: Found[] = [];
  let method: KfuncMethod = 'btf-ids';
  if (k.btfIds) {
    const where = { source: k.source, section: k.btfIds };
    if (k.btfIdSymbols) {
      const r = setsFromSymbols(where, k.btfIdSymbols);
      warnings.push(...r.warnings);
      found.push({ sets: r.sets, where, btf: k.btf, module: null });
    } else {
      method = 'btf-ids-scan';
      found.push({ sets: scanSets(where, k.btf), where, btf: k.btf, module: null });
    }
  }
  for (const [module, ids] of k.moduleBtfIds ?? []) {
    const btf = k.modules.get(module);
    if (!btf) continue;
    const where = { source: `${k.source} (${module})`, section: ids.btfIds };
    const r = setsFromSymbols(where, ids.btfIdSymbols);
    warnings.push(...r.warnings);
    found.push({ sets: r.sets, where, btf, module });
  }
  const setFlag = found.some((f) => f.sets.some((s) => (s.flags & BTF_SET8_KFUNCS) !== 0));
  const kfuncs = new Map<string, Kfunc>();
  for (const f of found) {
    for (const set of f.sets) {
      if (!isKfuncSet(set, setFlag)) continue;
      addSet(kfuncs, f, set, warnings);
    }
  }
  const tagged = declTaggedKfuncs(k.btf);
  if (tagged.length > 0) {
    method = 'decl-tag';
    for (const id of tagged) {
      const name = k.btf.get(id).name;
      if (!kfuncs.has(name)) kfuncs.set(name, newKfunc(k.btf, id, null, null));
    }
  } else if (!k.btfIds && found.length === 0) {
    throw new ArtifactFormatError(
      'no bpf_kfunc decl tags and no .BTF_ids section: this BTF alone does not say which functions are kfuncs (pahole before 1.27); give the vmlinux, vmlinuz or kernel package',
      { source: k.source },
    );
  }
  return {
    source: k.source,
    release: k.release,
    method,
    symbolSource: method === 'btf-ids' ? k.symbolSource : null,
    setFlag,
    modules: k.moduleBtfIds ? [...k.moduleBtfIds.keys()].sort() : null,
    kfuncs: [...kfuncs.values()].sort(compareKfuncs),
    warnings,
  };
}

function isKfuncSet(set: Set8, setFlag: boolean): boolean {
  if (setFlag) return (set.flags & BTF_SET8_KFUNCS) !== 0;
  return set.name === null || !FMODRET_SET.test(set.name);
}

function newKfunc(btf: Btf, id: number, flags: number | null, module: string | null): Kfunc {
  const { prototype, signature } = kfuncPrototype(btf, id);
  return { name: btf.get(id).name, prototype, signature, flags, sets: [], module, btfId: id };
}

function addSet(kfuncs: Map<string, Kfunc>, f: Found, set: Set8, warnings: string[]): void {
  const label = set.name ?? `at offset ${set.offset}`;
  for (const p of set.pairs) {
    // resolve_btfids leaves 0 for a function that is not in BTF (and warns at build time).
    if (p.id === 0) {
      warnings.push(`${f.where.source}: set8 ${label} has an unresolved entry (id 0)`);
      continue;
    }
    if (p.id >= f.btf.count)
      throw fail(
        f.where,
        `set8 ${label}: id ${p.id} is past the last BTF type (${f.btf.count - 1})`,
        p.offset,
      );
    const t = f.btf.get(p.id);
    if (t.kind !== 'func')
      throw fail(f.where, `set8 ${label}: id ${p.id} is a ${t.kind} ${t.name}, not a func`, p.offset);
    const known = kfuncs.get(t.name);
    if (known) {
      if (set.name !== null && !known.sets.includes(set.name)) known.sets.push(set.name);
      if (known.flags !== p.flags) {
        warnings.push(
          `${t.name}: flags 0x${p.flags.toString(16)} in ${label}, 0x${(known.flags ?? 0).toString(16)} in ${known.sets[0] ?? 'another set'}: kept both`,
        );
        known.flags = (known.flags ?? 0) | p.flags;
      }
      continue;
    }
    const k = newKfunc(f.btf, p.id, p.flags, f.module);
    if (set.name !== null) k.sets.push(set.name);
    kfuncs.set(t.name, k);
  }
}

export interface ReadKfuncsOptions {
  /** A System.map for a stripped image. */
  systemMap?: string;
}

/** The kfuncs of a kernel artifact: a package or tree (with its modules), vmlinux, vmlinuz, or raw BTF. */
export async function readKfuncs(path: string | Artifact, opts: ReadKfuncsOptions = {}): Promise<KfuncList> {
  const o: KernelBtfOptions = { kfuncModules: true };
  if (opts.systemMap) o.systemMap = opts.systemMap;
  return kfuncsOf(await readKernelBtf(path, o));
}
