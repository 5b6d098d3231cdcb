// A small BTF that exercises the rules of libbpf's btf_dump one by one (packing, padding, bitfields,
// ___N names, forward declarations, anonymous and top-level enums, typedef loops through pointers), for
// `kabi btf --format c`'s offline test. test/fixtures/btf/dump-rules.btf is built from it and
// dump-rules.h is what bookworm's bpftool 7.1 printed for it; to write both again:
//   npx tsc -p tsconfig.json && node dist/test/helpers/btf-dump-rules.js
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BtfRecord, buildBtf } from './btf-builder.js';
import { INT, member } from './btf-types.js';
import { FIXTURES } from './independent.js';

const CHAR: BtfRecord = { kind: 'int', name: 'char', size: 1, encoding: 'signed', bitOffset: 0, bits: 8 };
const LONG: BtfRecord = {
  kind: 'int',
  name: 'long int',
  size: 8,
  encoding: 'signed',
  bitOffset: 0,
  bits: 64,
};

export const DUMP_RULES: BtfRecord[] = [
  INT, // 1
  CHAR, // 2
  LONG, // 3
  // 4: packed: an int at byte 1 of a 5-byte struct
  { kind: 'struct', name: 'packed', size: 5, members: [member('a', 2), member('b', 1, 8)] },
  // 5: a gap of 160 bits the compiler would not leave: `long: 64;` and friends
  { kind: 'struct', name: 'gap', size: 32, members: [member('a', 1), member('b', 1, 192)] },
  // 6: bitfields with a hole between them
  { kind: 'struct', name: 'bits', size: 4, members: [member('a', 1, 0, 3), member('b', 1, 16, 5)] },
  // 7: size with no members (bpf_dynptr): only padding
  { kind: 'struct', name: 'opaque', size: 16, members: [] },
  // 8: empty
  { kind: 'struct', name: 'empty', size: 0, members: [] },
  // 9, 10: two different structs called dup
  { kind: 'struct', name: 'dup', size: 4, members: [member('x', 1)] },
  { kind: 'struct', name: 'dup', size: 8, members: [member('y', 3)] },
  // 11: struct a { struct b *b; }  12: struct b { struct a a; }  13: struct b *
  { kind: 'struct', name: 'a', size: 8, members: [member('b', 13)] },
  { kind: 'struct', name: 'b', size: 8, members: [member('a', 11)] },
  { kind: 'ptr', name: '', type: 12 },
  // 14: a top-level anonymous enum (nothing refers to it); 15: an anonymous one used inline by 16
  {
    kind: 'enum',
    name: '',
    size: 4,
    signed: false,
    values: [
      { name: 'ONE', value: 1n },
      { name: 'TWO', value: 2n },
    ],
  },
  {
    kind: 'enum',
    name: '',
    size: 4,
    signed: true,
    values: [
      { name: 'ONE', value: -1n },
      { name: 'THREE', value: 3n },
    ],
  },
  { kind: 'struct', name: 'holder', size: 16, members: [member('e', 15), member('u', 18, 64)] },
  // 17: anonymous struct inside 18: an anonymous union
  { kind: 'struct', name: '', size: 8, members: [member('lo', 1), member('hi', 1, 32)] },
  { kind: 'union', name: '', size: 8, members: [member('', 17), member('all', 3)] },
  // 19-21: typedef struct node node_t; struct node { node_t *next; }
  { kind: 'typedef', name: 'node_t', type: 20 },
  { kind: 'struct', name: 'node', size: 8, members: [member('next', 21)] },
  { kind: 'ptr', name: '', type: 19 },
  // 22-26: int (*ops[2])(const volatile char *, ...) in struct table; 27: typedef of an anonymous struct
  { kind: 'volatile', name: '', type: 2 },
  { kind: 'const', name: '', type: 22 },
  { kind: 'ptr', name: '', type: 23 },
  { kind: 'func_proto', name: '', type: 1, params: [{ name: '', type: 24 }], variadic: true },
  { kind: 'ptr', name: '', type: 25 },
  { kind: 'array', name: '', type: 26, indexType: 1, nelems: 2 },
  { kind: 'struct', name: 'table', size: 16, members: [member('ops', 27)] },
  { kind: 'typedef', name: 'pair_t', type: 17 },
  // 30: a 64-bit enum
  {
    kind: 'enum64',
    name: 'big',
    size: 8,
    signed: false,
    values: [{ name: 'HUGE', value: 1n << 40n }],
  },
  // 31: a struct whose tail the compiler would not pad to 24 (char then 23 bytes)
  { kind: 'struct', name: 'tail', size: 24, members: [member('c', 2)] },
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const btf = join(FIXTURES, 'btf', 'dump-rules.btf');
  writeFileSync(btf, buildBtf(DUMP_RULES));
  writeFileSync(
    join(FIXTURES, 'btf', 'dump-rules.h'),
    execFileSync('bpftool', ['btf', 'dump', 'file', btf, 'format', 'c']),
  );
}
