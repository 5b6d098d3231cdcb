// The tables beside the charts, built from analysis results: judged changes, verdicts and their reasons,
// affected modules, consumers of changed symbols, stablelist coverage.
import type { DiffReport } from '../../analysis/check.js';
import type { CoverageReport } from '../../analysis/coverage.js';
import type { ImpactReport } from '../../analysis/impact.js';
import type { JudgedChange } from '../../model/change.js';
import { type Export, formatCrc } from '../../model/export.js';
import { brokenSymbols, type VerdictMatrix } from '../charts/heatmap.js';
import type { HtmlCell, HtmlColumn, HtmlTable } from './table.js';

const c = (
  key: string,
  title: string,
  kind: HtmlColumn['kind'],
  filter?: HtmlColumn['filter'],
): HtmlColumn => (filter ? { key, title, kind, filter } : { key, title, kind });

/** The value a change is about, on one side: the field its kind names. */
function side(kind: JudgedChange['kind'], e: Export | null): string | null {
  if (e === null) return null;
  switch (kind) {
    case 'moved':
      return e.module;
    case 'namespace-changed':
      return e.namespace;
    case 'export-type-changed':
      return e.exportType;
    default:
      return e.crc === null ? null : formatCrc(e.crc);
  }
}

export const CHANGE_COLUMNS: HtmlColumn[] = [
  c('kind', 'kind', 'word', 'select'),
  c('severity', 'severity', 'word', 'select'),
  c('symbol', 'symbol', 'symbol', 'text'),
  c('module', 'module', 'artifact', 'text'),
  c('namespace', 'namespace', 'artifact', 'text'),
  c('old', 'old', 'artifact'),
  c('new', 'new', 'artifact'),
];

function changeRow(ch: JudgedChange): HtmlCell[] {
  const e = ch.new ?? ch.old;
  return [
    ch.kind,
    ch.severity,
    ch.symbol,
    e?.module ?? null,
    e?.namespace ?? null,
    side(ch.kind, ch.old),
    side(ch.kind, ch.new),
  ];
}

/** At most `limit` changes of each kind (null: all), in the diff's order; and how many were left out. */
export function limitByKind(
  changes: readonly JudgedChange[],
  limit: number | null,
): { kept: JudgedChange[]; left: number } {
  if (limit === null) return { kept: [...changes], left: 0 };
  const seen = new Map<string, number>();
  const kept = changes.filter((ch) => {
    const n = (seen.get(ch.kind) ?? 0) + 1;
    seen.set(ch.kind, n);
    return n <= limit;
  });
  return { kept, left: changes.length - kept.length };
}

function leftNote(left: number, limit: number | null): string | undefined {
  return left > 0
    ? `${left.toLocaleString('en-US')} more rows left out (${limit} per kind; --all lists every one).`
    : undefined;
}

/** One diff's judged changes. */
export function changesTable(report: Pick<DiffReport, 'changes'>, limit: number | null): HtmlTable {
  const { kept, left } = limitByKind(report.changes, limit);
  const t: HtmlTable = {
    id: 'changes',
    title: 'Changes',
    columns: CHANGE_COLUMNS,
    rows: kept.map(changeRow),
  };
  const note = leftNote(left, limit);
  return note ? { ...t, note } : t;
}

/** The judged changes of every update of a series, one row per change, with the update named. */
export function seriesChangesTable(
  steps: readonly { from: string; to: string; changes: readonly JudgedChange[] }[],
  limit: number | null,
): HtmlTable {
  let left = 0;
  const rows = steps.flatMap((s) => {
    const l = limitByKind(s.changes, limit);
    left += l.left;
    return l.kept.map((ch) => [`${s.from} → ${s.to}`, ...changeRow(ch)]);
  });
  const t: HtmlTable = {
    id: 'changes',
    title: 'Every change, update by update',
    columns: [c('update', 'update', 'artifact', 'select'), ...CHANGE_COLUMNS],
    rows,
  };
  const note = leftNote(left, limit);
  return note ? { ...t, note } : t;
}

