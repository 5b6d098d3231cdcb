// The Store interface: what kabi-tracker remembers of ingested kernels and kmods. SQLite (sqlite.ts) is
// the embedded default, PostgreSQL is planned (issue 18); analyses receive model objects (KernelBuild,
// ModuleImage) and never see SQL.
import type { EntryKind, EntryRecord } from '../model/entry.js';
import type { ExportColumnBuild, ExportIdSeries } from '../model/export-rows.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { KfuncList } from '../model/kfunc.js';
import type { ModuleImage } from '../model/module-image.js';
import type { TypeDef, TypeDigest, TypeIndex } from '../model/type-digest.js';

export type { EntryKind, EntryRecord } from '../model/entry.js';

export interface IngestInput {
  kind: EntryKind;
  artifact: { sha256: string; path: string; size: number };
  build: KernelBuild;
  /** Labels for the entry: derived defaults already merged with the user's. */
  labels: Record<string, string>;
  /**
   * The labels to set on the entry when this artifact is already stored (the user's); default `labels`.
   * An artifact is one entry: ingesting it again updates its labels, never adds a second entry.
   */
  update?: Record<string, string>;
  /**
   * Module images to keep in full (kmods, known by `sha256`), or just to name (a kernel's in-tree modules,
   * which need no hash).
   */
  modules: (
    | { file: string; image: ModuleImage; keepImage: true; sha256: string }
    | { file: string; image: ModuleImage; keepImage: false; sha256?: string }
  )[];
  builtin: string[];
  /** A kernel's BPF kfuncs, when its artifact has BTF. */
  kfuncs?: KfuncList | null;
  /**
   * A kernel's type digest: what `kabi explain` read of a store ref before the store kept its modules'
   * BTF (migration 11). Entries stored with one are still explained from it; ingest makes one when asked.
   */
  types?: TypeDigest | null;
  /** A kernel's BTF bytes (vmlinux and kfunc modules), when its artifact has BTF: for bpf-compat. */
  btf?: KernelBtfBlobs | null;
  /**
   * The split BTF of every module read with the kernel's BTF (each that exports, each that offers kfuncs),
   * kept in zstd frames of ~512 KB: what `kabi explain` of a store ref reads beside vmlinux's, as of a package.
   */
  moduleBtf?: ModuleBtfBlob[] | null;
}

/** A module's split .BTF, as built. */
export interface ModuleBtfBlob {
  name: string;
  bytes: Uint8Array;
}

/** The .BTF sections of a kernel, as built: vmlinux's, and each kfunc module's split BTF over it. */
export interface KernelBtfBlobs {
  vmlinux: Uint8Array;
  modules: { name: string; bytes: Uint8Array }[];
}

export interface IngestResult {
  entry: EntryRecord;
  /**
   * false when the artifact was already stored: nothing was written but the labels in `update` (and the
   * kfuncs of an entry stored before the store kept them).
   */
  created: boolean;
  /** When not created: the label keys that ingesting it again set or changed. */
  labelsChanged?: string[];
}

export interface StoreStats {
  entries: number;
  exports: number;
  exportSets: number;
  names: number;
  moduleImages: number;
  bytes: number;
}

/** `kabi watch`: what a source's top index answered last (HTTP validators, RFC 9110 §8.8). */
export interface WatchValidators {
  etag: string | null;
  lastModified: string | null;
  /** SHA-256 of the index as last read (a server without validators sends it whole each time). */
  digest: string | null;
}

/** `kabi watch`: a package of a source, handled: ingested, or rejected (verified, but not a readable build). */
export interface WatchSeen {
  key: string;
  name: string;
  outcome: 'ingested' | 'rejected';
  entry: number | null;
  /** The event reported for it, as JSON (schema/watch-event.schema.json). */
  event: string;
}

export interface WatchEventRecord {
  id: number;
  source: string;
  /** As JSON. */
  event: string;
  seenAt: string;
}

/**
 * `kabi watch`, several watchers on one store: what claiming a package answered. `claimed`: this holder
 * has it now (new, renewed, or taken over from `from`, whose lease ran out); `held`: another watcher's
 * lease runs until `until` (ISO time); `seen`: it was handled already.
 */
export type WatchClaim =
  | { state: 'claimed'; from: string | null }
  | { state: 'held'; holder: string; until: string }
  | { state: 'seen' };

/**
 * What `kabi migrate` made, from the rows a store already holds, for what was stored before the store kept
 * it: kernel builds' export columns (SQLite's migration 5) and module images' loader facts (migration 10;
 * PostgreSQL's 4). Public: migrateSqliteStore returns it, so it lives with the public store types, apart
 * from the SQLite addon's.
 */
export interface MigrationFilled {
  exportColumns: number;
  loaderFacts: number;
}

export interface LoadModulesOptions {
  /**
   * Only what the loader's verdicts read (compat, why), from the facts kept at ingest (migration 10):
   * `modinfo` holds its depends, import_ns, staging and intree entries alone, and `needs` only the
   * undefined symbols without a `__versions` record (neededImports gives the same list). Images stored
   * before those facts were kept come whole.
   */
  loader?: boolean;
}

