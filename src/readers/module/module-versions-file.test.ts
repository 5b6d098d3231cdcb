// modinfoName, the sparse reader's one-entry lookup, against the whole reading it replaces
// (modinfoValue(parseModinfo(data), 'name')) on any `.modinfo` bytes.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { modinfoValue, parseModinfo } from './modinfo.js';
import {
  modinfoName,
  readModuleVersionsFile,
  readModuleVersionsFileGeneral,
} from './module-versions-file.js';

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

describe('readModuleVersionsFile', () => {
  // The fast path (64-bit little-endian, four reads) must answer exactly what the general reading
  // answers, or step aside: on real modules, and on the same modules with bytes of their ELF header,
  // section table and names changed at random.
  const fixtures = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'modules');
  const files = [
    'lib/modules/6.1.0-47-amd64/kernel/lib/crc16.ko',
    'lib/modules/6.1.0-47-amd64/kernel/drivers/virtio/virtio_dma_buf.ko',
    'kmods/6.1.0-47/acpi_call.ko',
  ].map((f) => join(fixtures, f));
  const answer = (read: () => unknown) => {
    try {
      return read();
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'kabi-mvf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees with the general reading on real modules', () => {
    for (const f of files) {
      const fast = readModuleVersionsFile(f, 'x', 'x');
      assert.ok(fast && fast.imports.length > 0, f);
      assert.deepEqual(fast, readModuleVersionsFileGeneral(f, 'x', 'x'));
    }
  });

  it('agrees with the general reading on damaged modules', () => {
    const target = join(dir, 'm.ko');
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.boolean()), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (file, edits, cut) => {
          const bytes = Buffer.from(readFileSync(file));
          const shoff = Number(bytes.readBigUInt64LE(40));
          for (const [at, value, inHeader] of edits) {
            // Where the fast path looks: the ELF header, or the names and section table at the end.
            const pos = inHeader
              ? at % 64
              : Math.max(0, shoff - 1024) + (at % (bytes.length - Math.max(0, shoff - 1024)));
            bytes[pos] = value;
          }
          const length = cut % 7 === 0 ? cut % bytes.length : bytes.length;
          writeFileSync(target, bytes.subarray(0, length));
          assert.deepEqual(
            answer(() => readModuleVersionsFile(target, 'x', 'x')),
            answer(() => readModuleVersionsFileGeneral(target, 'x', 'x')),
          );
        },
      ),
      { numRuns: 1500, seed: 17 },
    );
  });
});
