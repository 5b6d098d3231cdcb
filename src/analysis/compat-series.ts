// A kmod set across a series of kernels: the verdict matrix, the first build each module stops loading
// on (and the symbols that broke it), and the rebuild count: how many rebuilds a kmod rebuilt once per
// breakage would have needed, assuming a rebuild against build N imports build N's CRCs.
import type { ModuleImage } from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { type CompatTarget, moduleVerdicts } from './module-compat.js';

export interface ModuleTimeline {
  module: string;
  /** Verdict on each build, in series order. */
  verdicts: Verdict[];
  /** The first build it does not load on, as built; null if it loads on all. */
  firstFailure: { kernel: string; symbols: string[] } | null;
  /** Rebuilds needed across the series, one per breakage, and where each happened. */
  rebuilds: { kernel: string; symbols: string[]; unfixable: string[] }[];
}

export interface CompatSeries {
  kernels: string[];
  modules: ModuleTimeline[];
  totalRebuilds: number;
}

const brokenSymbols = (v: Verdict) =>
  [...new Set(v.reasons.filter((r) => r.symbol).map((r) => r.symbol!))].sort();

export function compatSeries(set: readonly ModuleImage[], ordered: readonly CompatTarget[]): CompatSeries {
  const perBuild = ordered.map((t) => moduleVerdicts(set, t));
  const modules = set.map((m, i): ModuleTimeline => {
    const verdicts = perBuild.map((vs) => vs[i]!);
    const first = verdicts.find((v) => !v.loads);
    return {
      module: m.name,
      verdicts,
      firstFailure: first ? { kernel: first.kernel, symbols: brokenSymbols(first) } : null,
      rebuilds: rebuildHistory(m, set, ordered),
    };
  });
  return {
    kernels: ordered.map((t) => t.name),
    modules,
    totalRebuilds: modules.reduce((n, m) => n + m.rebuilds.length, 0),
  };
}

/** Walks the series with a module that is rebuilt (re-pinned to the kernel's CRCs) whenever it breaks. */
function rebuildHistory(
  m: ModuleImage,
  set: readonly ModuleImage[],
  ordered: readonly CompatTarget[],
): ModuleTimeline['rebuilds'] {
  let current = m;
  const out: ModuleTimeline['rebuilds'] = [];
  for (const t of ordered) {
    const others = set.filter((x) => x.name !== m.name);
    const v = moduleVerdicts([current, ...others], t)[0]!;
    if (v.loads) continue;
    const exports = t.build.exports;
    const unfixable = current.imports.filter(
      (i) =>
        i.symbol !== 'module_layout' &&
        !exports.has(i.symbol) &&
        !others.some((o) => o.exports.some((e) => e.symbol === i.symbol)),
    );
    out.push({ kernel: t.name, symbols: brokenSymbols(v), unfixable: unfixable.map((i) => i.symbol) });
    current = {
      ...current,
      vermagic: t.vermagic ?? current.vermagic,
      imports: current.imports.map((i) => ({ symbol: i.symbol, crc: exports.get(i.symbol)?.crc ?? i.crc })),
    };
  }
  return out;
}
