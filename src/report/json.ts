// The JSON shape is a documented, stable interface (docs/json.md): CRCs as `0x%08x` strings, exports as
// objects, nulls where a source does not say.
import type { DiffReport } from '../analysis/check.js';
import type { ExportsSummary } from '../analysis/summary.js';
import { type Export, formatCrc } from '../model/export.js';

function exportJson(e: Export | null) {
  if (e === null) return null;
  return {
    crc: e.crc === null ? null : formatCrc(e.crc),
    module: e.module,
    exportType: e.exportType,
    namespace: e.namespace,
  };
}

export function diffToJson(r: DiffReport): string {
  const head = {
    old: r.old,
    new: r.new,
    policy: r.policy,
    verdict: r.verdict,
    exitCode: r.exitCode,
    ...(r.abiVersion ? { abiVersion: r.abiVersion } : {}),
    summary: r.summary,
    warnings: r.warnings,
  };
  // One change per line: readable, diffable, and ~3× faster than indenting 20,000 nested objects.
  const changes = r.changes.map((c) =>
    JSON.stringify({
      kind: c.kind,
      symbol: c.symbol,
      old: exportJson(c.old),
      new: exportJson(c.new),
      severity: c.severity,
      rule: c.rule,
      breaking: c.breaking,
      protected: c.protected,
    }),
  );
  const top = JSON.stringify(head, null, 2).slice(0, -2);
  return changes.length === 0
    ? `${top},\n  "changes": []\n}\n`
    : `${top},\n  "changes": [\n    ${changes.join(',\n    ')}\n  ]\n}\n`;
}

export function summaryToJson(s: ExportsSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
