// A small set judged on one kernel with each kind of verdict and reason (a failing dependency, a missing
// one, module_layout, imports of each code, notes, taints) and a module given twice: for the tests of
// kernelVerdicts (src/analysis/module-compat-table.test.ts) and of the writers that read it.

import type { CompatTarget } from '../../src/analysis/module-compat.js';
import type { Export } from '../../src/model/export.js';
import type { ModuleImage } from '../../src/model/module-image.js';

export const VERMAGIC = '6.1.0-47-amd64 SMP preempt mod_unload modversions ';

const exp = (symbol: string, over: Partial<Export> = {}): Export => ({
  symbol,
  crc: 1,
  module: 'vmlinux',
  exportType: 'EXPORT_SYMBOL',
  namespace: null,
  ...over,
});

export const target = (vermagic: string | null): CompatTarget => ({
  name: 'k',
  build: {
    source: 'k',
    format: 'module-symvers',
    labels: {},
    exports: new Map(
      [
        exp('module_layout', { crc: 10 }),
        exp('printk'),
        exp('gpl_only', { exportType: 'EXPORT_SYMBOL_GPL' }),
        exp('spaced', { namespace: 'NS', module: 'drivers/x' }),
        exp('no_crc', { crc: null }),
      ].map((e) => [e.symbol, e]),
    ),
    warnings: [],
  },
  vermagic,
  modules: new Set(['present']),
});

const mod = (name: string, over: Partial<ModuleImage> = {}): ModuleImage => ({
  source: `${name}.ko`,
  name,
  path: null,
  modinfo: [{ key: 'intree', value: 'Y' }],
  vermagic: VERMAGIC,
  license: 'GPL',
  depends: [],
  importNs: [],
  srcversion: null,
  imports: [{ symbol: 'printk', crc: 1 }],
  modversions: 'versions',
  exports: [],
  hasBtf: false,
  elf: { class: 64, endian: 'little', machine: 62 },
  ...over,
});

export function corpus(): ModuleImage[] {
  const layout = mod('layout', {
    imports: [
      { symbol: 'module_layout', crc: 11 },
      { symbol: 'printk', crc: 2 },
      { symbol: 'gone', crc: 3 },
    ],
  });
  const twice = mod('twice', { license: 'Proprietary', imports: [{ symbol: 'gpl_only', crc: 1 }] });
  return [
    mod('fine', { depends: ['present'], imports: [{ symbol: 'no_crc', crc: 4 }] }),
    mod('user', { depends: ['layout', 'absent'] }),
    layout,
    twice,
    mod('spacey', { imports: [{ symbol: 'spaced', crc: 1 }] }),
    mod('outoftree', { modinfo: [] }),
    twice,
  ];
}
