// What the store says of one stored artifact: a kernel build or a kmod, its labels and its counts.
// In the model so that reports can list entries without importing the store.
import type { ModulePackage } from './module-image.js';

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

/** A stored kmod as the package its modules came from: its `name` and `version` labels. */
export function kmodPackage(e: Pick<EntryRecord, 'id' | 'labels'>): ModulePackage {
  return { name: e.labels.name ?? `kmod ${e.id}`, version: e.labels.version ?? null };
}
