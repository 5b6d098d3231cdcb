// Symbols as numbers for the loader's lookups (moduleVerdicts, compatSeries): a module's imports are looked
// up on every kernel, 2 million lookups for 4,022 modules on 11 kernels, so each module's symbols are
// numbered once and each kernel's exports put in an array by number once. Not part of the library's
// surface: the numbers mean nothing outside one process.
import type { Export } from '../model/export.js';
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
const byIdOfExports = new WeakMap<
  ReadonlyMap<string, Export>,
  { generation: number; byId: (Export | undefined)[] }
>();

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

/** A kernel's exports by symbol number (undefined where it exports none of that name). */
export function exportsById(exports: ReadonlyMap<string, Export>): (Export | undefined)[] {
  const known = byIdOfExports.get(exports);
  if (known?.generation === generation) return known.byId;
  const byId: (Export | undefined)[] = new Array(symbolIds.size + exports.size).fill(undefined);
  if (exports instanceof RowsExports) {
    // Stored builds: by the rows' symbol ranks, each rank's name numbered once for the whole series.
    const { table, rows } = exports;
    const ranks = table.rows.symbol;
    const ids = idsOfRanks(table);
    for (const row of rows) {
      const rank = ranks[row]!;
      let id = ids[rank]!;
      if (id === -1) {
        id = symbolId(table.rows.symbolName(rank));
        ids[rank] = id;
      }
      byId[id] = table.exportAt(row);
    }
  } else for (const [s, e] of exports) byId[symbolId(s)] = e;
  byIdOfExports.set(exports, { generation, byId });
  return byId;
}

/** `to` has the symbols of `from`, in the same order (a module rebuilt keeps its imports): share the numbers. */
export function shareSymbolIds(from: readonly NeededImport[], to: readonly NeededImport[]): void {
  const ids = symbolIdsOf(from);
  idsByNeeded.set(to, { generation, ids });
}
