import type { Export } from './export.js';

/** In report order: what breaks modules first, additions last. */
export const CHANGE_KINDS = [
  'removed',
  'crc-changed',
  'export-type-changed',
  'namespace-changed',
  'moved',
  'added',
] as const;

export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Changes counted by kind, under the names the JSON reports use. */
export interface KindCounts {
  added: number;
  removed: number;
  crcChanged: number;
  exportTypeChanged: number;
  namespaceChanged: number;
  moved: number;
}

/** Every count at zero, in the order the JSON reports list them. */
export function emptyKindCounts(): KindCounts {
  return { added: 0, removed: 0, crcChanged: 0, exportTypeChanged: 0, namespaceChanged: 0, moved: 0 };
}

export const KIND_COUNT_KEY: Record<ChangeKind, keyof KindCounts> = {
  added: 'added',
  removed: 'removed',
  'crc-changed': 'crcChanged',
  'export-type-changed': 'exportTypeChanged',
  'namespace-changed': 'namespaceChanged',
  moved: 'moved',
};

/** One difference of one symbol between two builds. A symbol may have several (moved and crc-changed). */
export interface Change {
  kind: ChangeKind;
  symbol: string;
  old: Export | null;
  new: Export | null;
  /**
   * Whether a module built against the old build could stop loading on the new one because of this
   * change: removal, CRC change, EXPORT_SYMBOL→_GPL tightening, a namespace the module does not import.
   */
  breaking: boolean;
}

export type Severity = 'ignore' | 'warn' | 'fail';

export interface JudgedChange extends Change {
  severity: Severity;
  /** What decided the severity: a rule's origin (`severities:12`), `default`, or `stablelist:NAME`. */
  rule: string;
  /** With stablelists: whether the symbol is protected; otherwise null. */
  protected: boolean | null;
}
