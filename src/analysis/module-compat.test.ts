import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildElf, modinfoSection, versionsSection } from '../../test/helpers/elf-builder.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { ModuleImage } from '../model/module-image.js';
// biome-ignore lint/style/noRestrictedImports: this test judges a module read from ELF bytes it builds
import { parseModuleImage } from '../readers/module/module-image.js';
import { annotateMoves, type CompatTarget, moduleVerdicts, sameMagic } from './module-compat.js';

const VERMAGIC = '6.1.0-47-amd64 SMP preempt mod_unload modversions ';

function kernel(exports: Partial<Export>[], opts: Partial<CompatTarget> = {}): CompatTarget {
  const map = new Map<string, Export>();
  // A kernel of no exports is refused (nothing to judge): one no test module imports keeps it a kernel.
  for (const e of exports.length ? exports : [{ symbol: 'kabi_test_unused' }])
    map.set(e.symbol!, {
      crc: 1,
      module: 'vmlinux',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
      ...e,
    } as Export);
  const build: KernelBuild = {
    source: 'k',
    format: 'module-symvers',
    labels: {},
    exports: map,
    warnings: [],
  };
  return { name: 'k', build, vermagic: VERMAGIC, modules: new Set(['videodev', 'mc']), ...opts };
}

function mod(over: Partial<ModuleImage>): ModuleImage {
  return {
    source: 'm.ko',
    name: 'm',
    path: null,
    modinfo: [],
    vermagic: VERMAGIC,
    license: 'GPL',
    depends: [],
    importNs: [],
    srcversion: null,
    imports: [],
    modversions: 'versions',
    exports: [],
    hasBtf: false,
    elf: { class: 64, endian: 'little', machine: 62 },
    ...over,
  };
}

const codes = (m: ModuleImage, k: CompatTarget) =>
  moduleVerdicts([m], k)[0]!.reasons.map(
    (r) => `${r.code}${r.alsoFails ? '+' : ''}:${r.symbol ?? r.module ?? ''}`,
  );

