// Hostile BTF blobs (issue 16): type graphs no kernel would load, each small, that once overflowed the
// stack or ran for minutes in the C printer or the type graph. Committed under
// test/fixtures/hostile/btf/ and checked to equal what this file builds; to write them again:
//   npx tsc -p tsconfig.json && node dist/test/helpers/hostile-btf.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BtfRecord } from './btf-builder.js';
import { buildBtf } from './btf-builder.js';
import { INT, member } from './btf-types.js';
import { FIXTURES } from './independent.js';

export const HOSTILE_BTF_DIR = join(FIXTURES, 'hostile', 'btf');

/** Levels of the shared trees: 2^40 paths through 40 types. */
const LEVELS = 40;

function anonTree(): BtfRecord[] {
  const types: BtfRecord[] = [INT]; // 1
  types.push({ kind: 'struct', name: '', size: 8, members: [member('a', 1), member('b', 1, 32)] }); // 2
  for (let k = 1; k <= LEVELS; k++) {
    const size = 8 * 2 ** k;
    types.push({
      kind: 'struct',
      name: '',
      size,
      members: [member('a', k + 1), member('b', k + 1, (size / 2) * 8)],
    }); // k + 2
  }
  types.push({ kind: 'struct', name: 'top', size: 8 * 2 ** LEVELS, members: [member('x', LEVELS + 2)] });
  return types;
}

function protoTree(): BtfRecord[] {
  const types: BtfRecord[] = [INT]; // 1
  types.push({ kind: 'func_proto', name: '', type: 1, params: [{ name: 'x', type: 1 }], variadic: false }); // 2
  for (let k = 1; k <= LEVELS; k++) {
    // proto k (id 2k + 2) takes two pointers to proto k-1 (ptr at id 2k + 1).
    types.push({ kind: 'ptr', name: '', type: 2 * k }); // 2k + 1
    types.push({
      kind: 'func_proto',
      name: '',
      type: 1,
      params: [
        { name: 'a', type: 2 * k + 1 },
        { name: 'b', type: 2 * k + 1 },
      ],
      variadic: false,
    }); // 2k + 2
  }
  types.push({ kind: 'func', name: 'top', type: 2 * LEVELS + 2, linkage: 'global' });
  return types;
}

/** Each blob: its types, and what the reader must say (null: it reads, the walks must bound it). */
export const HOSTILE_BTF: Record<string, { types: BtfRecord[]; refused: RegExp | null }> = {
  // A prototype whose parameters are a pointer to itself and itself: `int f(int (*)(...), ...)` forever.
  'proto-self.btf': {
    types: [
      INT, // 1
      {
        kind: 'func_proto',
        name: '',
        type: 1,
        params: [
          { name: 'a', type: 3 },
          { name: 'b', type: 2 },
        ],
        variadic: false,
      }, // 2
      { kind: 'ptr', name: '', type: 2 }, // 3
      { kind: 'func', name: 'f', type: 2, linkage: 'global' }, // 4
    ],
    refused: null,
  },
  // An anonymous struct holding a pointer to itself: valid BTF (the kernel accepts it), but no C spells it.
  'anon-self-ptr.btf': {
    types: [
      { kind: 'struct', name: '', size: 8, members: [member('next', 2)] }, // 1
      { kind: 'ptr', name: '', type: 1 }, // 2
      { kind: 'struct', name: 'holder', size: 8, members: [member('a', 1)] }, // 3
    ],
    refused: null,
  },
  // An anonymous struct that embeds itself: infinite size; the kernel refuses it ("Loop detected").
  'anon-self.btf': {
    types: [
      { kind: 'struct', name: '', size: 8, members: [member('self', 1)] }, // 1
      { kind: 'struct', name: 'holder', size: 8, members: [member('a', 1)] }, // 2
    ],
    refused:
      /type 1 \(struct \): holds itself by value \(members, array elements, typedefs\), looping back to type 1/,
  },
  // Pointer and array chains that loop: `T = T *`, `T = T[2]`.
  'ptr-loop.btf': {
    types: [{ kind: 'ptr', name: '', type: 1 }],
    refused: /type 1 \(ptr \): pointer\/typedef\/qualifier chain loops back to type 1/,
  },
  'array-loop.btf': {
    types: [INT, { kind: 'array', name: '', type: 2, indexType: 1, nelems: 2 }],
    refused: /type 2 \(array \): holds itself by value/,
  },
  // Anonymous structs shared by dedup, each holding the one below twice: 2^40 members once flattened.
  'anon-tree.btf': { types: anonTree(), refused: null },
  // Prototypes each taking two pointers to the one below: 2^40 parameters once written out.
  'proto-tree.btf': { types: protoTree(), refused: null },
  // The legitimate loop: a named struct that points to itself.
  'list-head.btf': {
    types: [
      {
        kind: 'struct',
        name: 'list_head',
        size: 16,
        members: [member('next', 2), member('prev', 2, 64)],
      }, // 1
      { kind: 'ptr', name: '', type: 1 }, // 2
    ],
    refused: null,
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  for (const [name, { types }] of Object.entries(HOSTILE_BTF))
    writeFileSync(join(HOSTILE_BTF_DIR, name), buildBtf(types));
