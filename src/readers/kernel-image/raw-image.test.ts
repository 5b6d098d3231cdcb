// Raw kernel images (arm64 Image, s390 boot image): recognised by content, their export tables found
// exactly, and every image whose table cannot be found an error naming what was met, never 0 exports.
// Synthetic tables come from test/helpers/raw-image-builder.ts; the real headers of Debian's images are in
// test/fixtures/images (PROVENANCE.md). The whole real images are compared with Debian's Module.symvers
// in test/real-data/debian-ports.test.ts (download-gated).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { xzSync } from 'node-liblzma';
import {
  buildArm64Image,
  buildKsymtabBlob,
  buildS390Image,
  type SyntheticExport,
  syntheticExports,
} from '../../../test/helpers/raw-image-builder.js';
import { ArtifactFormatError } from '../../errors.js';
import type { Export } from '../../model/export.js';
import { kindOfContent } from '../artifact.js';
import { decompress } from '../compression.js';
import { isArm64Image, readArm64ImageExports, readArm64ImageHeader } from './arm64-image.js';
import { findRawKsymtab } from './raw-ksymtab.js';
import { extractS390Kernel, isS390Image, readS390ImageExports } from './s390-image.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'images');
const head = async (name: string) =>
  Buffer.from((await decompress(readFileSync(join(FIXTURES, name)), { source: name })).data);

function expected(exports: SyntheticExport[]): Export[] {
  const sorted = (gpl: boolean) =>
    exports.filter((e) => e.gpl === gpl).sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  return [...sorted(false), ...sorted(true)].map((e) => ({
    symbol: e.symbol,
    crc: e.crc,
    module: 'vmlinux',
    exportType: e.gpl ? 'EXPORT_SYMBOL_GPL' : 'EXPORT_SYMBOL',
    namespace: e.namespace ?? '',
  }));
}

const EXPORTS = syntheticExports();

describe('arm64 Image', () => {
  it('is recognised by "ARM\\x64" at 0x38, in the real header of Debian 6.1.0-57 too, gzip\'d or not', async () => {
    const real = await head('arm64-6.1.0-57.head.xz');
    assert.equal(isArm64Image(real), true);
    assert.equal(kindOfContent(real), 'arm64-image');
    assert.deepEqual(readArm64ImageHeader(real, { source: 'Image' }), {
      textOffset: 0n,
      imageSize: 0x2010000n,
      littleEndian: true,
      pageSizeKiB: 4,
    });
    const gz = gzipSync(buildArm64Image(buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true })));
    assert.equal(kindOfContent((await decompress(gz, { source: 'Image.gz' })).data), 'arm64-image');
    assert.equal(isArm64Image(Buffer.alloc(0x3b)), false);
  });

  it('yields every export with its CRC, type and namespace, skipping look-alike tables', () => {
    const image = buildArm64Image(buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true }));
    assert.deepEqual(readArm64ImageExports(image, { source: 'Image' }), expected(EXPORTS));
  });

  it('reads the table behind the real header of Debian 6.1.0-57', async () => {
    const real = await head('arm64-6.1.0-57.head.xz');
    const image = buildArm64Image(buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true }), real);
    assert.deepEqual(readArm64ImageExports(image, { source: 'Image' }), expected(EXPORTS));
  });

  it('reads a kernel built without MODVERSIONS: no __kcrctab, CRCs null', () => {
    const blob = buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true, noCrcs: true });
    const got = readArm64ImageExports(buildArm64Image(blob), { source: 'Image' });
    assert.deepEqual(
      got,
      expected(EXPORTS).map((e) => ({ ...e, crc: null })),
    );
  });

  it('refuses a truncated image, naming what it met, instead of yielding nothing', () => {
    const image = buildArm64Image(buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true }));
    // Cut inside __ksymtab_strings: entries now point past the end.
    const cut = image.subarray(0, image.length - 4096 - 200);
    assert.throws(
      () => readArm64ImageExports(cut, { source: 'Image' }),
      (e: unknown) =>
        e instanceof ArtifactFormatError &&
        /^Image: no export table found: looked for __ksymtab\/__ksymtab_gpl of PREL32 kernel_symbol entries \(little-endian\)/.test(
          e.message,
        ),
    );
  });

  it('refuses an image with the magic but no table at all', () => {
    const image = buildArm64Image(Buffer.alloc(8192, 0x41));
    assert.throws(
      () => readArm64ImageExports(image, { source: 'Image' }),
      /Image: no export table found: .* and met no run of such entries at all$/,
    );
  });

  it('refuses one whose names do not split into __ksymtab then __ksymtab_gpl', () => {
    const plainOnly = EXPORTS.map((e) => ({ ...e, gpl: false }));
    const image = buildArm64Image(buildKsymtabBlob(plainOnly, { fields: 'prel32', littleEndian: true }));
    assert.throws(
      () => readArm64ImageExports(image, { source: 'Image' }),
      /cannot tell __ksymtab from __ksymtab_gpl/,
    );
  });

  it('refuses what is not an arm64 Image', () => {
    assert.throws(
      () => readArm64ImageExports(Buffer.alloc(128), { source: 'x' }),
      /x@0x38: not an arm64 Image: expected "ARM\\x64" \(41 52 4d 64\) at 0x38, found 00 00 00 00$/,
    );
  });
});

