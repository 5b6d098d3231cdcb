// Why did a CRC change? genksyms computes an export's CRC over its declaration with every type it
// reaches expanded; a change to one struct therefore moves the CRC of every export that reaches it.
// This walks the same reachability over BTF: an export's CRC change is explained by the *root* type
// changes its declaration reaches (a type whose own definition changed), with the path that leads there.
//
// BTF over-approximates genksyms: genksyms expands only the structs defined in the exporting file's
// headers, BTF has every definition. So a reached root is a candidate cause; "type changes behind an
// unchanged CRC" are the reached roots genksyms did not see.
//
// This file pairs the two kernels' exports and puts the pieces together: export-declarations.ts finds
// each declaration, type-diff.ts and root-causes.ts say which types changed and which are roots,
// type-reach.ts walks from declarations to changed types, module-exposure.ts answers for a module corpus,
// explanation.ts is the result's shape.
import { type Export, formatCrc } from '../model/export.js';
import type { ExplainStatus, Explanation, SymbolExplanation } from './explanation.js';
import { type ExplainSide, KernelTypes } from './export-declarations.js';
import { type ExplainModule, type ImportReach, moduleExposure } from './module-exposure.js';
import { RootTally, rootCauses } from './root-causes.js';
import type { SideTypes } from './type-digest.js';
import { Reachability } from './type-reach.js';

export type {
  ChangedTypeKind,
  ExplainStatus,
  Explanation,
  ModuleExposure,
  ModuleReach,
  RootChange,
  SymbolExplanation,
} from './explanation.js';
export { type ExplainSide, moduleKey } from './export-declarations.js';
export type { ExplainModule } from './module-exposure.js';
export { rootChanges, type TypeChange } from './type-diff.js';
export {
  type DigestSide,
  digestLoader,
  digestSides,
  kernelTypeDigest,
  type SideTypes,
  type TypeDefLoader,
  typeDigest,
} from './type-digest.js';
export { typeKey } from './type-graph.js';

export interface ExplainOptions {
  /** Only these exports (default: every export whose CRC changed). */
  symbols?: ReadonlySet<string>;
  /**
   * A module corpus: for each module, every changed type its imports reach. Their imports are added to
   * `symbols` when that is given.
   */
  modules?: readonly ExplainModule[];
}

/**
 * Each side is a kernel's BTF, or its types as `digestSides` loaded them from two digests (the store's):
 * the same graph less the nodes that reach nothing changed, so the same explanation.
 */
export function explainCrcChanges(
  oldSide: ExplainSide | SideTypes,
  newSide: ExplainSide | SideTypes,
  opts: ExplainOptions = {},
): Explanation {
  const before = 'declare' in oldSide ? oldSide : new KernelTypes(oldSide);
  const after = 'declare' in newSide ? newSide : new KernelTypes(newSide);
  const wanted = opts.symbols && opts.modules ? withImports(opts.symbols, opts.modules) : opts.symbols;
  // Declaring grows the graphs, so it comes before they are compared.
  const { changed, unchanged, declKey } = pairExports(before, after, wanted);
  bothReach(before, after);
  const causes = rootCauses(before.graph, after.graph);
  const roots = new Set(causes.roots.keys());
  // Every changed type is a target: the roots explain CRCs, a module's report lists them all.
  const targets = [...roots, ...causes.inherited.keys(), ...causes.containers.keys()];
  const reach = new Reachability(before.graph, after.graph, targets);
  const tally = new RootTally();

  const symbols = changed
    .sort((a, b) => (a.new.symbol < b.new.symbol ? -1 : 1))
    .map((pair) => explainSymbol(pair, declKey.get(pair.new.symbol), before, after, reach, roots));
  for (const s of symbols) tally.addChanged(s.symbol, s.roots);
  let unchangedCrcReached = 0;
  for (const key of unchanged) {
    const hit = reach.targetsOf(key).filter((t) => roots.has(t));
    if (hit.length === 0) continue;
    unchangedCrcReached++;
    tally.addUnchanged(hit);
  }

  const result: Explanation = {
    old: before.input.build.source,
    new: after.input.build.source,
    crcChanged: changed.length,
    explained: symbols.filter((s) => s.status === 'explained').length,
    symbols,
    ...tally.list(causes),
    unchangedCrcReached,
  };
  if (opts.modules) {
    const lookup = importLookup(before, after, declKey, reach);
    result.modules = opts.modules.map((m) => moduleExposure(m, result, lookup));
  }
  return result;
}

