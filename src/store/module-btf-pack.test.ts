import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KabiError } from '../errors.js';
import { packModuleBtf, unpackModuleBtf } from './module-btf-pack.js';

const blobs = [
  { name: 'e1000e', bytes: new Uint8Array([1, 2, 3]) },
  { name: 'none', bytes: new Uint8Array(0) },
  { name: 'snd_pcm', bytes: new Uint8Array([4, 5]) },
];

test('a pack gives back each module its bytes, in order', () => {
  const got = unpackModuleBtf(packModuleBtf(blobs), 'entry 1');
  assert.deepEqual(
    got.map((b) => [b.name, [...b.bytes]]),
    blobs.map((b) => [b.name, [...b.bytes]]),
  );
});

test('a damaged pack is an error naming the entry when a module is first read, not before', () => {
  const good = packModuleBtf(blobs);
  const short = unpackModuleBtf({ ...good, modules: JSON.stringify([['e1000e', 3]]) }, 'store entry 7');
  assert.throws(
    () => short[0]!.bytes,
    (e: Error) => e instanceof KabiError && /store entry 7: .* 5 bytes, not the 3/.test(e.message),
  );
  const garbage = unpackModuleBtf({ ...good, pack: Buffer.from('not zstd') }, 'store entry 8');
  assert.equal(garbage.length, 3, 'listed without reading the frame');
  assert.throws(
    () => garbage[2]!.bytes,
    (e: Error) => e instanceof KabiError && /store entry 8: .* not a zstd frame/.test(e.message),
  );
});
