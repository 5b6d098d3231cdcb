// Kernel builds and module images for unit tests, from only the fields a test is about.
import type { Export } from '../../src/model/export.js';
import type { KernelBuild } from '../../src/model/kernel-build.js';
import type { ModuleImage } from '../../src/model/module-image.js';

/** A Module.symvers build; each export is a CRC-1 EXPORT_SYMBOL of vmlinux without namespace, unless told. */
export function symversBuild(
  source: string,
  labels: Record<string, string>,
  exports: Partial<Export>[],
): KernelBuild {
  const full = exports.map(
    (e): Export => ({
      crc: 1,
      module: 'vmlinux',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
      symbol: '',
      ...e,
    }),
  );
  return {
    source,
    format: 'module-symvers',
    labels,
    exports: new Map(full.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

/** An x86_64 GPL module `NAME.ko` with these `__versions` imports (symbol, CRC), unless told. */
export function moduleImage(
  name: string,
  imports: [string, number][],
  extra: Partial<ModuleImage> = {},
): ModuleImage {
  return {
    ...{ source: `${name}.ko`, name, path: null, modinfo: [], vermagic: null, license: 'GPL', depends: [] },
    ...{ importNs: [], srcversion: null, modversions: imports.length ? 'versions' : 'none' },
    ...{ exports: [], hasBtf: false, elf: { class: 64, endian: 'little', machine: 62 } },
    imports: imports.map(([symbol, crc]) => ({ symbol, crc })),
    ...extra,
  };
}
