// What `kabi explain` hands to its reporters (src/report/explain.ts) and to `kabi compat`: the
// explanation of each CRC change and the root causes, ranked. Data only, apart from the code that
// computes it, so a reporter's author reads the shape here without reading the graph walk.
import type { TypeChange } from './type-diff.js';

export interface RootChange {
  /** `struct device`, `func kmalloc_trace`. */
  type: string;
  changes: TypeChange[];
  /** CRC-changed exports whose declaration reaches this type. */
  exports: string[];
  /** Exports with an unchanged CRC that reach it too (genksyms did not expand it for them). */
  unchangedCrcExports: number;
  /** One path from an export to this type: `kmalloc_trace → struct kmem_cache → ...`. */
  examplePath: string[];
}

export type ExplainStatus = 'explained' | 'no-declaration' | 'no-type-change';

export interface SymbolExplanation {
  symbol: string;
  module: string;
  oldCrc: string | null;
  newCrc: string | null;
  status: ExplainStatus;
  /** The C declaration in the new kernel (or the old, if it is gone from the new BTF). */
  declaration: string | null;
  /** Where the declaration came from when BTF had none (an extern in a header). */
  declarationFrom: string | null;
  /** Root changes this declaration reaches, the path to each (starting at the symbol). */
  roots: { type: string; path: string[] }[];
}

export interface Explanation {
  old: string;
  new: string;
  /** Exports whose CRC changed (within the selection). */
  crcChanged: number;
  explained: number;
  symbols: SymbolExplanation[];
  /** Root type changes, most exports reached first. */
  roots: RootChange[];
  /** Types that changed only because they embed a changed type by value: consequences, not roots. */
  inherited: { type: string; embeds: string[]; changes: TypeChange[] }[];
  /** Types with an unchanged definition that hold a changed type by value (libabigail calls them changed). */
  containers: { type: string; embeds: string[] }[];
  /** Exports with an unchanged CRC whose declaration reaches a root change. */
  unchangedCrcReached: number;
  /** With a module corpus: what each module's own types hold of the changed ones (see moduleExposure). */
  modules?: ModuleExposure[];
}

export interface ModuleExposure {
  module: string;
  /** False when the module carries no BTF: which members it uses cannot be known from the artifact. */
  hasBtf: boolean;
  /** The module's own types that hold a changed type by value: their layout moves with it. */
  holds: { type: string; member: string; offset: number; holds: string }[];
}
