// The oEEP-0009 interface table: each interface asked about (symbols, or every export of some module
// paths such as drivers/vfio) classified between two kernels as added, removed, unchanged, CRC changed
// or never exported, and a CRC change given its type-level reason from `explainCrcChanges`: the
// function's own prototype changed ("Modified parameters"), or a type it reaches changed ("Modified
// structures": which). Without BTF on both sides the reason is unknown, and said so.
import type { Export } from '../model/export.js';
import { formatCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Explanation } from './explanation.js';

export type InterfaceStatus = 'added' | 'removed' | 'unchanged' | 'crc-changed' | 'not-exported';

/**
 * Why a CRC changed: `prototype` (the function's own declaration), `types` (types it reaches),
 * `prototype-and-types`, `no-type-change` (BTF shows none: a change genksyms saw that BTF does not),
 * `no-declaration` (BTF has no declaration of it), `no-btf` (types were not given).
 */
export type InterfaceReason =
  | 'prototype'
  | 'types'
  | 'prototype-and-types'
  | 'no-type-change'
  | 'no-declaration'
  | 'no-btf';

export interface InterfaceRow {
  symbol: string;
  /** The exporting module (`vmlinux`, `drivers/vfio/vfio`), new side first; null when never exported. */
  module: string | null;
  status: InterfaceStatus;
  oldCrc: string | null;
  newCrc: string | null;
  /** For `crc-changed` only; null otherwise. */
  reason: InterfaceReason | null;
  /** The changed types its declaration reaches (not its own prototype), nearest first. */
  types: string[];
}

export interface InterfacesReport {
  old: string;
  new: string;
  /** Whether BTF of both kernels explained the CRC changes. */
  withTypes: boolean;
  modulePaths: string[];
  rows: InterfaceRow[];
  counts: Record<InterfaceStatus, number>;
}

export interface InterfaceSelection {
  symbols?: readonly string[];
  /** Every export whose module lies under one of these paths (`drivers/vfio`), in either kernel. */
  modulePaths?: readonly string[];
}

const under = (module: string | null, path: string) =>
  module !== null && (module === path || module.startsWith(`${path.replace(/\/+$/, '')}/`));

/** The symbols a selection names: those given, then every export under a module path, in name order. */
export function selectInterfaces(old: KernelBuild, next: KernelBuild, sel: InterfaceSelection): string[] {
  const out = new Set(sel.symbols ?? []);
  const paths = sel.modulePaths ?? [];
  if (paths.length) {
    const found = new Set<string>();
    for (const b of [old, next])
      for (const e of b.exports.values()) if (paths.some((p) => under(e.module, p))) found.add(e.symbol);
    for (const s of [...found].sort()) out.add(s);
  }
  return [...out];
}

export function classifyInterfaces(
  old: KernelBuild,
  next: KernelBuild,
  symbols: readonly string[],
  explanation: Explanation | null,
  modulePaths: readonly string[] = [],
): InterfacesReport {
  const explained = new Map((explanation?.symbols ?? []).map((s) => [s.symbol, s]));
  const counts: Record<InterfaceStatus, number> = {
    added: 0,
    removed: 0,
    unchanged: 0,
    'crc-changed': 0,
    'not-exported': 0,
  };
  const rows = symbols.map((symbol): InterfaceRow => {
    const o = old.exports.get(symbol);
    const n = next.exports.get(symbol);
    const status = statusOf(o, n);
    counts[status]++;
    let reason: InterfaceReason | null = null;
    let types: string[] = [];
    if (status === 'crc-changed') {
      const x = explained.get(symbol);
      if (explanation === null || x === undefined) reason = 'no-btf';
      else if (x.status === 'no-declaration') reason = 'no-declaration';
      else {
        const own = `func ${symbol}`;
        const proto = x.roots.some((r) => r.type === own);
        types = x.roots.filter((r) => r.type !== own).map((r) => r.type);
        reason = proto
          ? types.length
            ? 'prototype-and-types'
            : 'prototype'
          : types.length
            ? 'types'
            : 'no-type-change';
      }
    }
    return {
      symbol,
      module: n?.module ?? o?.module ?? null,
      status,
      oldCrc: crcText(o),
      newCrc: crcText(n),
      reason,
      types,
    };
  });
  return {
    old: old.source,
    new: next.source,
    withTypes: explanation !== null,
    modulePaths: [...modulePaths],
    rows,
    counts,
  };
}

function statusOf(o: Export | undefined, n: Export | undefined): InterfaceStatus {
  if (o === undefined) return n === undefined ? 'not-exported' : 'added';
  if (n === undefined) return 'removed';
  return o.crc === n.crc ? 'unchanged' : 'crc-changed';
}

const crcText = (e: Export | undefined) => (e?.crc == null ? null : formatCrc(e.crc));

/** The words of oEEP-0009's table: "Removed", "Not changed", "Modified parameters and structures", ... */
export function documentChange(r: InterfaceRow): string {
  switch (r.status) {
    case 'added':
      return 'Added';
    case 'removed':
      return 'Removed';
    case 'unchanged':
      return 'Not changed';
    case 'not-exported':
      return 'Not exported in OLD';
    case 'crc-changed':
      switch (r.reason) {
        case 'prototype-and-types':
          return 'Modified parameters and structures';
        case 'prototype':
          return 'Modified parameters';
        case 'types':
          return 'Modified structures';
        default:
          return 'Modified (CRC changed)';
      }
  }
}
