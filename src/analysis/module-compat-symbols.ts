// Symbols as numbers for the loader's lookups (moduleVerdicts, compatSeries): a module's imports are looked
// up on every kernel, 2 million lookups for 4,022 modules on 11 kernels, so each module's symbols are
// numbered once and each kernel's exports put in an array by number once. Not part of the library's
// surface: the numbers mean nothing outside one process.
import { type Export, isGplOnly } from '../model/export.js';
import { type ExportTable, RowsExports } from './module-compat-builds.js';
import type { NeededImport } from './module-compat-reasons.js';

/** The numbering starts over past this many names (a long-lived server sees ever new ones). */
const MAX_SYMBOLS = 1 << 22;
let symbolIds = new Map<string, number>();
let generation = 0;
const symbolId = (s: string): number => {
  let id = symbolIds.get(s);
  if (id === undefined) {
    id = symbolIds.size;
    symbolIds.set(s, id);
  }
  return id;
};
const idsByNeeded = new WeakMap<readonly NeededImport[], { generation: number; ids: Uint32Array }>();

/** A name's number (numbered now if it has none). */
export const symbolIdOf = (s: string): number => symbolId(s);

/** Numbers of this generation: a kernel view or a module's ids of another are worked out again. */
export const symbolGeneration = (): number => generation;

export function symbolIdsOf(needed: readonly NeededImport[]): Uint32Array {
  const known = idsByNeeded.get(needed);
  if (known?.generation === generation) return known.ids;
  if (symbolIds.size > MAX_SYMBOLS) {
    symbolIds = new Map();
    generation++;
  }
  const ids = new Uint32Array(needed.length);
  for (let i = 0; i < needed.length; i++) ids[i] = symbolId(needed[i]!.symbol);
  idsByNeeded.set(needed, { generation, ids });
  return ids;
}

const idsByRank = new WeakMap<ExportTable, { generation: number; ids: Int32Array }>();

/** Symbol numbers by the rank of a stored series' names: -1 until asked for. */
function idsOfRanks(table: ExportTable): Int32Array {
  const known = idsByRank.get(table);
  if (known?.generation === generation) return known.ids;
  const { symbol } = table.rows;
  const ids = new Int32Array(symbol.length ? symbol[symbol.length - 1]! + 1 : 0).fill(-1);
  idsByRank.set(table, { generation, ids });
  return ids;
}

/** What a kernel view says of a symbol number, as bits. */
export const EXPORTED = 1;
/** Exported, but the fast path cannot judge it alone (no CRC, a CRC of 0, or a namespace): ask the Export. */
export const ODD = 2;
export const GPL_ONLY = 4;
/** Exported by one of the kernel's loadable modules (not vmlinux). */
export const BY_MODULE = 8;

/**
 * A kernel's exports by symbol number as typed arrays: what the loader checks of most imports (exported,
 * GPL-only, by a module, the CRC) read without an Export object; `exportAt` makes the Export when a reason
 * or an odd export needs it.
 */
export interface KernelView {
  readonly generation: number;
  readonly flags: Uint8Array;
  readonly crc: Uint32Array;
  exportAt(id: number): Export | undefined;
}

const views = new WeakMap<ReadonlyMap<string, Export>, KernelView>();

export function kernelView(exports: ReadonlyMap<string, Export>): KernelView {
  const known = views.get(exports);
  if (known?.generation === generation) return known;
  const view = exports instanceof RowsExports ? rowsView(exports) : mapView(exports);
  views.set(exports, view);
  return view;
}

function rowsView(exports: RowsExports): KernelView {
  const { table, rows } = exports;
  const cols = table.rows;
  const ranks = cols.symbol;
  const idOfRank = idsOfRanks(table);
  const rowIds = new Uint32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const rank = ranks[rows[k]!]!;
    let id = idOfRank[rank]!;
    if (id === -1) {
      id = symbolId(cols.symbolName(rank));
      idOfRank[rank] = id;
    }
    rowIds[k] = id;
  }
  const size = symbolIds.size;
  const flags = new Uint8Array(size);
  const crc = new Uint32Array(size);
  const rowById = new Int32Array(size);
  // The module and export type columns are interned: each number's meaning is asked of one Export.
  const gplByType = new Int8Array(256).fill(-1);
  const moduleKind = new Map<number, boolean>();
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    const id = rowIds[k]!;
    let f = EXPORTED;
    if (cols.hasCrc[row] === 0 || cols.crc[row] === 0 || cols.namespace[row]! > 0) f |= ODD;
    const t = cols.exportType[row]!;
    let gpl = gplByType[t]!;
    if (gpl === -1) {
      gpl = isGplOnly(table.exportAt(row).exportType) ? 1 : 0;
      gplByType[t] = gpl;
    }
    if (gpl === 1) f |= GPL_ONLY;
    const mod = cols.module[row]!;
    if (mod !== 0) {
      let byModule = moduleKind.get(mod);
      if (byModule === undefined) {
        const name = table.exportAt(row).module;
        byModule = name !== null && name !== 'vmlinux';
        moduleKind.set(mod, byModule);
      }
      if (byModule) f |= BY_MODULE;
    }
    flags[id] = f;
    crc[id] = cols.crc[row]!;
    rowById[id] = row;
  }
  return {
    generation,
    flags,
    crc,
    exportAt: (id) => (id < size && flags[id] !== 0 ? table.exportAt(rowById[id]!) : undefined),
  };
}

function mapView(exports: ReadonlyMap<string, Export>): KernelView {
  const ids: number[] = [];
  for (const s of exports.keys()) ids.push(symbolId(s));
  const size = symbolIds.size;
  const flags = new Uint8Array(size);
  const crc = new Uint32Array(size);
  const byId: (Export | undefined)[] = new Array(size).fill(undefined);
  let k = 0;
  for (const e of exports.values()) {
    const id = ids[k++]!;
    let f = EXPORTED;
    if (e.crc === null || e.crc === 0 || e.crc >>> 0 !== e.crc || e.namespace) f |= ODD;
    if (isGplOnly(e.exportType)) f |= GPL_ONLY;
    if (e.module !== null && e.module !== 'vmlinux') f |= BY_MODULE;
    flags[id] = f;
    crc[id] = e.crc ?? 0;
    byId[id] = e;
  }
  return { generation, flags, crc, exportAt: (id) => (id < size ? byId[id] : undefined) };
}
