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
  /**
   * With a module corpus, in corpus order: every changed type each module's imports reach, and what its
   * own types hold of them (see moduleExposure).
   */
  modules?: ModuleExposure[];
}

/** How a type takes part in the change (root-causes.ts). */
export type ChangedTypeKind = 'root' | 'layout' | 'holder';

/** A changed type a module's imports reach. */
export interface ModuleReach {
  type: string;
  /**
   * `root`: its own definition changed (in `roots`); `layout`: its layout moved only because it embeds a
   * changed type (in `inherited`, `struct net_device` around `struct device`); `holder`: its definition is
   * unchanged but it holds a changed type by value (in `containers`).
   */
  kind: ChangedTypeKind;
  /** The module's imports whose declaration reaches the type. */
  imports: string[];
  /** Those of them whose CRC did not change: the loader accepts them, the type changed under them anyway. */
  unchangedCrc: string[];
  /** One shortest path from one of the imports: `dev_get_by_name → struct net_device`. */
  path: string[];
}

export interface ModuleExposure {
  module: string;
  source: string;
  /** Distinct symbols the module imports (`__versions`). */
  imports: number;
  /** Imports both kernels export whose declaration neither BTF nor the headers give: what they reach is unknown. */
  undeclared: string[];
  /** Every changed type its imports reach, nearest first (shortest path), then roots, layouts, holders. */
  reaches: ModuleReach[];
  /** Whether the module carries BTF (`.BTF`). Without it, which members it uses cannot be known. */
  hasBtf: boolean;
  /**
   * The module's own types that hold a changed type by value: their layout moves with it. Null when it
   * has BTF that was not read (a module inside a package).
   */
  holds: { type: string; member: string; offset: number; holds: string }[] | null;
}
