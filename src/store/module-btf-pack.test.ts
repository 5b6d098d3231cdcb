import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KabiError } from '../errors.js';
import { packModuleBtf, unpackModuleBtf } from './module-btf-pack.js';

const blobs = [
  { name: 'e1000e', bytes: new Uint8Array([1, 2, 3]) },
  { name: 'none', bytes: new Uint8Array(0) },
  { name: 'snd_pcm', bytes: new Uint8Array([4, 5]) },
];

/** Modules of the sizes given, each byte a function of the module and its offset (no two alike). */
const sized = (sizes: number[]) =>
  sizes.map((n, m) => ({
    name: `m${m}`,
    bytes: Uint8Array.from({ length: n }, (_, i) => (i * 7 + m * 13 + (i >> 9)) & 0xff),
  }));

const same = (got: { name: string; bytes: Uint8Array }[], want: { name: string; bytes: Uint8Array }[]) =>
  assert.deepEqual(
    got.map((b) => [b.name, Buffer.from(b.bytes).toString('base64')]),
    want.map((b) => [b.name, Buffer.from(b.bytes).toString('base64')]),
  );

test('a pack gives back each module its bytes, in order', () => {
  same(unpackModuleBtf(packModuleBtf(blobs), 'entry 1'), blobs);
  same(unpackModuleBtf(packModuleBtf([]), 'entry 1'), []);
});

test('modules past a frame, larger than one, and read in any order come back whole', () => {
  // ~2.6 MB in modules of 0 bytes to 1.5 MB: several frames, one module its own frame.
  const many = sized([0, 300_000, 300_000, 1_500_000, 10, 200_000, 0, 600_000, 5]);
  const pack = packModuleBtf(many);
  const frames = (JSON.parse(pack.modules) as { frames: [number, number][] }).frames;
  assert.ok(frames.length >= 4, `${frames.length} frames`);
  assert.equal(
    frames.reduce((n, [size]) => n + size, 0),
    pack.pack.length,
  );
  const got = unpackModuleBtf(pack, 'entry 2');
  same([...got].reverse(), [...many].reverse());
});

test("a damaged frame is an error naming the entry when one of its modules is read; other frames' modules still read", () => {
  const many = sized([600_000, 600_000, 600_000]);
  const good = packModuleBtf(many);
  const [[first]] = (JSON.parse(good.modules) as { frames: [number, number][] }).frames as [[number, number]];
  const pack = Buffer.from(good.pack);
  pack.fill(0x55, first, first + 64); // the second frame's header and first block
  const got = unpackModuleBtf({ ...good, pack }, 'store entry 8');
  same([got[0]!, got[2]!], [many[0]!, many[2]!]);
  assert.throws(
    () => got[1]!.bytes,
    (e: Error) =>
      e instanceof KabiError &&
      new RegExp(`store entry 8: .* at byte ${first} is not a zstd frame`).test(e.message),
  );
});

test('a list that does not match its pack is an error naming the entry at once', () => {
  const good = packModuleBtf(blobs);
  const cases: [string, Partial<typeof good>, RegExp][] = [
    [
      'a module missing',
      { modules: JSON.stringify({ ...JSON.parse(good.modules), modules: [['e1000e', 3]] }) },
      /frames hold 3 modules, not the 1 listed/,
    ],
    [
      'bytes after the frames',
      { pack: Buffer.concat([good.pack, Buffer.from('x')]) },
      /is \d+ bytes, not the \d+ its frames/,
    ],
    ['not JSON', { modules: '[[' }, /list is not JSON/],
    ['the old one-frame list', { modules: JSON.stringify([['e1000e', 3]]) }, /no modules and frames/],
  ];
  for (const [what, change, message] of cases)
    assert.throws(
      () => unpackModuleBtf({ ...good, ...change }, 'store entry 7'),
      (e: Error) => e instanceof KabiError && /^store entry 7: /.test(e.message) && message.test(e.message),
      what,
    );
  const sizes = JSON.parse(good.modules);
  sizes.modules[0][1] = 2;
  assert.throws(
    () => unpackModuleBtf({ ...good, modules: JSON.stringify(sizes) }, 'store entry 9')[0]!.bytes,
    (e: Error) => e instanceof KabiError && /store entry 9: .* holds 5 bytes, not the 4/.test(e.message),
  );
});
