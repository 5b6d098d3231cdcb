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
// type-reach.ts walks from declarations to roots, explanation.ts is the result's shape.
import { type Export, formatCrc } from '../model/export.js';
import type { ExplainStatus, Explanation, SymbolExplanation } from './explanation.js';
import { type ExplainSide, KernelTypes } from './export-declarations.js';
import { RootTally, rootCauses } from './root-causes.js';
import { Reachability } from './type-reach.js';

export type {
  ExplainStatus,
  Explanation,
  ModuleExposure,
  RootChange,
  SymbolExplanation,
} from './explanation.js';
export { type ExplainSide, moduleKey } from './export-declarations.js';
export { moduleExposure } from './module-exposure.js';
export { rootChanges, type TypeChange } from './type-diff.js';
export { typeKey } from './type-graph.js';

export interface ExplainOptions {
  /** Only these exports (default: every export whose CRC changed). */
  symbols?: ReadonlySet<string>;
}

export function explainCrcChanges(
  oldSide: ExplainSide,
  newSide: ExplainSide,
  opts: ExplainOptions = {},
): Explanation {
  const before = new KernelTypes(oldSide);
  const after = new KernelTypes(newSide);
  // Declaring grows the graphs, so it comes before they are compared.
  const { changed, unchanged, declKey } = pairExports(before, after, opts.symbols);
  const causes = rootCauses(before.graph, after.graph);
  const reach = new Reachability(before.graph, after.graph, [...causes.roots.keys()]);
  const tally = new RootTally();

  const symbols = changed
    .sort((a, b) => (a.new.symbol < b.new.symbol ? -1 : 1))
    .map((pair) => explainSymbol(pair, declKey.get(pair.new.symbol), before, after, reach));
  for (const s of symbols) tally.addChanged(s.symbol, s.roots);
  let unchangedCrcReached = 0;
  for (const key of unchanged) {
    const hit = reach.rootsOf(key);
    if (hit.length === 0) continue;
    unchangedCrcReached++;
    tally.addUnchanged(hit);
  }

  const { roots, inherited, containers } = tally.list(causes);
  return {
    old: oldSide.build.source,
    new: newSide.build.source,
    crcChanged: changed.length,
    explained: symbols.filter((s) => s.status === 'explained').length,
    symbols,
    roots,
    inherited,
    containers,
    unchangedCrcReached,
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
function pairExports(before: KernelTypes, after: KernelTypes, wanted: ReadonlySet<string> | undefined) {
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
  before: KernelTypes,
  after: KernelTypes,
  reach: Reachability,
): SymbolExplanation {
  const decl = after.declarations.get(n.symbol) ?? before.declarations.get(n.symbol);
  const found = key === undefined ? [] : reach.paths(key, n.symbol);
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
