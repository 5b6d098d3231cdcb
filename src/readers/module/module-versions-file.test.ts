// modinfoName, the sparse reader's one-entry lookup, against the whole reading it replaces
// (modinfoValue(parseModinfo(data), 'name')) on any `.modinfo` bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { modinfoValue, parseModinfo } from './modinfo.js';
import { modinfoName } from './module-versions-file.js';

const entry = fc.oneof(
  fc.constantFrom(
    'name=ext4',
    'name',
    'name=',
    'names=x',
    'nam',
    'name=a=b',
    'license=GPL',
    '',
    'name=\u00e9',
  ),
  fc.string({ maxLength: 8 }),
);

describe('modinfoName', () => {
  it('finds what modinfoValue(parseModinfo(...), "name") finds, on any entries', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 8 }), fc.boolean(), (entries, trailing) => {
        const bytes = Buffer.from(entries.join('\0') + (trailing ? '\0\0' : ''));
        assert.equal(modinfoName(bytes), modinfoValue(parseModinfo(bytes), 'name'));
      }),
      { numRuns: 3000, seed: 7 },
    );
    assert.equal(modinfoName(Buffer.from('license=GPL\0\0name=ext4\0name=other\0')), 'ext4');
    assert.equal(modinfoName(Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff])), '\ufffd');
  });
});
