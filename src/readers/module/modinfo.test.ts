// .modinfo: entries as the loader finds them, and hostile sections read in linear time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildElf, modinfoSection } from '../../../test/helpers/elf-builder.js';
import { decompress } from '../compression.js';
import { modinfoFirstValues, modinfoValue, parseModinfo } from './modinfo.js';
import { parseModuleImage } from './module-image.js';

const HOSTILE = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'hostile', 'module');

/** Milliseconds `f` takes. */
function timed(f: () => unknown): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

describe('parseModinfo', () => {
  it('splits key=value entries, skips padding NULs and keeps an entry without = with an empty value', () => {
    const info = parseModinfo(Buffer.from('license=GPL\0\0\0name=x\0intree\0depends=a,b=c\0'));
    assert.deepEqual(info, [
      { key: 'license', value: 'GPL' },
      { key: 'name', value: 'x' },
      { key: 'intree', value: '' },
      { key: 'depends', value: 'a,b=c' },
    ]);
    assert.equal(modinfoValue(info, 'depends'), 'a,b=c');
  });

  it('reads the fuzzer\'s 64 KiB section of 32,768 entries without "=" in linear time (was 4.6 s)', async () => {
    const path = join(HOSTILE, 'modinfo-no-equals.bin.xz');
    const { data } = await decompress(readFileSync(path), { source: path });
    let info: ReturnType<typeof parseModinfo> = [];
    const ms = timed(() => {
      info = parseModinfo(data);
    });
    assert.equal(info.length, 32_768);
    assert.ok(info.every((e) => e.value === ''));
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });

  it('reads a module holding such a section as fast, its name= entry found after them', () => {
    const entries = Array.from({ length: 65_536 }, (_, i) => (i === 60_000 ? 'name=late' : '\n'));
    const ko = buildElf({
      is64: true,
      littleEndian: true,
      machine: 62,
      sections: [{ name: '.modinfo', data: modinfoSection(entries) }],
    });
    let name = '';
    const ms = timed(() => {
      name = parseModuleImage(ko, { source: 'hostile.ko' }).name;
    });
    assert.equal(name, 'late');
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
  });
});

describe('modinfoFirstValues', () => {
  const KEYS = ['name', 'vermagic', 'license', 'srcversion'];
  const same = (data: Uint8Array) => {
    const info = parseModinfo(data);
    assert.deepEqual(
      modinfoFirstValues(data, KEYS),
      KEYS.map((k) => modinfoValue(info, k)),
    );
  };

  it('finds what modinfoValue finds: first entry, a key alone, look-alike keys, UTF-8, no entry', () => {
    for (const entries of [
      ['name=a', 'name=b', 'license=GPL'],
      ['name', 'name=x'],
      ['namex=1', 'nam=2', '=name', 'name==v', 'srcversion=', 'license=d\u00e9j\u00e0'],
      ['\ufeffname=bom', 'vermagic=6.1.0 SMP', 'alias=pci:*'],
      ['license=caf\u00e9=x', 'name=n\u00e4me'],
      [],
    ])
      same(modinfoSection(entries));
    same(Buffer.from('name=no-nul-at-end'));
    same(Buffer.from([0, 0, 0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xff, 0xfe, 0, 0]));
  });

  it('finds what modinfoValue finds in random sections', () => {
    const alphabet = Buffer.from('name=vrmgiclsoet\0\0\xe9');
    let seed = 17;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 2000; n++) {
      const data = Buffer.alloc(next() % 40);
      for (let i = 0; i < data.length; i++) data[i] = alphabet[next() % alphabet.length]!;
      same(data);
    }
  });
});