/**
 * Every method returns a promise: SQLite answers at once, but the planned PostgreSQL store (issue 18, the
 * `postgres` client) can only answer asynchronously. A method reads or writes all it needs in one call
 * (loadBuilds takes every id of a series), so callers await once per question, never once per row.
 */
export interface Store {
  readonly path: string;
  /** One transaction: a crash or kill mid-ingest leaves the store as it was. */
  ingest(input: IngestInput): Promise<IngestResult>;
  list(query?: string): Promise<EntryRecord[]>;
  /** A REF: an entry id, or a label query that must match exactly one entry. */
  resolve(ref: string): Promise<EntryRecord>;
  /**
   * `symbols`: only the exports of those names (the rest of the build's exports are not read): what
   * `kabi explain SYMBOL... REF REF` needs of a 25,000-export build.
   */
  loadBuild(id: number, symbols?: readonly string[]): Promise<KernelBuild>;
  /** Several builds, sharing one Export object per stored tuple. */
  loadBuilds(ids: number[]): Promise<KernelBuild[]>;
  /**
   * Several builds as sorted arrays of rows into one table of their export tuples (typed columns): set
   * work over a series (steps, drift, epochs) without an Export object per row; `exportOf` makes one.
   */
  loadExportIds(ids: number[]): Promise<ExportIdSeries>;
  /**
   * Several builds as export columns of their own, with their crcDigest: what a series report needs,
   * read from records kept at ingest (one per build); the same from the rows where none was kept.
   */
  loadExportColumns(ids: number[]): Promise<ExportColumnBuild[]>;
  /** A kmod entry's module images in file order; with `loader`, only what the loader reads (see there). */
  loadModules(id: number, options?: LoadModulesOptions): Promise<ModuleImage[]>;
  /** In-tree module names of a kernel entry, and the names built into its vmlinux. */
  loadModuleNames(id: number): Promise<{ modules: string[]; builtin: string[] }>;
  /** A kernel entry's kfuncs; null when none were recorded (no BTF, or stored before migration 2). */
  loadKfuncs(id: number): Promise<KfuncList | null>;
  /** A kernel entry's type index; null when none was kept (no BTF, or stored before migration 6). */
  loadTypeIndex(id: number): Promise<TypeIndex | null>;
  /** A kernel entry's BTF bytes; null when none were kept (no BTF, or stored before migration 7). */
  loadKernelBtf(id: number): Promise<KernelBtfBlobs | null>;
  /**
   * A kernel entry's modules' split BTF (`moduleBtf` at ingest), each decompressed when its bytes are first
   * read; null when none were kept (no BTF, or stored before migration 11). `only`: just the modules of
   * those names (as ingest named them: file names, dashes made underscores), read from the frames that
   * hold them.
   */
  loadModuleBtf(id: number, only?: ReadonlySet<string>): Promise<ModuleBtfBlob[] | null>;
  /** Type definitions by def hash (hex keys), for the nodes of an index explain asks for. */
  loadTypeDefs(hashes: readonly string[]): Promise<Map<string, TypeDef>>;
  /**
   * What ingesting the artifact with this sha256 again does, without reading it: its entry with `update`'s
   * labels set; null when it is not stored, or (given `release`) stored only as another release's build.
   */
  reingest(sha256: string, update: Record<string, string>, release?: string): Promise<IngestResult | null>;
  /** Sets (adds or replaces) and removes labels of one entry; a key to unset must be there. */
  setLabels(ref: string, set: Record<string, string>, unset: string[]): Promise<EntryRecord>;
  /** Removes an entry, and whatever no other entry uses, in one transaction. */
  remove(ref: string): Promise<EntryRecord>;
  stats(): Promise<StoreStats>;
  /** `kabi watch`: a source's validators (null: none kept) and the keys of the packages it has handled. */
  watchState(source: string): Promise<{ validators: WatchValidators | null; seen: Set<string> }>;
  /** `kabi watch`, one transaction: packages handled (each key once), and the validators when given. */
  recordWatch(source: string, seen: WatchSeen[], validators?: WatchValidators): Promise<void>;
  /** `kabi watch`'s events with an id above `after`, oldest first, at most `limit` (the dashboard's stream). */
  watchEvents(after: number, limit: number): Promise<WatchEventRecord[]>;
  /**
   * `kabi watch`, atomically: claims a package of a source for `holder` for `leaseMs` (claiming again
   * renews), unless it was handled already or another holder's lease still runs.
   */
  claimWatch(source: string, key: string, holder: string, leaseMs: number): Promise<WatchClaim>;
  /**
   * `kabi watch`, one transaction: records a handled package (as recordWatch) and drops its claim. true
   * when this call recorded it, so the caller reports it; false when another watcher did first.
   */
  completeWatch(source: string, seen: WatchSeen): Promise<boolean>;
  /** `kabi watch`: gives up `holder`'s claim on a package (a failed download: any watcher tries it again). */
  releaseWatch(source: string, key: string, holder: string): Promise<void>;
  close(): Promise<void>;
}
