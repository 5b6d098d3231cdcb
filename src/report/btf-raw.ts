// `kabi btf ARTIFACT --format json`: every type of a BTF as `bpftool btf dump file F -j` writes it, byte
// for byte (bpftool 7.1's dump_btf_type: the same keys in the same order, "(anon)" for no name, compact,
// one line). A module's split BTF lists only its own types, as bpftool does with `-B vmlinux`.
// Written by hand, not with JSON.stringify: 64-bit enum values pass 2^53 and must stay exact.

import type { Btf, BtfType } from '../model/btf.js';

/** The document's shape, for its schema (64-bit enum values are JSON integers, not strings). */
export interface BtfRawJson {
  types: BtfRawType[];
}

export interface BtfRawType {
  id: number;
  /** The kernel's BTF_KIND_* name without the prefix: INT, PTR, STRUCT, FUNC_PROTO, ENUM64, ... */
  kind: string;
  /** "(anon)" when the type has none. */
  name: string;
  size?: number;
  type_id?: number;
  bits_offset?: number;
  nr_bits?: number;
  encoding?: string;
  index_type_id?: number;
  nr_elems?: number;
  vlen?: number;
  members?: { name: string; type_id: number; bits_offset: number; bitfield_size?: number }[];
  values?: { name: string; val: number }[];
  fwd_kind?: 'struct' | 'union';
  linkage?: 'static' | 'global' | 'extern';
  ret_type_id?: number;
  params?: { name: string; type_id: number }[];
  vars?: { type_id: number; offset: number; size: number }[];
  component_idx?: number;
}

const INT_ENCODING = { unsigned: '(none)', signed: 'SIGNED', char: 'CHAR', bool: 'BOOL' } as const;

// Names come from the string section: valid UTF-8 (the reader checked), but any byte may be in them.
const str = (s: string) => JSON.stringify(s === '' ? '(anon)' : s);

function fields(t: BtfType): string {
  switch (t.kind) {
    case 'void':
      return '';
    case 'int':
      return `,"size":${t.size},"bits_offset":${t.bitOffset},"nr_bits":${t.bits},"encoding":"${INT_ENCODING[t.encoding]}"`;
    case 'ptr':
    case 'const':
    case 'volatile':
    case 'restrict':
    case 'typedef':
    case 'type_tag':
      return `,"type_id":${t.type}`;
    case 'array':
      return `,"type_id":${t.type},"index_type_id":${t.indexType},"nr_elems":${t.nelems}`;
    case 'struct':
    case 'union': {
      const members = t.members.map(
        (m) =>
          `{"name":${str(m.name)},"type_id":${m.type},"bits_offset":${m.bitOffset}${m.bitfieldSize ? `,"bitfield_size":${m.bitfieldSize}` : ''}}`,
      );
      return `,"size":${t.size},"vlen":${t.members.length},"members":[${members.join(',')}]`;
    }
    case 'enum':
    case 'enum64': {
      // The reader already gave each value its sign: the kind flag says signed (libbpf 1.0, BTF_KIND_ENUM64).
      const values = t.values.map((v) => `{"name":${str(v.name)},"val":${v.value}}`);
      return `,"encoding":"${t.signed ? 'SIGNED' : 'UNSIGNED'}","size":${t.size},"vlen":${t.values.length},"values":[${values.join(',')}]`;
    }
    case 'fwd':
      return `,"fwd_kind":"${t.union ? 'union' : 'struct'}"`;
    case 'func':
    case 'var':
      return `,"type_id":${t.type},"linkage":"${t.linkage}"`;
    case 'func_proto': {
      const params = t.params.map((p) => `{"name":${str(p.name)},"type_id":${p.type}}`);
      // C's `...` is a last parameter with neither name nor type.
      if (t.variadic) params.push('{"name":"(anon)","type_id":0}');
      return `,"ret_type_id":${t.type},"vlen":${params.length},"params":[${params.join(',')}]`;
    }
    case 'datasec': {
      const vars = t.vars.map((v) => `{"type_id":${v.type},"offset":${v.offset},"size":${v.size}}`);
      return `,"size":${t.size},"vlen":${t.vars.length},"vars":[${vars.join(',')}]`;
    }
    case 'float':
      return `,"size":${t.size}`;
    case 'decl_tag':
      return `,"type_id":${t.type},"component_idx":${t.componentIdx}`;
  }
}

/** One type as bpftool writes it. */
export function btfRawType(btf: Btf, id: number): string {
  const t = btf.get(id);
  return `{"id":${id},"kind":"${t.kind.toUpperCase()}","name":${str(t.name)}${fields(t)}}`;
}

/**
 * The whole dump, in chunks of types so that a 100,000-type vmlinux (about 15 MB) is written as it is made;
 * `ids` limits it to the types named (bpftool's root types), in that order.
 */
export function* btfRawJsonChunks(btf: Btf, ids?: readonly number[]): Generator<string> {
  const all = ids ?? Array.from({ length: btf.own.length }, (_, i) => btf.firstId + i);
  yield '{"types":[';
  const CHUNK = 4096;
  for (let i = 0; i < all.length; i += CHUNK) {
    const part = all.slice(i, i + CHUNK).map((id) => btfRawType(btf, id));
    yield (i ? ',' : '') + part.join(',');
  }
  yield ']}\n';
}

export function btfRawJson(btf: Btf, ids?: readonly number[]): string {
  return [...btfRawJsonChunks(btf, ids)].join('');
}
