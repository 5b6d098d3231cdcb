// What every series view shares: how a build is named, and one comparison counted.
import { type Change, emptyKindCounts, KIND_COUNT_KEY, type KindCounts } from '../model/change.js';
import { type Export, isGplOnly } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';

/** A build as reports name it; `index` is its place in the ordered series. */
export interface BuildRef {
  index: number;
  /** The `release` label, else `version`, else the source. */
  name: string;
  source: string;
  format: string;
  exports: number;
  labels: Record<string, string>;
}

export function buildRefs(ordered: readonly KernelBuild[]): BuildRef[] {
  return ordered.map((b, index) => ({
    index,
    name: b.labels.release ?? b.labels.version ?? b.source,
    source: b.source,
    format: b.format,
    exports: b.exports.size,
    labels: { ...b.labels },
  }));
}

/** What one comparison (old → new) found, counted. */
export interface ChangeStats extends KindCounts {
  /** All changes; one symbol can have several (crc-changed and moved). */
  changes: number;
  /** Distinct symbols with at least one change, added ones included. */
  symbols: number;
  /** Changes that could stop a module built against the old build from loading. */
  breaking: number;
  /**
   * The share of the old ABI that changed: distinct old exports that were removed or changed in any
   * way (each counted once), over the old build's export count. Additions change nothing a module
   * built against the old build uses, so they are not counted. null when the old build exports nothing.
   */
  share: number | null;
}

export function emptyStats(changes: number): ChangeStats {
  return { ...emptyKindCounts(), changes, symbols: 0, breaking: 0, share: null };
}

/** Counts a list of changes (from `diffExports`) of an old build with `oldExports` exports. */
export function changeStats(oldExports: number, changes: readonly Change[]): ChangeStats {
  const s = emptyStats(changes.length);
  const symbols = new Set<string>();
  for (const c of changes) {
    s[KIND_COUNT_KEY[c.kind]]++;
    if (c.breaking) s.breaking++;
    symbols.add(c.symbol);
  }
  s.symbols = symbols.size;
  s.share = oldExports === 0 ? null : (s.symbols - s.added) / oldExports;
  return s;
}

/**
 * `changeStats(old.exports.size, diffExports(old, next))` without building and sorting the change list:
 * a series report makes two comparisons per build, and that list is most of their cost. The field rules
 * are diffExports' (a field is compared only when both sides know it); a test holds the two equal.
 */
export function compareBuildStats(old: KernelBuild, next: KernelBuild): ChangeStats {
  const s = emptyStats(0);
  let oldChanged = 0;
  for (const o of old.exports.values()) {
    const n = next.exports.get(o.symbol);
    if (n === undefined) {
      s.removed++;
      s.breaking++;
      oldChanged++;
    } else if (n !== o && countFieldChanges(o, n, s) > 0) oldChanged++;
  }
  // A symbol is exported once per build, so what `next` exports beyond the kept ones is new.
  s.added = next.exports.size - (old.exports.size - s.removed);
  s.changes = s.added + s.removed + s.crcChanged + s.exportTypeChanged + s.namespaceChanged + s.moved;
  s.symbols = oldChanged + s.added;
  s.share = old.exports.size === 0 ? null : oldChanged / old.exports.size;
  return s;
}

function countFieldChanges(o: Export, n: Export, s: ChangeStats): number {
  let kinds = 0;
  if (o.crc !== null && n.crc !== null && o.crc !== n.crc) {
    s.crcChanged++;
    s.breaking++;
    kinds++;
  }
  if (o.exportType !== null && n.exportType !== null && o.exportType !== n.exportType) {
    s.exportTypeChanged++;
    if (isGplOnly(n.exportType) && !isGplOnly(o.exportType)) s.breaking++;
    kinds++;
  }
  if (o.namespace !== null && n.namespace !== null && o.namespace !== n.namespace) {
    s.namespaceChanged++;
    if (n.namespace !== '') s.breaking++;
    kinds++;
  }
  if (o.module !== null && n.module !== null && o.module !== n.module) {
    s.moved++;
    kinds++;
  }
  return kinds;
}
