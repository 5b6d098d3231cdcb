import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KabiError } from '../errors.js';
import { ModuleBtfList, type ModuleBtfPack, packModuleBtf } from './module-btf-pack.js';

const blobs = [
  { name: 'e1000e', bytes: new Uint8Array([1, 2, 3]) },
  { name: 'none', bytes: new Uint8Array(0) },
  { name: 'snd_pcm', bytes: new Uint8Array([4, 5]) },
];

/** Modules of the sizes given, each byte a function of the module and its offset. */
const sized = (sizes: number[]) =>
  sizes.map((n, m) => ({
    name: `m${m}`,
    bytes: Uint8Array.from({ length: n }, (_, i) => (i * 7 + m * 13 + (i >> 9)) & 0xff),
  }));

const text = (list: { name: string; bytes: Uint8Array }[]) =>
  list.map((b) => [b.name, Buffer.from(b.bytes).toString('base64')]);

/** As a store reads a pack back: the list, then the frames it names (all, or `only`'s). */
function readBack(pack: ModuleBtfPack, where: string, only?: ReadonlySet<string>) {
  const list = new ModuleBtfList(pack.modules, where);
  return list.blobs(new Map(list.frames(only).map((f) => [f, pack.frames[f]!])), only);
}

test('a pack gives back each module its bytes, in order', () => {
  assert.deepEqual(text(readBack(packModuleBtf(blobs), 'entry 1')), text(blobs));
  assert.deepEqual(readBack(packModuleBtf([]), 'entry 1'), []);
});

test('modules past a frame, larger than one, and read in any order come back whole; `only` reads their frames alone', () => {
  // ~2.9 MB in modules of 0 bytes to 1.5 MB: several frames, one module a frame of its own.
  const many = sized([0, 300_000, 300_000, 1_500_000, 10, 200_000, 0, 600_000, 5]);
  const pack = packModuleBtf(many);
  assert.ok(pack.frames.length >= 4, `${pack.frames.length} frames`);
  assert.deepEqual(text([...readBack(pack, 'entry 2')].reverse()), text([...many].reverse()));
  const only = new Set(['m4', 'm8', 'm99']);
  const list = new ModuleBtfList(pack.modules, 'entry 2');
  const frames = list.frames(only);
  assert.ok(frames.length < pack.frames.length, `${frames.length} of ${pack.frames.length} frames`);
  assert.deepEqual(text(readBack(pack, 'entry 2', only)), text(many.filter((m) => only.has(m.name))));
});

test("a damaged frame is an error naming the entry when one of its modules is read; other frames' modules still read", () => {
  const many = sized([600_000, 600_000, 600_000]);
  const good = packModuleBtf(many);
  const frames = good.frames.map((f) => Buffer.from(f));
  frames[1]!.fill(0x55, 0, 64); // the second frame's header and first block
  const got = readBack({ ...good, frames }, 'store entry 8');
  assert.deepEqual(text([got[0]!, got[2]!]), text([many[0]!, many[2]!]));
  assert.throws(
    () => got[1]!.bytes,
    (e: Error) => e instanceof KabiError && /^store entry 8: .* frame 1 is not a zstd frame/.test(e.message),
  );
});

test('a list that does not match its frames is an error naming the entry', () => {
  const good = packModuleBtf(blobs);
  const list = JSON.parse(good.modules);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a module missing',
      () => new ModuleBtfList(JSON.stringify({ ...list, modules: [['e1000e', 3]] }), 'store entry 7'),
      /frames hold 3 modules, not the 1 listed/,
    ],
    ['not JSON', () => new ModuleBtfList('[[', 'store entry 7'), /list is not JSON/],
    [
      'the one-frame list of before',
      () => new ModuleBtfList('[["e1000e",3]]', 'store entry 7'),
      /no modules and frames/,
    ],
    [
      'a frame missing',
      () => new ModuleBtfList(good.modules, 'store entry 7').blobs(new Map()),
      /lacks frame 0/,
    ],
    [
      'a frame of another length',
      () =>
        new ModuleBtfList(good.modules, 'store entry 7').blobs(
          new Map([[0, Buffer.concat([good.frames[0]!, Buffer.from('x')])]]),
        ),
      /frame 0 is \d+ bytes, not the \d+ its list says/,
    ],
  ];
  for (const [what, run, message] of cases)
    assert.throws(
      run,
      (e: Error) => e instanceof KabiError && /^store entry 7: /.test(e.message) && message.test(e.message),
      what,
    );
  list.modules[0][1] = 2;
  assert.throws(
    () => readBack({ ...good, modules: JSON.stringify(list) }, 'store entry 9')[0]!.bytes,
    (e: Error) => e instanceof KabiError && /store entry 9: .* holds 5 bytes, not the 4/.test(e.message),
  );
});