/** A cell per module and kernel: loads or fails, and the broken symbols. */
export function verdictsTable(m: VerdictMatrix): HtmlTable {
  const rows = m.modules.flatMap((mod) =>
    mod.verdicts.flatMap((v, k): HtmlCell[][] => {
      if (v === null) return [];
      const broken = v.loads ? [] : brokenSymbols(v);
      const first = v.reasons[0]?.message ?? (v.notes.length ? v.notes.join('; ') : null);
      return [
        [mod.module, v.source, m.kernels[k] ?? v.kernel, v.loads ? 'loads' : 'fails', broken.length, first],
      ];
    }),
  );
  return {
    id: 'verdicts',
    title: 'Verdicts',
    columns: [
      c('module', 'module', 'artifact', 'text'),
      c('source', 'source', 'artifact'),
      c('kernel', 'kernel', 'artifact', 'select'),
      c('verdict', 'verdict', 'word', 'select'),
      c('broken', 'broken symbols', 'count'),
      c('first', 'first reason (or note)', 'artifact'),
    ],
    rows,
  };
}

/** Every reason of every failing verdict, in the loader's order: why a module does not load. */
export function reasonsTable(m: VerdictMatrix): HtmlTable {
  const rows = m.modules.flatMap((mod) =>
    mod.verdicts.flatMap((v, k) =>
      (v?.reasons ?? []).map((r): HtmlCell[] => [
        mod.module,
        m.kernels[k] ?? v!.kernel,
        r.code,
        r.alsoFails ? 'would also fail' : 'fatal',
        r.symbol ?? null,
        r.namespace ?? null,
        r.module ?? null,
        r.wanted === undefined ? null : r.wanted,
        r.offered === undefined ? null : r.offered,
        r.message,
      ]),
    ),
  );
  return {
    id: 'reasons',
    title: 'Reasons',
    columns: [
      c('module', 'module', 'artifact', 'text'),
      c('kernel', 'kernel', 'artifact', 'select'),
      c('code', 'kind', 'word', 'select'),
      c('severity', 'severity', 'word', 'select'),
      c('symbol', 'symbol', 'symbol', 'text'),
      c('namespace', 'namespace', 'artifact', 'text'),
      c('exporter', 'exported by', 'artifact'),
      c('wanted', 'wanted CRC', 'crc'),
      c('offered', 'offered CRC', 'crc'),
      c('message', 'message', 'artifact'),
    ],
    rows,
  };
}

/** Changed symbols by the modules that import them, and modules by the changed symbols they use. */
export function impactTables(impact: ImpactReport): HtmlTable[] {
  return [
    {
      id: 'consumers',
      title: 'Changed symbols and their consumers',
      columns: [
        c('symbol', 'symbol', 'symbol', 'text'),
        c('kinds', 'kind', 'word', 'select'),
        c('consumers', 'modules', 'count'),
        c('modules', 'consuming modules', 'artifact', 'text'),
      ],
      rows: impact.symbols.map((s) => [
        s.symbol,
        s.kinds.join(', '),
        s.consumers.length,
        s.consumers.map((m) => m.name).join(', '),
      ]),
    },
    {
      id: 'affected',
      title: 'Affected modules',
      columns: [
        c('module', 'module', 'artifact', 'text'),
        c('arch', 'arch', 'artifact', 'select'),
        c('source', 'source', 'artifact'),
        c('imports', 'imports', 'count'),
        c('uses', 'changed symbols used', 'count'),
        c('symbols', 'symbols', 'artifact', 'text'),
      ],
      rows: impact.affected.map((m) => [
        m.name,
        m.arch,
        m.source,
        m.imports,
        m.uses.length,
        m.uses.map((u) => u.symbol).join(', '),
      ]),
    },
  ];
}

export function coverageTable(coverage: CoverageReport): HtmlTable {
  return {
    id: 'coverage',
    title: 'Stablelist coverage per module',
    note: `Protected by: ${coverage.stablelists.join(', ') || 'no stablelist'}.`,
    columns: [
      c('module', 'module', 'artifact', 'text'),
      c('arch', 'arch', 'artifact', 'select'),
      c('imports', 'imports', 'count'),
      c('protected', 'protected', 'count'),
      c('share', 'share', 'share'),
      c('unprotected', 'unprotected symbols', 'artifact', 'text'),
    ],
    rows: coverage.modules.map((m) => [
      m.name,
      m.arch,
      m.imports,
      m.protected,
      m.share,
      m.unprotected.join(', '),
    ]),
  };
}
