import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArtifactFormatError } from '../../src/errors.js';
import type { BtfType } from '../../src/model/btf.js';
import { rawImageBtf } from '../../src/readers/btf/raw-image-btf.js';
import { encodeBtf } from '../../src/writers/btf.js';

const types: BtfType[] = [
  { kind: 'int', name: 'int', size: 4, bits: 32, bitOffset: 0, encoding: 'signed' },
  { kind: 'func_proto', name: '', type: 1, params: [], variadic: false },
  { kind: 'func', name: 'bpf_f', type: 2, linkage: 'global' },
];

/** An "image": code bytes, the BTF, then .BTF_ids words (a set8 of one kfunc), then a pointer-sized word. */
function image(bigEndian: boolean): Uint8Array {
  const btf = encodeBtf(types, { bigEndian });
  const pad = (4 - ((64 + btf.length) % 4)) % 4;
  const ids = Buffer.alloc(16 + 4);
  const w = (o: number, v: number) => (bigEndian ? ids.writeUInt32BE(v, o) : ids.writeUInt32LE(v, o));
  w(0, 1); // set8 cnt
  w(4, 0); // flags
  w(8, 3); // id of bpf_f
  w(12, 0); // its flags
  w(16, 0xffff8000); // not an id: the section has ended
  return Buffer.concat([Buffer.alloc(64, 0xaa), btf, Buffer.alloc(pad), ids]);
}

describe('rawImageBtf', () => {
  for (const bigEndian of [false, true])
    it(`finds the BTF by its header and .BTF_ids after it (${bigEndian ? 'big' : 'little'}-endian)`, () => {
      const r = rawImageBtf(image(bigEndian), 'Image');
      assert.equal(r.btf.get(3).name, 'bpf_f');
      assert.equal(r.btfIds?.data.length, 16, 'ends at the first word that is no BTF id');
      assert.equal(r.btfIds?.littleEndian, !bigEndian);
      assert.deepEqual(Buffer.from(r.raw), Buffer.from(encodeBtf(types, { bigEndian })));
    });
  it('an image without BTF, or with a header whose lengths run past the end, is an error', () => {
    assert.throws(() => rawImageBtf(Buffer.alloc(4096, 0x11), 'Image'), ArtifactFormatError);
    const cut = image(false).subarray(0, 80);
    assert.throws(() => rawImageBtf(cut, 'Image'), /no BTF in the image/);
  });
});
