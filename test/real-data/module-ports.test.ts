// Real Debian modules of each architecture and era (test/fixtures/modules/<arch>-<era>/, see
// PROVENANCE.md there): their exports equal the lines modpost wrote for them to the matching
// linux-headers Module.symvers (an excerpt committed beside them), symbol for symbol, CRC for CRC,
// export type and namespace. `kabi modversions` = `modprobe --dump-modversions` on the same files is
// checked by test/cli/modules.test.ts, which walks every fixture module.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decompress } from '../../src/readers/compression.js';
import { openElf } from '../../src/readers/elf/elf.js';
import { ksymtabLayout } from '../../src/readers/module/ksymtab.js';
import { readModuleImage } from '../../src/readers/module/module-image.js';
import { FIXTURES } from '../helpers/independent.js';

interface Era {
  dir: string;
  machine: number;
  class: 32 | 64;
  endian: 'little' | 'big';
  /** The kernel_symbol entry: bytes, PREL32 or absolute. */
  entry: number;
  relative: boolean;
}

const ERAS: Era[] = [
  { dir: 'amd64-5.10', machine: 62, class: 64, endian: 'little', entry: 12, relative: true },
  { dir: 'arm64-6.1', machine: 183, class: 64, endian: 'little', entry: 12, relative: true },
  { dir: 'ppc64el-6.1', machine: 21, class: 64, endian: 'little', entry: 24, relative: false },
  { dir: 's390x-6.1', machine: 22, class: 64, endian: 'big', entry: 24, relative: false },
  { dir: 'i386-6.1', machine: 3, class: 32, endian: 'little', entry: 12, relative: true },
  { dir: 'armhf-6.1', machine: 40, class: 32, endian: 'little', entry: 12, relative: false },
];

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? modules(p) : n.endsWith('.ko.xz') ? [p] : [];
  });
}

/** Module.symvers lines as modpost wrote them: crc, symbol, module, export type, namespace. */
function symversLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

describe('real modules of every architecture and era: exports = Module.symvers', () => {
  for (const era of ERAS) {
    const root = join(FIXTURES, 'modules', era.dir);
    it(`${era.dir}: every export, CRC, type and namespace equals the headers' Module.symvers`, async () => {
      const files = modules(root);
      assert.ok(files.length >= 4, `${files.length} modules in ${root}`);
      const lines: string[] = [];
      for (const f of files) {
        const m = await readModuleImage(f);
        assert.deepEqual(m.elf, { class: era.class, endian: era.endian, machine: era.machine }, f);
        for (const e of m.exports)
          lines.push(
            [`0x${e.crc!.toString(16).padStart(8, '0')}`, e.symbol, e.module, e.exportType, e.namespace].join(
              '\t',
            ),
          );
      }
      const want = symversLines(join(root, 'Module.symvers.excerpt'));
      assert.deepEqual(lines.sort(), want);
      // Every fixture set has a GPL export, a namespaced one and non-zero CRCs: nothing passes by
      // comparing zeros with zeros.
      assert.ok(want.some((l) => l.includes('\tEXPORT_SYMBOL_GPL\t')));
      assert.ok(want.some((l) => !l.endsWith('\t')));
      assert.ok(lines.every((l) => !l.startsWith('0x00000000')));
    });

    it(`${era.dir}: the layout is ${era.entry}-byte ${era.relative ? 'PREL32' : 'absolute'}`, async () => {
      const f = modules(root).find((p) => p.endsWith('/crc-itu-t.ko.xz'))!;
      const { data } = await decompress(readFileSync(f), { source: f });
      const elf = openElf(data, { source: f });
      const l = ksymtabLayout(elf, elf.section('__ksymtab')!, 2);
      assert.deepEqual([l.entry, l.relative, l.fields], [era.entry, era.relative, 3]);
    });
  }

  it('bullseye (5.10): __kcrctab holds zeros, the CRCs come from relocations against __crc_*', async () => {
    const f = join(
      FIXTURES,
      'modules',
      'amd64-5.10',
      'lib/modules/5.10.0-46-amd64/kernel/lib/crc-itu-t.ko.xz',
    );
    const { data } = await decompress(readFileSync(f), { source: f });
    const elf = openElf(data, { source: f });
    assert.ok(elf.data(elf.section('__kcrctab')!).every((b) => b === 0));
    assert.ok(elf.section('.rela__kcrctab'));
    const m = await readModuleImage(f);
    assert.deepEqual(
      m.exports.map((e) => [e.symbol, e.crc]),
      [
        ['crc_itu_t', 0x09a34a2b],
        ['crc_itu_t_table', 0xd819a524],
      ],
    );
  });
});
