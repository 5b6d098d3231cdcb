// One wording for every renderer: text, Markdown (and later HTML) describe a change the same way.
import type { ChangeKind, JudgedChange } from '../model/change.js';
import { type Export, formatCrc } from '../model/export.js';

export const KIND_TITLE: Record<ChangeKind, string> = {
  removed: 'Removed',
  'crc-changed': 'CRC changed',
  'export-type-changed': 'Export type changed',
  'namespace-changed': 'Namespace changed',
  moved: 'Moved to another module',
  added: 'Added',
};

function ns(e: Export): string {
  return e.namespace === null ? '?' : e.namespace === '' ? '(none)' : e.namespace;
}

/** The part of a change that says what changed, e.g. `0x1a2b3c4d → 0x5e6f7a8b`. */
export function describeChange(c: JudgedChange): string {
  const o = c.old;
  const n = c.new;
  switch (c.kind) {
    case 'added':
      return `${formatCrc(n!.crc)} in ${n!.module ?? '?'}${n!.exportType ? ` (${n!.exportType})` : ''}`;
    case 'removed':
      return `was ${formatCrc(o!.crc)} in ${o!.module ?? '?'}`;
    case 'crc-changed':
      return `${formatCrc(o!.crc)} → ${formatCrc(n!.crc)} in ${n!.module ?? '?'}`;
    case 'export-type-changed':
      return `${o!.exportType} → ${n!.exportType}${c.breaking ? ' (GPL-only now: non-GPL modules can no longer use it)' : ''}`;
    case 'namespace-changed':
      return `${ns(o!)} → ${ns(n!)}${c.breaking ? ` (modules need MODULE_IMPORT_NS(${n!.namespace}))` : ''}`;
    case 'moved':
      return `${o!.module} → ${n!.module}`;
  }
}

export function verdictLine(verdict: string, fail: number, warn: number): string {
  switch (verdict) {
    case 'incompatible':
      return `INCOMPATIBLE: ${fail} change(s) fail the policy, ${warn} warning(s)`;
    case 'compatible':
      return `COMPATIBLE: the ABI changed; ${warn} warning(s), nothing fails the policy`;
    default:
      return 'UNCHANGED: no change that the policy reports';
  }
}
