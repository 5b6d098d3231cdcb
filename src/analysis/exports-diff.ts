// Compares the exports of two kernel builds. A field is compared only when both sides know it:
// RPM provides carry no module, export type or namespace, and must not look "moved" against a
// Module.symvers. Tolerance is decided later, by the severity pass (severity.ts).
import type { Change, ChangeKind } from '../model/change.js';
import { type Export, isGplOnly } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';

const KIND_ORDER: Record<ChangeKind, number> = {
  removed: 0,
  'crc-changed': 1,
  'export-type-changed': 2,
  'namespace-changed': 3,
  moved: 4,
  added: 5,
};

/** Changes from `old` to `new`, ordered by kind (removed first) then symbol. */
export function diffExports(old: KernelBuild, next: KernelBuild): Change[] {
  const changes: Change[] = [];
  for (const o of old.exports.values()) {
    const n = next.exports.get(o.symbol);
    if (n === undefined)
      changes.push({ kind: 'removed', symbol: o.symbol, old: o, new: null, breaking: true });
    else if (n !== o) compareExport(o, n, changes);
  }
  for (const n of next.exports.values()) {
    if (!old.exports.has(n.symbol))
      changes.push({ kind: 'added', symbol: n.symbol, old: null, new: n, breaking: false });
  }
  return changes.sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0),
  );
}

function compareExport(o: Export, n: Export, out: Change[]): void {
  const symbol = o.symbol;
  if (o.crc !== null && n.crc !== null && o.crc !== n.crc) {
    out.push({ symbol, old: o, new: n, kind: 'crc-changed', breaking: true });
  }
  if (o.exportType !== null && n.exportType !== null && o.exportType !== n.exportType) {
    // EXPORT_SYMBOL → _GPL breaks non-GPL modules; the reverse breaks nobody.
    out.push({
      symbol,
      old: o,
      new: n,
      kind: 'export-type-changed',
      breaking: isGplOnly(n.exportType) && !isGplOnly(o.exportType),
    });
  }
  if (o.namespace !== null && n.namespace !== null && o.namespace !== n.namespace) {
    // A module must `import_ns` the new namespace; dropping a namespace needs nothing of it.
    out.push({ symbol, old: o, new: n, kind: 'namespace-changed', breaking: n.namespace !== '' });
  }
  if (o.module !== null && n.module !== null && o.module !== n.module) {
    // Harmless for the loader, but a kmod's `depends` may name the old module.
    out.push({ symbol, old: o, new: n, kind: 'moved', breaking: false });
  }
}
