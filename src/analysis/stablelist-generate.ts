// A new kABI reference from a build and an allowlist, as distributions regenerate one for each SP
// (openEuler's Module.kabi_<arch>: for each symbol of kabi_whitelist_<arch>, its Module.symvers line),
// and what changed from the previous reference: kept, CRC changed, dropped, added. Symbols the list
// names that the build does not export are returned, never silently left out.
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Stablelist } from '../model/stablelist.js';

export interface ReferenceChanges {
  /** The previous reference's source. */
  previous: string;
  /** In both with the same CRC (or without a CRC on either side: a names-only list). */
  kept: number;
  crcChanged: string[];
  /** In the previous reference, not in the new. */
  dropped: string[];
  added: string[];
}

export interface GeneratedReference {
  build: string;
  list: string;
  /** The build's exports of the listed symbols, in list order, each once. */
  exports: Export[];
  /** Listed symbols the build does not export. */
  missing: string[];
  changes: ReferenceChanges | null;
}

export function generateReference(
  build: KernelBuild,
  list: Stablelist,
  previous: Stablelist | null = null,
): GeneratedReference {
  const exports: Export[] = [];
  const missing: string[] = [];
  for (const symbol of list.symbols.keys()) {
    const e = build.exports.get(symbol);
    if (e === undefined) missing.push(symbol);
    else exports.push(e);
  }
  return {
    build: build.source,
    list: list.source,
    exports,
    missing,
    changes: previous === null ? null : referenceChanges(previous, exports),
  };
}

export function referenceChanges(previous: Stablelist, exports: readonly Export[]): ReferenceChanges {
  const now = new Map(exports.map((e) => [e.symbol, e]));
  const out: ReferenceChanges = {
    previous: previous.source,
    kept: 0,
    crcChanged: [],
    dropped: [],
    added: [],
  };
  for (const [symbol, p] of previous.symbols) {
    const n = now.get(symbol);
    if (n === undefined) out.dropped.push(symbol);
    else if (p.crc !== null && n.crc !== null && p.crc !== n.crc) out.crcChanged.push(symbol);
    else out.kept++;
  }
  for (const symbol of now.keys()) if (!previous.symbols.has(symbol)) out.added.push(symbol);
  return out;
}
