// Stored kernel builds for the loader, from a store's export rows (Store.loadExportIds): typed columns and
// one sorted row array per build, read in one pass, instead of 170,000 row arrays and 11 Maps of 27,000
// entries. A build's `exports` is a ReadonlyMap over its rows: `get`, `has` and `size` answer from the
// rows; an Export object is made once per tuple (shared by the builds that have it, as loadBuilds shares
// them), when first asked for; iterating makes the Map whole.
import type { Export } from '../model/export.js';
import type { ExportIdSeries, ExportRows } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';

/** The series' rows, with the Export objects made so far and the rank of each symbol name. */
export class ExportTable {
  private readonly made: (Export | undefined)[];
  private ranks: Map<string, number> | undefined;
  constructor(readonly rows: ExportRows) {
    this.made = new Array(rows.symbol.length).fill(undefined);
  }
  exportAt(row: number): Export {
    let e = this.made[row];
    if (!e) {
      e = this.rows.exportOf(row);
      this.made[row] = e;
    }
    return e;
  }
  /** A symbol name's rank; -1 when no row of the series has it. */
  rankOf(symbol: string): number {
    if (!this.ranks) {
      this.ranks = new Map();
      const { symbol: ranks } = this.rows;
      for (let row = 0; row < ranks.length; row++)
        if (row === 0 || ranks[row] !== ranks[row - 1])
          this.ranks.set(this.rows.symbolName(ranks[row]!), ranks[row]!);
    }
    return this.ranks.get(symbol) ?? -1;
  }
}

/** One build's exports as a ReadonlyMap over its rows (ascending, so by symbol rank, one row a symbol). */
export class RowsExports implements ReadonlyMap<string, Export> {
  private whole: Map<string, Export> | undefined;
  constructor(
    readonly table: ExportTable,
    readonly rows: Uint32Array,
  ) {}
  get size(): number {
    return this.rows.length;
  }
  /** The build's row of a symbol; -1 when it exports none of that name. A binary search by rank. */
  rowOf(symbol: string): number {
    const rank = this.table.rankOf(symbol);
    if (rank === -1) return -1;
    const ranks = this.table.rows.symbol;
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = ranks[this.rows[mid]!]!;
      if (r < rank) lo = mid + 1;
      else if (r > rank) hi = mid - 1;
      else return this.rows[mid]!;
    }
    return -1;
  }
  get(symbol: string): Export | undefined {
    const row = this.rowOf(symbol);
    return row === -1 ? undefined : this.table.exportAt(row);
  }
  has(symbol: string): boolean {
    return this.rowOf(symbol) !== -1;
  }
  private map(): Map<string, Export> {
    if (!this.whole) {
      this.whole = new Map();
      for (const row of this.rows) {
        const e = this.table.exportAt(row);
        this.whole.set(e.symbol, e);
      }
    }
    return this.whole;
  }
  forEach(f: (value: Export, key: string, map: ReadonlyMap<string, Export>) => void, self?: unknown): void {
    for (const [k, v] of this.map()) f.call(self, v, k, this);
  }
  entries() {
    return this.map().entries();
  }
  keys() {
    return this.map().keys();
  }
  values() {
    return this.map().values();
  }
  [Symbol.iterator]() {
    return this.map()[Symbol.iterator]();
  }
}

/** The builds of a loadExportIds answer as KernelBuilds, as loadBuilds gives them (labels carry the id). */
export function kernelBuildsOfRows(series: ExportIdSeries): KernelBuild[] {
  const table = new ExportTable(series.rows);
  return series.builds.map((b) => ({
    source: b.source,
    format: b.format,
    labels: b.labels,
    exports: new RowsExports(table, b.rows),
    warnings: b.warnings,
  }));
}