describe('loader verdicts', () => {
  it('loads when every import matches', () => {
    const v = moduleVerdicts(
      [mod({ imports: [{ symbol: 'printk', crc: 1 }] })],
      kernel([{ symbol: 'printk' }]),
    )[0]!;
    assert.equal(v.loads, true);
    assert.deepEqual(v.reasons, []);
  });

  it('module_layout first: its mismatch alone rejects; the other mismatches would also fail', () => {
    const m = mod({
      imports: [
        { symbol: 'module_layout', crc: 5 },
        { symbol: 'a', crc: 2 },
        { symbol: 'b', crc: 1 },
      ],
    });
    assert.deepEqual(
      codes(m, kernel([{ symbol: 'module_layout', crc: 6 }, { symbol: 'a', crc: 3 }, { symbol: 'b' }])),
      ['module-layout:module_layout', 'crc-mismatch+:a'],
    );
  });

  it('reports every unknown symbol and CRC mismatch together (simplify_symbols reports them all)', () => {
    const m = mod({
      imports: [
        { symbol: 'gone', crc: 1 },
        { symbol: 'a', crc: 2 },
      ],
    });
    assert.deepEqual(codes(m, kernel([{ symbol: 'a', crc: 3 }])), ['missing-symbol:gone', 'crc-mismatch:a']);
  });

  it('vermagic: with CRCs only the flags after the release count; without, the whole string', () => {
    assert.equal(sameMagic('6.1.0-50-amd64 SMP preempt mod_unload modversions ', VERMAGIC, true), true);
    assert.equal(sameMagic('6.1.0-50-amd64 SMP preempt mod_unload modversions ', VERMAGIC, false), false);
    assert.equal(sameMagic('6.1.0-47-amd64 SMP mod_unload modversions ', VERMAGIC, true), false);
    assert.deepEqual(codes(mod({ vermagic: '6.1.0-47-amd64 SMP mod_unload modversions ' }), kernel([])), [
      'vermagic:',
    ]);
    assert.deepEqual(codes(mod({ vermagic: null }), kernel([])), ['no-vermagic:']);
    const unknown = moduleVerdicts([mod({})], kernel([], { vermagic: null }))[0]!;
    assert.equal(unknown.loads, true);
    assert.match(unknown.notes.join(), /vermagic not checked/);
  });

  it('namespaces must be imported', () => {
    const k = kernel([{ symbol: 'dma_buf_get', namespace: 'DMA_BUF' }]);
    assert.deepEqual(codes(mod({ imports: [{ symbol: 'dma_buf_get', crc: 1 }] }), k), [
      'namespace-not-imported:dma_buf_get',
    ]);
    assert.deepEqual(
      codes(mod({ imports: [{ symbol: 'dma_buf_get', crc: 1 }], importNs: ['DMA_BUF'] }), k),
      [],
    );
  });

  it('GPL-only exports are invisible to modules whose licence is not GPL-compatible', () => {
    const k = kernel([{ symbol: 'g', exportType: 'EXPORT_SYMBOL_GPL' }]);
    assert.deepEqual(codes(mod({ license: 'Proprietary', imports: [{ symbol: 'g', crc: 1 }] }), k), [
      'gpl-only:g',
    ]);
    assert.deepEqual(codes(mod({ license: 'Dual BSD/GPL', imports: [{ symbol: 'g', crc: 1 }] }), k), []);
    assert.deepEqual(codes(mod({ license: null, imports: [{ symbol: 'g', crc: 1 }] }), k), ['gpl-only:g']);
  });

  it('dependencies: in-tree ones must exist, kmod ones must load, cycles are reported', () => {
    assert.deepEqual(codes(mod({ depends: ['videodev'] }), kernel([])), []);
    assert.deepEqual(codes(mod({ depends: ['nosuch'] }), kernel([])), ['dependency-missing:nosuch']);
    const a = mod({ name: 'a', depends: ['b'] });
    const b = mod({ name: 'b', depends: ['a'] });
    const [va] = moduleVerdicts([a, b], kernel([]));
    assert.equal(va!.loads, false);
    assert.match(va!.reasons.map((r) => r.message).join('\n'), /dependency cycle/);
    const broken = mod({ name: 'dep', imports: [{ symbol: 'gone', crc: 1 }] });
    const user = mod({ name: 'user', depends: ['dep'], imports: [{ symbol: 'x', crc: 1 }] });
    assert.deepEqual(
      moduleVerdicts([user, broken], kernel([{ symbol: 'x' }]))[0]!.reasons.map((r) => r.code),
      ['dependency-fails'],
    );
  });

  it('a kmod set resolves symbols among its own modules', () => {
    const core = mod({
      name: 'core',
      exports: [
        { symbol: 'core_fn', crc: 9, module: 'core', exportType: 'EXPORT_SYMBOL_GPL', namespace: '' },
      ],
    });
    const user = mod({ name: 'user', imports: [{ symbol: 'core_fn', crc: 9 }] });
    assert.deepEqual(
      moduleVerdicts([core, user], kernel([])).map((v) => v.loads),
      [true, true],
    );
  });

  it('says where a broken symbol moved from, or that it was exported before, given the built-for kernel', () => {
    const before = kernel([
      { symbol: 'a', crc: 1, module: 'drivers/old' },
      { symbol: 'gone', crc: 1 },
    ]).build;
    const now = kernel([{ symbol: 'a', crc: 2, module: 'drivers/new' }]);
    const v = annotateMoves(
      moduleVerdicts(
        [
          mod({
            imports: [
              { symbol: 'a', crc: 1 },
              { symbol: 'gone', crc: 1 },
            ],
          }),
        ],
        now,
      )[0]!,
      before,
    );
    assert.deepEqual(
      v.reasons.map((r) => [r.code, r.movedFrom ?? null]),
      [
        ['crc-mismatch', 'drivers/old'],
        ['missing-symbol', null],
      ],
    );
    assert.match(v.reasons[0]!.message, /\(moved from drivers\/old to drivers\/new\)$/);
    assert.match(v.reasons[1]!.message, /\(was exported by vmlinux\)$/);
  });

  it('judges a 32-bit big-endian module read from its ELF', () => {
    const elf = buildElf({
      is64: false,
      littleEndian: false,
      machine: 20,
      sections: [
        { name: '.modinfo', data: modinfoSection(['license=GPL', 'name=be32', `vermagic=${VERMAGIC}`]) },
        {
          name: '__versions',
          data: versionsSection(
            [
              [7, 'printk'],
              [8, 'kfree'],
            ],
            false,
            false,
          ),
        },
      ],
    });
    const m = parseModuleImage(elf, { source: 'be32.ko' });
    assert.deepEqual(
      codes(
        m,
        kernel([
          { symbol: 'printk', crc: 7 },
          { symbol: 'kfree', crc: 9 },
        ]),
      ),
      ['crc-mismatch:kfree'],
    );
  });
});
