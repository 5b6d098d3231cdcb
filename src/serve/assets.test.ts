import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type Asset, encodedBody, inlineSources, precompress } from './assets.js';

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

test('precompress encodes text assets in both encodings ahead of requests; those requests then send them', async () => {
  const a = script();
  const small = { ...script(), body: Buffer.from('x'.repeat(100)) };
  const png = { ...script(), type: 'image/png' };
  await precompress([a, small, png]);
  assert.deepEqual(brotliDecompressSync(a.encoded!.br!), a.body);
  assert.deepEqual(gunzipSync(a.encoded!.gzip!), a.body);
  assert.equal(encodedBody(a, 'br').body, a.encoded!.br);
  assert.equal(encodedBody(a, 'gzip').body, a.encoded!.gzip);
  assert.equal(small.encoded, undefined);
  assert.equal(png.encoded, undefined);
});

test('inlineSources: one hash per bare inline script or style, none for a file, a refusal for attributes', () => {
  const sha = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
  const html =
    '<head><script>a()</script><script type="module" src="/x.js"></script><style>p{}</style></head>' +
    '<body><script>b()\n</script></body>';
  assert.deepEqual(inlineSources(html), { script: [sha('a()'), sha('b()\n')], style: [sha('p{}')] });
  assert.deepEqual(inlineSources(undefined), { script: [], style: [] });
  assert.throws(() => inlineSources('<script nonce="x">evil()</script>'), /inline <script nonce/);
  assert.throws(() => inlineSources('<style media="all">p{}</style>'), /inline <style media/);
});
