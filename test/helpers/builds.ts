// Kernel builds for unit tests, from only the export fields a test is about.
import type { Export } from '../../src/model/export.js';
import type { KernelBuild } from '../../src/model/kernel-build.js';

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
