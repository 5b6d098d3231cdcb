// The RPM view (dnf repoclosure, weak-modules): a kmod package's `kernel(sym) = CRC` / `ksym(sym) = CRC`
// requires against what a kernel offers (its provides, or any exports). Same verdict shape as the loader's.
import { formatCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Reason, Verdict } from '../model/verdict.js';

export interface RpmRequire {
  symbol: string;
  crc: number | null;
}

export function rpmRequiresVerdict(
  pkg: string,
  requires: readonly RpmRequire[],
  kernel: { name: string; build: KernelBuild },
): Verdict {
  const reasons: Reason[] = [];
  const notes: string[] = [];
  for (const r of requires) {
    const e = kernel.build.exports.get(r.symbol);
    const want = r.crc === null ? `kernel(${r.symbol})` : `kernel(${r.symbol}) = ${formatCrc(r.crc)}`;
    if (!e) {
      reasons.push({
        code: 'missing-symbol',
        symbol: r.symbol,
        wanted: r.crc,
        message: `nothing provides ${want} needed by ${pkg}`,
      });
    } else if (r.crc !== null && e.crc !== null && e.crc !== r.crc) {
      reasons.push({
        code: 'crc-mismatch',
        symbol: r.symbol,
        wanted: r.crc,
        offered: e.crc,
        module: e.module ?? undefined,
        message: `nothing provides ${want} needed by ${pkg} (the kernel provides ${formatCrc(e.crc)})`,
      });
    } else if (r.crc !== null && e.crc === null) {
      notes.push(`${r.symbol}: the kernel states no CRC for it; not checked`);
    }
  }
  const identity = { module: pkg, from: pkg, builtFor: null, source: pkg };
  return { ...identity, kernel: kernel.name, loads: reasons.length === 0, reasons, notes };
}
