import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type Asset, encodedBody } from './assets.js';

const script = (): Asset => ({
  body: Buffer.from('export const x = 1;\n'.repeat(200)),
  type: 'text/javascript; charset=utf-8',
  etag: '"e"',
  immutable: true,
});

test('a text asset is sent in brotli, else gzip, as the client accepts, and decodes to the same bytes', () => {
  const a = script();
  const br = encodedBody(a, 'gzip, deflate, br');
  assert.equal(br.encoding, 'br');
  assert.ok(br.body.length < a.body.length / 4);
  assert.deepEqual(brotliDecompressSync(br.body), a.body);
  const gz = encodedBody(a, 'br;q=0, gzip');
  assert.equal(gz.encoding, 'gzip');
  assert.deepEqual(gunzipSync(gz.body), a.body);
  // Compressed once: the same buffer again.
  assert.equal(encodedBody(a, 'br').body, br.body);
});

test('no encoding for identity-only clients, small files and images already compressed', () => {
  assert.equal(encodedBody(script(), undefined).encoding, null);
  assert.equal(encodedBody(script(), 'identity').encoding, null);
  assert.equal(encodedBody({ ...script(), body: Buffer.from('x'.repeat(100)) }, 'br').encoding, null);
  assert.equal(encodedBody({ ...script(), type: 'image/png' }, 'br, gzip').encoding, null);
});
