// What the store says of one stored artifact: a kernel build or a kmod, its labels and its counts.
// In the model so that reports can list entries without importing the store.

export type EntryKind = 'kernel' | 'kmod';

export interface EntryRecord {
  id: number;
  kind: EntryKind;
  format: string;
  source: string;
  sha256: string;
  ingestedAt: string;
  labels: Record<string, string>;
  exports: number;
  modules: number;
}