/**
 * Each graph grown by the types the other reaches, until neither grows: what the declarations reach over
 * both kernels' edges (Reachability's walk) is then defined on both sides, as it was when each graph held
 * every named type of its vmlinux. A changed type no asked export reaches is in neither, nor in
 * `inherited` or `containers`.
 */
function bothReach(a: SideTypes, b: SideTypes): void {
  if (!a.reach || !b.reach) return;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const size = to.graph.nodes.size;
      for (const key of [...from.graph.nodes.keys()]) if (!to.graph.nodes.has(key)) to.reach!(key);
      if (to.graph.nodes.size !== size) grew = true;
    }
  }
}

function withImports(symbols: ReadonlySet<string>, modules: readonly ExplainModule[]): Set<string> {
  const out = new Set(symbols);
  for (const m of modules) for (const i of m.image.imports) out.add(i.symbol);
  return out;
}

/**
 * What each import reaches, with a shortest path to every changed type; asked once per symbol however
 * many modules import it. Undefined for a symbol the two kernels do not both export with a CRC.
 */
function importLookup(
  before: SideTypes,
  after: SideTypes,
  declKey: ReadonlyMap<string, string>,
  reach: Reachability,
): (symbol: string) => ImportReach | undefined {
  const cache = new Map<string, ImportReach | undefined>();
  return (symbol) => {
    if (cache.has(symbol)) return cache.get(symbol);
    const o = before.input.build.exports.get(symbol);
    const n = after.input.build.exports.get(symbol);
    const key = declKey.get(symbol);
    let found: ImportReach | undefined;
    // As pairExports: an export without a CRC (a kernel without modversions) is not compared.
    if (o?.crc != null && n?.crc != null)
      found = key === undefined ? null : { crcChanged: o.crc !== n.crc, reaches: reach.paths(key, symbol) };
    cache.set(symbol, found);
    return found;
  };
}

interface ExportPair {
  old: Export;
  new: Export;
}

/**
 * Every export in both kernels gets its declaration: changed CRCs to explain, unchanged ones (their
 * declaration's key) to count the type changes genksyms did not see.
 */
function pairExports(before: SideTypes, after: SideTypes, wanted: ReadonlySet<string> | undefined) {
  const changed: ExportPair[] = [];
  const unchanged: string[] = [];
  const declKey = new Map<string, string>();
  for (const [symbol, n] of after.input.build.exports) {
    const o = before.input.build.exports.get(symbol);
    if (!o || o.crc == null || n.crc == null) continue;
    if (wanted && !wanted.has(symbol)) continue;
    const kOld = before.declare(o);
    const kNew = after.declare(n);
    const key = kNew ?? kOld;
    if (key) declKey.set(symbol, key);
    if (o.crc !== n.crc) changed.push({ old: o, new: n });
    else if (key) unchanged.push(key);
  }
  return { changed, unchanged, declKey };
}

function explainSymbol(
  { old: o, new: n }: ExportPair,
  key: string | undefined,
  before: SideTypes,
  after: SideTypes,
  reach: Reachability,
  roots: ReadonlySet<string>,
): SymbolExplanation {
  const decl = after.declarations.get(n.symbol) ?? before.declarations.get(n.symbol);
  const found = key === undefined ? [] : reach.paths(key, n.symbol, roots);
  const status: ExplainStatus =
    key === undefined ? 'no-declaration' : found.length ? 'explained' : 'no-type-change';
  return {
    symbol: n.symbol,
    module: n.module ?? '',
    oldCrc: crcText(o.crc),
    newCrc: crcText(n.crc),
    status,
    declaration: decl?.text ?? null,
    declarationFrom: decl?.from ?? null,
    roots: found,
  };
}

const crcText = (crc: number | null) => (crc === null ? null : formatCrc(crc));
