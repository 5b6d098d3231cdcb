import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BtfType } from '../../src/model/btf.js';
import { readBtf } from '../../src/readers/btf/btf.js';
import { encodeBtf } from '../../src/writers/btf.js';
import { INT, member } from '../helpers/btf-types.js';
import { formatErrorOf } from '../helpers/format-error.js';

// One of every kind, referring to each other as a kernel's would (ids from 1).
const ALL_KINDS: BtfType[] = [
  INT, // 1
  { kind: 'ptr', name: '', type: 4 }, // 2
  { kind: 'array', name: '', type: 1, indexType: 1, nelems: 16 }, // 3
  {
    kind: 'struct',
    name: 'device',
    size: 24,
    members: [member('parent', 2), member('id', 1, 64), member('can_match', 1, 96, 1), member('', 5, 128)],
  }, // 4
  {
    kind: 'union',
    name: '',
    size: 8,
    members: [member('a', 1), member('b', 2)],
  }, // 5
  {
    kind: 'enum',
    name: 'state',
    size: 4,
    signed: true,
    values: [
      { name: 'NEG', value: -1n },
      { name: 'ONE', value: 1n },
    ],
  }, // 6
  { kind: 'fwd', name: 'opaque', union: true }, // 7
  { kind: 'typedef', name: 'dev_t', type: 1 }, // 8
  { kind: 'volatile', name: '', type: 1 }, // 9
  { kind: 'const', name: '', type: 9 }, // 10
  { kind: 'restrict', name: '', type: 2 }, // 11
  { kind: 'func', name: 'device_add', type: 13, linkage: 'global' }, // 12
  { kind: 'func_proto', name: '', type: 1, params: [{ name: 'dev', type: 2 }], variadic: true }, // 13
  { kind: 'var', name: 'runqueues', type: 1, linkage: 'global' }, // 14
  { kind: 'datasec', name: '.data..percpu', size: 4, vars: [{ type: 14, offset: 0, size: 4 }] }, // 15
  { kind: 'float', name: 'double', size: 8 }, // 16
  { kind: 'decl_tag', name: 'bpf_kfunc', type: 12, componentIdx: -1 }, // 17
  { kind: 'type_tag', name: 'rcu', type: 4 }, // 18
  {
    kind: 'enum64',
    name: 'wide',
    size: 8,
    signed: false,
    values: [{ name: 'BIG', value: 0xffff_ffff_ffff_fff0n }],
  }, // 19
];

describe('readBtf', () => {
  for (const bigEndian of [false, true]) {
    it(`reads every kind back as written (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      const btf = readBtf(encodeBtf(ALL_KINDS, { bigEndian }), { source: 'all.btf' });
      assert.equal(btf.count, ALL_KINDS.length + 1);
      assert.deepEqual(
        ALL_KINDS.map((_, i) => btf.get(i + 1)),
        ALL_KINDS,
      );
      assert.equal(btf.get(0).kind, 'void');
      assert.equal(btf.find('device', 'struct'), 4);
      assert.equal(btf.resolve(10), 1, 'const volatile int resolves to int');
    });
  }

  it('reads split BTF on top of its base: ids and string offsets continue', () => {
    const baseBytes = encodeBtf(ALL_KINDS);
    const base = readBtf(baseBytes, { source: 'vmlinux' });
    const stringBase = new DataView(baseBytes.buffer).getUint32(20, true);
    const own: BtfType[] = [
      {
        kind: 'struct',
        name: 'snd_card',
        size: 32,
        members: [member('dev', 4), member('self', base.count + 1, 192)],
      },
      { kind: 'ptr', name: '', type: base.count },
    ];
    const split = readBtf(encodeBtf(own, { stringBase }), { source: 'snd.ko', base });
    assert.equal(split.firstId, base.count);
    assert.deepEqual(split.get(base.count), own[0]);
    assert.equal(split.get(4), base.get(4), 'base types are shared, not copied');
    assert.equal(split.find('device', 'struct'), 4, 'names resolve through the base');
    assert.equal(split.find('snd_card', 'struct'), base.count);
  });

  describe('bad input', () => {
    const good = encodeBtf(ALL_KINDS);
    const patched = (at: number, value: number) => {
      const b = Uint8Array.from(good);
      new DataView(b.buffer).setUint32(at, value, true);
      return b;
    };
    const typeStart = 24;

    it('says what is wrong and where, for each kind of damage', () => {
      const cases: [string, Uint8Array, RegExp][] = [
        ['short', good.subarray(0, 10), /too short for a BTF header/],
        ['magic', Uint8Array.from([0x12, 0x34, ...good.subarray(2)]), /bad magic 0x1234: expected 0xeb9f/],
        ['version', Uint8Array.from([0x9f, 0xeb, 2, ...good.subarray(3)]), /BTF version 2/],
        ['truncated', good.subarray(0, good.length - 40), /string section .* runs past the end/],
        ['unknown kind', patched(typeStart + 4, 25 << 24), /type 1: unknown kind 25/],
        ['name offset', patched(typeStart, 0x7fffff), /name offset 8388607 lies outside the string section/],
        // the ptr (id 2) points at type 9999
        ['dangling ref', patched(typeStart + 16 + 8, 9999), /type 2 \(ptr \): its type refers to type 9999/],
      ];
      for (const [what, bytes, message] of cases) {
        const e = formatErrorOf(() => readBtf(bytes, { source: 'bad.btf', fileOffset: 0x1000 }));
        assert.match(e.message, message, what);
        assert.equal(e.source, 'bad.btf');
        assert.ok(e.offset !== undefined && e.offset >= 0x1000, `${what}: offset is in the file`);
      }
    });

    it('refuses a typedef chain that loops (the kernel does too) instead of hanging', () => {
      const loop: BtfType[] = [
        { kind: 'typedef', name: 'a', type: 2 },
        { kind: 'const', name: '', type: 1 },
      ];
      const e = formatErrorOf(() => readBtf(encodeBtf(loop), { source: 'loop.btf' }));
      assert.match(e.message, /qualifier chain loops back/);
    });

    it('refuses a record whose members run past the type section', () => {
      const b = Uint8Array.from(good);
      const v = new DataView(b.buffer);
      // struct device (id 4) claims 60,000 members
      const at = typeStart + 16 + 12 + 24;
      assert.equal((v.getUint32(at + 4, true) >>> 24) & 0x1f, 4, 'the patched record is the struct');
      v.setUint32(at + 4, (4 << 24) | 60000 | (1 << 31), true);
      assert.match(
        formatErrorOf(() => readBtf(b, { source: 'x' })).message,
        /type 4 \(struct device\): 720000 bytes/,
      );
    });
  });
});
