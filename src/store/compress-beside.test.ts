import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type * as Zstd from 'zstd-napi';
import { compressBeside } from './compress-beside.js';

// Text that deflate works at (repeated words with noise), large enough to go to the worker.
const text = (n: number) => {
  const words = randomBytes(4096)
    .toString('hex')
    .match(/.{1,7}/g)!;
  let s = '';
  for (let i = 0; s.length < n; i++) s += `${words[(i * 7919) % words.length]} ${i % 97} `;
  return Buffer.from(s);
};

test('compressBeside (gzip) gives gzipSync bytes, in the worker and on this thread', () => {
  for (const inputs of [[text(3 << 20), text(100)], [text(1000)], [Buffer.alloc(0), text(2 << 20)]]) {
    const got = compressBeside(() => inputs.map((b) => Buffer.from(b)), { gzip: 6 })();
    assert.equal(got.length, inputs.length);
    for (const [i, b] of inputs.entries()) {
      assert.deepEqual(got[i], gzipSync(b, { level: 6 }));
      assert.deepEqual(gunzipSync(got[i]!), b);
    }
  }
});

test('compressBeside (gzip) shares what it cannot hand over', () => {
  // Shared memory is not transferable: the worker reads it where it is; still the same bytes.
  const shared = new Uint8Array(new SharedArrayBuffer(2 << 20));
  shared.set(text(2 << 20).subarray(0, 2 << 20));
  assert.deepEqual(compressBeside(() => [shared], { gzip: 6 })()[0], gzipSync(shared, { level: 6 }));
});

test('compressBeside (zstd) gives zstd-napi’s bytes at that level, in the worker and on this thread', () => {
  const zstd = createRequire(import.meta.url)('zstd-napi') as typeof Zstd;
  for (const inputs of [[text(3 << 20), text(100)], [text(1000)]]) {
    const got = compressBeside(() => inputs.map((b) => Buffer.from(b)), { zstd: 3 })();
    assert.equal(got.length, inputs.length);
    for (const [i, b] of inputs.entries()) {
      assert.deepEqual(got[i], zstd.compress(b, { compressionLevel: 3 }));
      assert.deepEqual(zstd.decompress(got[i]!), b);
    }
  }
});
