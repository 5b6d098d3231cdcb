// What a build exports, counted, and a digest of its (symbol, crc) set: two builds with the same digest
// satisfy exactly the same modversion checks (Mandriva's "same ABI" test).
import { createHash } from 'node:crypto';
import { formatCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';

export interface ExportsSummary {
  source: string;
  format: string;
  exports: number;
  /** sha256 of the sorted `symbol<TAB>crc<LF>` lines. */
  crcDigest: string;
  withoutCrc: number;
  byExportType: Record<string, number>;
  byNamespace: Record<string, number>;
  /** Exports per module, most first. */
  byModule: Record<string, number>;
  modules: number;
}

export function summarizeExports(build: KernelBuild): ExportsSummary {
  // Namespaces and modules are artifact text (`constructor` is a name like any other): counted in Maps.
  const byExportType = new Map<string, number>();
  const byNamespace = new Map<string, number>();
  const byModule = new Map<string, number>();
  let withoutCrc = 0;
  for (const e of build.exports.values()) {
    const t = e.exportType ?? '(unknown)';
    byExportType.set(t, (byExportType.get(t) ?? 0) + 1);
    if (e.namespace) byNamespace.set(e.namespace, (byNamespace.get(e.namespace) ?? 0) + 1);
    const m = e.module ?? '(unknown)';
    byModule.set(m, (byModule.get(m) ?? 0) + 1);
    if (e.crc === null) withoutCrc++;
  }
  const sortedModules = [...byModule].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return {
    source: build.source,
    format: build.format,
    exports: build.exports.size,
    crcDigest: crcDigest(build),
    withoutCrc,
    byExportType: Object.fromEntries(byExportType),
    byNamespace: Object.fromEntries([...byNamespace].sort((a, b) => b[1] - a[1])),
    byModule: Object.fromEntries(sortedModules),
    modules: byModule.size,
  };
}

/** sha256 of the sorted `symbol<TAB>0xcrc<LF>` lines, hashed as one string (25,000 update calls cost more). */
export function crcDigest(build: KernelBuild): string {
  const symbols = [...build.exports.keys()].sort();
  let text = '';
  for (const s of symbols) text += `${s}\t${formatCrc(build.exports.get(s)!.crc)}\n`;
  return createHash('sha256').update(text).digest('hex');
}
