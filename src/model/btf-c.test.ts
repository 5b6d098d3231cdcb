import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INT, member } from '../../test/helpers/btf-types.js';
import { Btf, type BtfType } from './btf.js';
import { cDeclaration, cDefinition } from './btf-c.js';

// Declarators C programmers know by heart; ids from 1.
const TYPES: BtfType[] = [
  INT, // 1
  { kind: 'int', name: 'char', size: 1, encoding: 'char', bitOffset: 0, bits: 8 }, // 2
  { kind: 'const', name: '', type: 2 }, // 3 const char
  { kind: 'ptr', name: '', type: 3 }, // 4 const char *
  { kind: 'const', name: '', type: 4 }, // 5 const char * const
  { kind: 'ptr', name: '', type: 5 }, // 6 const char * const *
  { kind: 'fwd', name: 'device', union: false }, // 7
  { kind: 'ptr', name: '', type: 7 }, // 8 struct device *
  { kind: 'func_proto', name: '', type: 1, params: [{ name: '', type: 8 }], variadic: false }, // 9 int (struct device *)
  { kind: 'ptr', name: '', type: 9 }, // 10 int (*)(struct device *)
  { kind: 'array', name: '', type: 10, indexType: 1, nelems: 4 }, // 11 int (*[4])(struct device *)
  { kind: 'array', name: '', type: 1, indexType: 1, nelems: 8 }, // 12 int[8]
  { kind: 'ptr', name: '', type: 12 }, // 13 int (*)[8]
  {
    kind: 'union',
    name: '',
    size: 8,
    members: [member('a', 1), member('b', 4)],
  }, // 14
  {
    kind: 'struct',
    name: 'ops',
    size: 64,
    members: [
      member('probe', 10),
      member('table', 11, 64),
      member('row', 13, 320),
      member('flag', 1, 384, 1),
      member('', 14, 448),
    ],
  }, // 15
  { kind: 'typedef', name: 'probe_fn', type: 10 }, // 16
  { kind: 'func_proto', name: '', type: 4, params: [{ name: 'fmt', type: 4 }], variadic: true }, // 17
  { kind: 'func', name: 'kasprintf', type: 17, linkage: 'global' }, // 18
  {
    kind: 'enum',
    name: 'state',
    size: 4,
    signed: true,
    values: [
      { name: 'OFF', value: -1n },
      { name: 'ON', value: 1n },
    ],
  }, // 19
];
const btf = new Btf(TYPES, 1, null, 'test');

describe('C declarations', () => {
  it('spells declarators the way C (and libbpf) does', () => {
    assert.equal(cDeclaration(btf, 6, 'argv'), 'const char * const *argv');
    assert.equal(cDeclaration(btf, 10, 'probe'), 'int (*probe)(struct device *)');
    assert.equal(cDeclaration(btf, 11, 'table'), 'int (*table[4])(struct device *)');
    assert.equal(cDeclaration(btf, 13, 'row'), 'int (*row)[8]');
    assert.equal(cDeclaration(btf, 10, ''), 'int (*)(struct device *)');
  });

  it('writes definitions with anonymous members inline and bitfields', () => {
    assert.equal(
      cDefinition(btf, 15),
      [
        'struct ops {',
        '\tint (*probe)(struct device *);',
        '\tint (*table[4])(struct device *);',
        '\tint (*row)[8];',
        '\tint flag: 1;',
        '\tunion {',
        '\t\tint a;',
        '\t\tconst char *b;',
        '\t};',
        '};',
      ].join('\n'),
    );
    assert.equal(cDefinition(btf, 16), 'typedef int (*probe_fn)(struct device *);');
    assert.equal(cDefinition(btf, 18), 'const char *kasprintf(const char *fmt, ...);');
    assert.equal(cDefinition(btf, 19), 'enum state {\n\tOFF = -1,\n\tON = 1,\n};');
  });
});