describe('s390 boot image', () => {
  const kernel = () => buildKsymtabBlob(EXPORTS, { fields: 'pointer', littleEndian: false, base: 0x100000n });

  it('is recognised by its IPL CCWs, in the real first 4 KiB of Debian 6.1.0-50 too', async () => {
    const real = await head('s390x-6.1.0-50.head.xz');
    assert.equal(isS390Image(real), true);
    assert.equal(kindOfContent(real), 's390-image');
    assert.equal(isS390Image(Buffer.alloc(64)), false);
  });

  it('finds the xz-compressed kernel past a decoy xz header and reads its big-endian pointer table', async () => {
    const image = buildS390Image(kernel());
    assert.deepEqual(Buffer.from(await extractS390Kernel(image, { source: 'image' })), kernel());
    assert.deepEqual(await readS390ImageExports(image, { source: 'image' }), expected(EXPORTS));
  });

  it('reads it behind the real first 4 KiB of Debian 6.1.0-50', async () => {
    const image = buildS390Image(kernel(), await head('s390x-6.1.0-50.head.xz'));
    assert.equal(kindOfContent(image), 's390-image');
    assert.deepEqual(await readS390ImageExports(image, { source: 'image' }), expected(EXPORTS));
  });

  it('gives the link address the table implies', () => {
    const t = findRawKsymtab(
      kernel(),
      { fields: 'pointer', wordSize: 8, littleEndian: false },
      { source: 'k' },
    );
    assert.equal(t.base, 0x100000n);
    assert.deepEqual(t.counts, [EXPORTS.filter((e) => !e.gpl).length, EXPORTS.filter((e) => e.gpl).length]);
  });

  it('refuses an image whose payload size disagrees with the stream', async () => {
    const image = buildS390Image(kernel());
    // The LE u32 after the stream is what size_append wrote.
    const end = image.length - 512 - 4;
    image.writeUInt32LE(image.readUInt32LE(end) + 1, end);
    await assert.rejects(
      extractS390Kernel(image, { source: 'image' }),
      /image: no compressed kernel found in the s390 image: .*decodes to \d+ bytes, the size after it says \d+/,
    );
  });

  it('refuses a truncated image', async () => {
    const image = buildS390Image(kernel());
    await assert.rejects(
      extractS390Kernel(image.subarray(0, image.length >> 1), { source: 'image' }),
      /image: no compressed kernel found in the s390 image: looked for an xz stream followed by its size; tried .*no stream footer/,
    );
  });

  it('refuses a kernel without a recognisable table', async () => {
    const image = buildS390Image(Buffer.alloc(65536, 0x11));
    await assert.rejects(
      readS390ImageExports(image, { source: 'image' }),
      /image: no export table found: looked for __ksymtab\/__ksymtab_gpl of 64-bit pointer kernel_symbol entries \(big-endian\)/,
    );
  });

  it("takes xz from node-liblzma in the builder as Debian's xz_wrap.sh writes it (CRC32 check)", () => {
    const x = xzSync(Buffer.from('x'), { check: 1 });
    assert.equal(x[7], 1); // stream flags: check type 1 = CRC32
  });
});
