import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { needs } from '../../test/helpers/tools.js';
import { ArtifactFormatError } from '../errors.js';
import { decompress, detectCompression } from './compression.js';

const text = Buffer.from('0x00000001\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n'.repeat(1000));
const xz = (b: Buffer) => execFileSync('xz', ['-c'], { input: b });
const zstd = (b: Buffer) => execFileSync('zstd', ['-c', '-q'], { input: b });

async function rejects(p: Promise<unknown>, message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ArtifactFormatError, String(e));
    assert.match(e.message, message);
    return true;
  });
}

describe('decompress', { skip: needs('xz', 'zstd') }, () => {
  it('recognises gzip, xz and zstd by magic bytes and passes plain text through', async () => {
    assert.equal(detectCompression(gzipSync(text)), 'gzip');
    assert.equal(detectCompression(xz(text)), 'xz');
    assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd');
    assert.equal(detectCompression(text), 'none');
    assert.deepEqual(Buffer.from((await decompress(text, { source: 's' })).data), text);
  });

  it('round-trips gzip (symvers.gz) and xz', async () => {
    assert.deepEqual(Buffer.from((await decompress(gzipSync(text), { source: 's' })).data), text);
    const r = await decompress(xz(text), { source: 's' });
    assert.equal(r.compression, 'xz');
    assert.deepEqual(Buffer.from(r.data), text);
  });

  it('round-trips zstd and reports a truncated zstd frame', async () => {
    const z = zstd(text);
    const r = await decompress(z, { source: 's' });
    assert.equal(r.compression, 'zstd');
    assert.deepEqual(Buffer.from(r.data), text);
    await rejects(
      decompress(z.subarray(0, z.length - 5), { source: 'cut.zst' }),
      /^cut\.zst: corrupt or truncated zstd data/,
    );
    await rejects(
      decompress(zstd(Buffer.alloc(4 << 20)), { source: 'bomb.zst', maxOutput: 1 << 20 }),
      /^bomb\.zst: zstd data expands past 1048576 bytes; refusing$/,
    );
  });

  it('refuses output past the cap (a decompression bomb)', async () => {
    const bomb = Buffer.alloc(4 << 20);
    await rejects(
      decompress(gzipSync(bomb), { source: 'bomb.gz', maxOutput: 1 << 20 }),
      /^bomb\.gz: gzip data expands past 1048576 bytes; refusing$/,
    );
    await rejects(
      decompress(xz(bomb), { source: 'bomb.xz', maxOutput: 1 << 20 }),
      /^bomb\.xz: xz data expands past 1048576 bytes; refusing$/,
    );
  });

  it('reports truncated and corrupt data with the file name', async () => {
    const gz = gzipSync(text);
    await rejects(
      decompress(gz.subarray(0, gz.length / 2), { source: 'cut.gz' }),
      /^cut\.gz: corrupt or truncated gzip data/,
    );
    const x = xz(text);
    await rejects(
      decompress(x.subarray(0, x.length - 20), { source: 'cut.xz' }),
      /^cut\.xz: corrupt or truncated xz data/,
    );
    const bad = Buffer.from(x);
    bad.fill(0x55, 20, 60);
    await rejects(decompress(bad, { source: 'bad.xz' }), /^bad\.xz: corrupt or truncated xz data/);
  });
});
