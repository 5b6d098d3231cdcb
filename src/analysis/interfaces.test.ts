import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Explanation, SymbolExplanation } from './explanation.js';
import { classifyInterfaces, documentChange, selectInterfaces } from './interfaces.js';

const exp = (symbol: string, crc: number, module = 'vmlinux'): Export => ({
  symbol,
  crc,
  module,
  exportType: 'EXPORT_SYMBOL_GPL',
  namespace: '',
});
const build = (source: string, exports: Export[]): KernelBuild => ({
  source,
  format: 'module-symvers',
  labels: {},
  exports: new Map(exports.map((e) => [e.symbol, e])),
  warnings: [],
});
const explained = (symbol: string, roots: string[]): SymbolExplanation => ({
  symbol,
  module: 'vmlinux',
  oldCrc: null,
  newCrc: null,
  status: roots.length ? 'explained' : 'no-type-change',
  declaration: null,
  declarationFrom: null,
  roots: roots.map((type) => ({ type, path: [symbol, type] })),
});

const old = build('old', [
  exp('vfio_pin_pages', 1, 'drivers/vfio/vfio'),
  exp('vfio_register_iommu_driver', 2, 'drivers/vfio/vfio'),
  exp('vfio_info_cap_shift', 3, 'drivers/vfio/vfio'),
  exp('mdev_uuid', 4, 'drivers/vfio/mdev/mdev'),
  exp('iommu_map', 5),
  exp('iommu_group_id', 6),
]);
const next = build('new', [
  exp('vfio_pin_pages', 11, 'drivers/vfio/vfio'),
  exp('vfio_register_iommu_driver', 12, 'drivers/vfio/vfio'),
  exp('vfio_info_cap_shift', 3, 'drivers/vfio/vfio'),
  exp('iommu_map', 15),
  exp('iommu_group_id', 16),
  exp('vfio_register_emulated_iommu_dev', 7, 'drivers/vfio/vfio'),
]);

describe('classifyInterfaces', () => {
  it('selects by module path in either kernel, and the names asked first', () => {
    assert.deepEqual(
      selectInterfaces(old, next, { symbols: ['io_add_group_dev'], modulePaths: ['drivers/vfio/'] }),
      [
        'io_add_group_dev',
        'mdev_uuid',
        'vfio_info_cap_shift',
        'vfio_pin_pages',
        'vfio_register_emulated_iommu_dev',
        'vfio_register_iommu_driver',
      ],
    );
    assert.deepEqual(selectInterfaces(old, next, { modulePaths: ['drivers/vfi'] }), []);
  });

  it("classifies as oEEP-0009's table does, a CRC change by its prototype or the types it reaches", () => {
    const explanation = {
      symbols: [
        explained('vfio_pin_pages', ['func vfio_pin_pages', 'struct vfio_device']),
        explained('vfio_register_iommu_driver', ['struct vfio_iommu_driver_ops']),
        explained('iommu_map', ['func iommu_map']),
        explained('iommu_group_id', []),
      ],
    } as Explanation;
    const names = [
      'vfio_pin_pages',
      'vfio_register_iommu_driver',
      'iommu_map',
      'iommu_group_id',
      'vfio_info_cap_shift',
      'mdev_uuid',
      'vfio_register_emulated_iommu_dev',
      'io_add_group_dev',
    ];
    const r = classifyInterfaces(old, next, names, explanation);
    assert.deepEqual(
      r.rows.map((x) => [x.symbol, documentChange(x), x.types.join(' ')]),
      [
        ['vfio_pin_pages', 'Modified parameters and structures', 'struct vfio_device'],
        ['vfio_register_iommu_driver', 'Modified structures', 'struct vfio_iommu_driver_ops'],
        ['iommu_map', 'Modified parameters', ''],
        ['iommu_group_id', 'Modified (CRC changed)', ''],
        ['vfio_info_cap_shift', 'Not changed', ''],
        ['mdev_uuid', 'Removed', ''],
        ['vfio_register_emulated_iommu_dev', 'Added', ''],
        ['io_add_group_dev', 'Not exported in OLD', ''],
      ],
    );
    assert.equal(r.rows[3]!.reason, 'no-type-change');
    assert.deepEqual(r.counts, { added: 1, removed: 1, unchanged: 1, 'crc-changed': 4, 'not-exported': 1 });
    // Without BTF: the statuses stand, the reason is unknown.
    const plain = classifyInterfaces(old, next, names, null);
    assert.equal(plain.rows[0]!.reason, 'no-btf');
    assert.equal(documentChange(plain.rows[0]!), 'Modified (CRC changed)');
  });
});
