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
  const out = {
    old: r.old,
    new: r.new,
    policy: r.policy,
    verdict: r.verdict,
    exitCode: r.exitCode,
    ...(r.abiVersion ? { abiVersion: r.abiVersion } : {}),
    summary: r.summary,
    changes: r.changes.map((c) => ({
      kind: c.kind,
      symbol: c.symbol,
      old: exportJson(c.old),
      new: exportJson(c.new),
      severity: c.severity,
      rule: c.rule,
      breaking: c.breaking,
      protected: c.protected,
    })),
    warnings: r.warnings,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function summaryToJson(s: ExportsSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
