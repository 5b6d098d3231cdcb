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

  it('decodes zstd of a size the container declares in one call, and anything else as without it', async () => {
    // Piped: the frame does not say its size (as a kernel's vmlinux.bin.zst); the size is the caller's.
    const z = zstd(text);
    const whole = await decompress(z, { source: 's', expectedSize: text.length });
    assert.deepEqual(Buffer.from(whole.data), text);
    // A declared size that is wrong either way decodes as without it: the same bytes.
    for (const size of [text.length - 1, text.length + 1, 0, -1, 2 ** 60])
      assert.deepEqual(Buffer.from((await decompress(z, { source: 's', expectedSize: size })).data), text);
    // Cut, or past the cap: the same errors as without it.
    await rejects(
      decompress(z.subarray(0, z.length - 5), { source: 'cut.zst', expectedSize: text.length }),
      /^cut\.zst: corrupt or truncated zstd data/,
    );
    await rejects(
      decompress(zstd(Buffer.alloc(4 << 20)), {
        source: 'bomb.zst',
        maxOutput: 1 << 20,
        expectedSize: 4 << 20,
      }),
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

describe('decompress in the xz pool (a package’s .ko.xz modules)', { skip: needs('xz') }, () => {
  const message = (p: Promise<unknown>) =>
    p.then(
      () => 'decoded',
      (e: Error) => `${e.constructor.name}: ${e.message}`,
    );
  const both = (bytes: Uint8Array, opts: { maxOutput?: number; maxRatio?: number } = {}) =>
    Promise.all([
      message(decompress(bytes, { source: 's.ko.xz', ...opts })),
      message(decompress(bytes, { source: 's.ko.xz', ...opts, inWorker: true })),
    ]);

  it('decodes to the same bytes as on the main thread, many at once', async () => {
    const inputs = Array.from({ length: 24 }, (_, i) => xz(Buffer.concat([text, Buffer.from(`${i}`)])));
    const pooled = await Promise.all(inputs.map((b) => decompress(b, { source: 's', inWorker: true })));
    for (const [i, r] of pooled.entries()) {
      assert.equal(r.compression, 'xz');
      assert.ok(Buffer.from(r.data).equals(Buffer.concat([text, Buffer.from(`${i}`)])));
    }
    // A small output comes back in a buffer of its own (never Buffer's shared pool).
    const tiny = await decompress(xz(Buffer.from('x')), { source: 's', inWorker: true });
    assert.equal(Buffer.from(tiny.data).toString(), 'x');
  });

  it('fails as the main thread does: truncated, corrupt, past the caps', async () => {
    const whole = xz(text);
    const corrupt = Buffer.from(whole);
    corrupt[corrupt.length >> 1]! ^= 0x55;
    for (const bytes of [whole.subarray(0, whole.length - 20), corrupt]) {
      const [main, pool] = await both(bytes);
      assert.match(main, /^ArtifactFormatError: s\.ko\.xz: corrupt or truncated xz data/);
      assert.equal(pool, main);
    }
    const [main, pool] = await both(whole, { maxOutput: 1000 });
    assert.match(main, /^DecompressionLimitError: .*expands past 1000 bytes/);
    assert.equal(pool, main);
    const zeros = xz(Buffer.alloc(8 << 20));
    const [mainRatio, poolRatio] = await both(zeros, { maxRatio: 2 });
    assert.match(mainRatio, /expands to more than 2 times its compressed size/);
    assert.equal(poolRatio, mainRatio);
  });
});
