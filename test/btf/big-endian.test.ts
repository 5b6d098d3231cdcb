// Big-endian BTF (s390x; Debian builds its s390x and ppc64el kernels without BTF, so no real blob
// exists to download): the real little-endian BTF fixtures byte-swapped by a swapper written here from
// include/uapi/linux/btf.h, not by kabi's writer. Every field after the 2-byte magic and the two
// version/flags bytes is a 32-bit word: the header's five offsets and lengths, and in the type section
// each btf_type (name_off, info, size/type) and every kind's trailing data (btf_array, btf_member,
// btf_enum, btf_enum64's two halves, btf_param, btf_var, btf_var_secinfo, btf_decl_tag). The string
// section is bytes and stays as it is.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readBtf } from '../../src/readers/btf/btf.js';
import { btfSection } from '../../src/readers/btf/kernel-btf.js';
import { openElf } from '../../src/readers/elf/elf.js';
import { buildElf } from '../helpers/elf-builder.js';
import { FIXTURES, unxzBytes } from '../helpers/independent.js';

function swapWord(b: Buffer, at: number): void {
  b.writeUInt32BE(b.readUInt32LE(at), at);
}

/** A little-endian BTF blob in big-endian order. */
function toBigEndian(le: Buffer): Buffer {
  assert.equal(le.readUInt16LE(0), 0xeb9f, 'a little-endian BTF');
  const b = Buffer.from(le);
  const hdrLen = le.readUInt32LE(4);
  const typeOff = le.readUInt32LE(8);
  const typeLen = le.readUInt32LE(12);
  b.writeUInt16BE(0xeb9f, 0);
  for (let at = 4; at < hdrLen; at += 4) swapWord(b, at);
  const start = hdrLen + typeOff;
  assert.equal(typeLen % 4, 0);
  for (let at = start; at < start + typeLen; at += 4) swapWord(b, at);
  return b;
}

const BLOBS = ['6.1.0-50.subset.btf.xz', '6.1.0-50.netdev.btf.xz', '6.1.0-47.subset.btf.xz'];

describe('BTF in either byte order', () => {
  for (const name of BLOBS) {
    it(`${name} byte-swapped reads as the same types`, () => {
      const le = unxzBytes(join(FIXTURES, 'btf', name));
      const be = toBigEndian(le);
      assert.deepEqual([be[0], be[1]], [0xeb, 0x9f]);
      assert.notDeepEqual(be, le);
      const want = readBtf(le, { source: name });
      const got = readBtf(be, { source: `${name} (big-endian)` });
      assert.ok(want.own.length > 1000, `${want.own.length} types`);
      assert.deepEqual(got.own, want.own);
    });

    it(`${name} read lazily, in either byte order, decodes the same types and names`, () => {
      const le = unxzBytes(join(FIXTURES, 'btf', name));
      const want = readBtf(le, { source: name });
      for (const bytes of [le, toBigEndian(le)]) {
        const lazy = readBtf(bytes, { source: name, lazy: true });
        assert.equal(lazy.count, want.count);
        assert.equal(lazy.ownItems, want.ownItems);
        // Asked out of order, by name first: each type decoded on its own.
        const names = want.own.filter((t) => t.name).map((t) => t.name);
        for (const n of names.slice(0, 500)) assert.deepEqual(lazy.named(n), want.named(n));
        // A lookup among some kinds (only those names indexed) finds what a lookup among all finds.
        const kinds = ['func', 'var', 'struct', 'union', 'enum', 'typedef', 'fwd', 'int'] as const;
        for (const n of names.filter((_n, i) => i % 5 === 0))
          for (const kind of kinds) assert.equal(lazy.find(n, kind), want.find(n, kind), `${kind} ${n}`);
        for (let id = want.count - 1; id >= 1; id -= 7) assert.deepEqual(lazy.get(id), want.get(id));
        assert.deepEqual(lazy.own, want.own);
      }
    });
  }

  it('reads the .BTF of a big-endian (s390x) ELF', () => {
    const le = unxzBytes(join(FIXTURES, 'btf', BLOBS[0]!));
    const vmlinux = buildElf({
      is64: true,
      littleEndian: false,
      machine: 22,
      type: 2,
      sections: [{ name: '.BTF', data: toBigEndian(le) }],
    });
    const btf = btfSection(openElf(vmlinux, { source: 'vmlinux' }));
    assert.deepEqual(btf.own, readBtf(le, { source: 'le' }).own);
  });
});
