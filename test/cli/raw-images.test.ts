// `kabi symvers` on kernels shipped as raw images (arm64 Image, s390 boot image), alone and inside a
// kernel tree, and on binaries that yield no exports at all: an error naming what was met, never an
// empty Module.symvers with exit 0.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { kabi } from '../helpers/exec.js';
import {
  buildArm64Image,
  buildKsymtabBlob,
  buildS390Image,
  syntheticExports,
} from '../helpers/raw-image-builder.js';

const EXPORTS = syntheticExports();
const tmp = () => mkdtempSync(join(tmpdir(), 'kabi-raw-'));
const arm64 = () => buildArm64Image(buildKsymtabBlob(EXPORTS, { fields: 'prel32', littleEndian: true }));
const s390 = () =>
  buildS390Image(buildKsymtabBlob(EXPORTS, { fields: 'pointer', littleEndian: false, base: 0x100000n }));

/** Module.symvers lines as modpost writes them, from the builder's own list. */
const expectedLines = () =>
  EXPORTS.map(
    (e) =>
      `0x${e.crc.toString(16).padStart(8, '0')}\t${e.symbol}\tvmlinux\t${e.gpl ? 'EXPORT_SYMBOL_GPL' : 'EXPORT_SYMBOL'}\t${e.namespace ?? ''}`,
  ).sort();

const outputLines = (stdout: string) => stdout.split('\n').filter(Boolean).sort();

describe('kabi symvers on raw kernel images', () => {
  it('reads an arm64 Image, plain and gzip’d', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'Image'), arm64());
    writeFileSync(join(dir, 'Image.gz'), gzipSync(arm64()));
    for (const f of ['Image', 'Image.gz']) {
      const r = kabi(['symvers', join(dir, f)]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(outputLines(r.stdout), expectedLines());
    }
  });

  it('reads an s390 boot image', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'image'), s390());
    const r = kabi(['symvers', join(dir, 'image')]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(outputLines(r.stdout), expectedLines());
  });

  it('reads the image of a kernel tree as vmlinux’s exports, without a warning', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'boot'));
    mkdirSync(join(dir, 'lib', 'modules', '6.1.0-9-arm64', 'kernel'), { recursive: true });
    writeFileSync(join(dir, 'boot', 'vmlinuz-6.1.0-9-arm64'), arm64());
    const r = kabi(['symvers', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(outputLines(r.stdout), expectedLines());
  });

  it('refuses a truncated arm64 Image with exit 1, naming what it met', () => {
    const dir = tmp();
    const image = arm64();
    writeFileSync(join(dir, 'Image'), image.subarray(0, image.length - 4096 - 200));
    const r = kabi(['symvers', join(dir, 'Image')]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /Image: no export table found: looked for __ksymtab\/__ksymtab_gpl of PREL32/);
  });

  it('refuses a kernel tree whose image and modules yield no exports, naming the image’s problem', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'boot'));
    mkdirSync(join(dir, 'lib', 'modules', '6.1.0-9-arm64', 'kernel'), { recursive: true });
    writeFileSync(join(dir, 'boot', 'vmlinuz-6.1.0-9-arm64'), buildArm64Image(Buffer.alloc(8192)));
    const r = kabi(['symvers', dir]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /no exports found in its binaries: met no kernel image; 0 in-tree modules \(none exporting\); boot\/vmlinuz-6\.1\.0-9-arm64: .*no export table found/,
    );
  });

  it('refuses an empty module tree rather than printing an empty Module.symvers', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'lib', 'modules', '6.1.0-9-arm64', 'kernel'), { recursive: true });
    const r = kabi(['symvers', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no exports found in its binaries: met no kernel image; 0 in-tree modules/);
  });
});
