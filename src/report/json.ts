// The JSON shape is a documented, stable interface (docs/json.md): CRCs as `0x%08x` strings, exports as
// objects, nulls where a source does not say.
import type {
  AbiVersionVerdict,
  BuildInfo,
  DiffReport,
  DiffSummary,
  DiffVerdict,
} from '../analysis/check.js';
import type { ExportsSummary } from '../analysis/summary.js';
import type { ChangeKind, Severity } from '../model/change.js';
import { type Export, formatCrc } from '../model/export.js';

/** An export on one side of a change, as JSON: CRC `0x%08x`; null fields where the source does not say. */
export interface ExportJson {
  crc: string | null;
  module: string | null;
  exportType: string | null;
  namespace: string | null;
}

/** One change, judged. */
export interface ChangeJson {
  kind: ChangeKind;
  symbol: string;
  /** The export on each side; null for added or removed. */
  old: ExportJson | null;
  new: ExportJson | null;
  severity: Severity;
  /** What decided the severity: `default`, a rule's origin (`file:line`), a stablelist. */
  rule: string;
  /** Whether a module built against `old` could stop loading on `new`. */
  breaking: boolean;
  /** With stablelists: whether the symbol is on one; otherwise null. */
  protected: boolean | null;
}

/** `kabi diff --format json` and `kabi check --format json` (docs/json.md). */
export interface DiffJson {
  old: BuildInfo;
  new: BuildInfo;
  policy: string;
  verdict: DiffVerdict;
  /** What `kabi check` exits with: 0, 4 or 12. */
  exitCode: number;
  abiVersion?: AbiVersionVerdict;
  summary: DiffSummary;
  warnings: string[];
  /** Ordered by kind (removed, crc-changed, ..., added), then by symbol. */
  changes: ChangeJson[];
}

const PLAIN = /^[A-Za-z0-9_.$/ ,:()+-]*$/;

/** A JSON string literal; the fast path skips JSON.stringify for the plain names that most symbols are. */
function jsonString(s: string | null): string {
  if (s === null) return 'null';
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

function exportJsonText(e: Export | null): string {
  if (e === null) return 'null';
  const crc = e.crc === null ? 'null' : `"${formatCrc(e.crc)}"`;
  const type = e.exportType === null ? 'null' : `"${e.exportType}"`;
  return `{"crc":${crc},"module":${jsonString(e.module)},"exportType":${type},"namespace":${jsonString(e.namespace)}}`;
}

export function diffToJson(r: DiffReport): string {
  const head: Omit<DiffJson, 'changes'> = {
    old: r.old,
    new: r.new,
    policy: r.policy,
    verdict: r.verdict,
    exitCode: r.exitCode,
    ...(r.abiVersion ? { abiVersion: r.abiVersion } : {}),
    summary: r.summary,
    warnings: r.warnings,
  };
  // One change per line: readable, diffable; built by hand because JSON.stringify of 30,000 small objects
  // is the slowest step of a large diff. Strings from artifacts still go through jsonString.
  const changes = r.changes.map(
    (c) =>
      `{"kind":"${c.kind}","symbol":${jsonString(c.symbol)},"old":${exportJsonText(c.old)},"new":${exportJsonText(c.new)},` +
      `"severity":"${c.severity}","rule":${jsonString(c.rule)},"breaking":${c.breaking},"protected":${c.protected}}`,
  );
  const top = JSON.stringify(head, null, 2).slice(0, -2);
  return changes.length === 0
    ? `${top},\n  "changes": []\n}\n`
    : `${top},\n  "changes": [\n    ${changes.join(',\n    ')}\n  ]\n}\n`;
}

export function summaryToJson(s: ExportsSummary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
