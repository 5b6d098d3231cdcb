// Series views of single symbols: one symbol's export in every build, and a stablelist's protected
// symbols across the series (RHEL's promise is that they keep their CRC for the whole stream).
import type { Change, ChangeKind } from '../model/change.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Stablelist } from '../model/stablelist.js';
import { diffExports } from './exports-diff.js';
import { KERNEL_EXPECTED, requireSome } from './nothing-to-judge.js';
import { type BuildRef, buildRefs } from './series-stats.js';

export interface SymbolHistoryEntry {
  build: number;
  /** The symbol's export in this build; null where the build does not export it. */
  export: Export | null;
  /**
   * What changed since the previous build, in report order (`added` when it appears or returns,
   * `removed` when it disappears); empty for the first build and when nothing changed.
   */
  changes: ChangeKind[];
}

export interface SymbolHistory {
  symbol: string;
  builds: BuildRef[];
  entries: SymbolHistoryEntry[];
}

/** A build that exports at most `e`, so the symbol is compared by `diffExports` itself, with its rules. */
function only(e: Export | null): KernelBuild {
  const exports = new Map<string, Export>(e === null ? [] : [[e.symbol, e]]);
  return { source: '', format: 'module-symvers', labels: {}, exports, warnings: [] };
}

export function symbolHistory(ordered: readonly KernelBuild[], symbol: string): SymbolHistory {
  requireSome(
    ordered.length,
    `the history of ${symbol}`,
    'kernel builds',
    `stored builds, each ${KERNEL_EXPECTED}`,
  );
  let prev: KernelBuild | null = null;
  const entries = ordered.map((b, build): SymbolHistoryEntry => {
    const cur = only(b.exports.get(symbol) ?? null);
    const changes = prev === null ? [] : diffExports(prev, cur).map((c) => c.kind);
    prev = cur;
    return { build, export: b.exports.get(symbol) ?? null, changes };
  });
  return { symbol, builds: buildRefs(ordered), entries };
}

export interface StablelistBuild {
  build: number;
  /** Protected symbols this build exports. */
  exported: number;
  /** Protected symbols this build does not export. */
  missing: number;
  /** Protected exports whose CRC differs from the one the stablelist pins (lists that pin CRCs only). */
  crcMismatch: number;
}

/** The protected symbols that changed in one update, as `diffExports` reports them. */
export interface StablelistStep {
  from: number;
  to: number;
  changes: Change[];
}

export interface StablelistOverTime {
  stablelists: string[];
  /** Distinct protected symbols over all the stablelists. */
  protected: number;
  builds: BuildRef[];
  perBuild: StablelistBuild[];
  steps: StablelistStep[];
}

/** Protected symbols of one or more lists, each with the first CRC a list pins for it (or null). */
function protectedSymbols(lists: readonly Stablelist[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const l of lists) {
    for (const e of l.symbols.values()) {
      if ((out.get(e.symbol) ?? null) === null) out.set(e.symbol, e.crc);
    }
  }
  return out;
}

function countBuild(b: KernelBuild, build: number, pinned: Map<string, number | null>): StablelistBuild {
  const r: StablelistBuild = { build, exported: 0, missing: 0, crcMismatch: 0 };
  for (const [symbol, crc] of pinned) {
    const e = b.exports.get(symbol);
    if (e === undefined) r.missing++;
    else {
      r.exported++;
      if (crc !== null && e.crc !== null && e.crc !== crc) r.crcMismatch++;
    }
  }
  return r;
}

export function stablelistOverTime(
  ordered: readonly KernelBuild[],
  stablelist: Stablelist | readonly Stablelist[],
): StablelistOverTime {
  const lists: readonly Stablelist[] = Array.isArray(stablelist) ? stablelist : [stablelist as Stablelist];
  const pinned = protectedSymbols(lists);
  const steps: StablelistStep[] = [];
  for (let i = 1; i < ordered.length; i++) {
    const changes = diffExports(ordered[i - 1]!, ordered[i]!).filter((c) => pinned.has(c.symbol));
    steps.push({ from: i - 1, to: i, changes });
  }
  return {
    stablelists: lists.map((l) => l.name),
    protected: pinned.size,
    builds: buildRefs(ordered),
    perBuild: ordered.map((b, i) => countBuild(b, i, pinned)),
    steps,
  };
}
