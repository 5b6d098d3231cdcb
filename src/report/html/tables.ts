// The tables beside the charts, built from analysis results: judged changes, verdicts and their reasons,
// affected modules, consumers of changed symbols, stablelist coverage.
import type { DiffReport } from '../../analysis/check.js';
import type { CompatSeries } from '../../analysis/compat-series.js';
import type { CoverageReport } from '../../analysis/coverage.js';
import type { ImpactReport, ModuleRef } from '../../analysis/impact.js';
import type { JudgedChange } from '../../model/change.js';
import { type Export, formatCrc } from '../../model/export.js';
import type { Verdict } from '../../model/verdict.js';
import { brokenSymbols, type VerdictMatrix } from '../charts/heatmap.js';
import { formatCount } from '../charts/svg.js';
import type { HtmlCell, HtmlColumn, HtmlTable } from './table.js';

const c = (
  key: string,
  title: string,
  kind: HtmlColumn['kind'],
  filter?: HtmlColumn['filter'],
): HtmlColumn => (filter ? { key, title, kind, filter } : { key, title, kind });

const MODULE_COLUMN = c('module', 'module', 'artifact', 'text');

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

/** `t`, saying under its title how many rows `limitByKind` left out, if any. */
function withLeftNote(t: HtmlTable, left: number, limit: number | null): HtmlTable {
  if (left === 0) return t;
  return {
    ...t,
    note: `${formatCount(left)} more rows left out (${limit} per kind; --all lists every one).`,
  };
}

/** One diff's judged changes. */
export function changesTable(report: Pick<DiffReport, 'changes'>, limit: number | null): HtmlTable {
  const { kept, left } = limitByKind(report.changes, limit);
  return withLeftNote(
    { id: 'changes', title: 'Changes', columns: CHANGE_COLUMNS, rows: kept.map(changeRow) },
    left,
    limit,
  );
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
  return withLeftNote(
    {
      id: 'changes',
      title: 'Every change, update by update',
      columns: [c('update', 'update', 'artifact', 'select'), ...CHANGE_COLUMNS],
      rows,
    },
    left,
    limit,
  );
}

/**
 * Rows from every verdict of the matrix, each led by the module's identity (name, where it came from,
 * the kernel it was built for) and the kernel's name as the matrix spells it.
 */
function verdictRows(m: VerdictMatrix, rows: (v: Verdict) => HtmlCell[][]): HtmlCell[][] {
  return m.modules.flatMap((mod) =>
    mod.verdicts.flatMap((v, k) =>
      v === null
        ? []
        : rows(v).map((r) => [mod.module, mod.from, mod.builtFor, m.kernels[k] ?? v.kernel, ...r]),
    ),
  );
}

const IDENTITY_COLUMNS = [
  MODULE_COLUMN,
  c('from', 'from', 'artifact', 'select'),
  c('built-for', 'built for', 'artifact', 'select'),
  c('kernel', 'kernel', 'artifact', 'select'),
];

/** A cell per module and kernel: loads or fails, and the broken symbols. */
export function verdictsTable(m: VerdictMatrix): HtmlTable {
  const rows = verdictRows(m, (v) => {
    const broken = v.loads ? [] : brokenSymbols(v);
    const first = v.reasons[0]?.message ?? (v.notes.length ? v.notes.join('; ') : null);
    return [[v.loads ? 'loads' : 'fails', broken.length, first]];
  });
  return {
    id: 'verdicts',
    title: 'Verdicts',
    columns: [
      ...IDENTITY_COLUMNS,
      c('verdict', 'verdict', 'word', 'select'),
      c('broken', 'broken symbols', 'count'),
      c('first', 'first reason (or note)', 'artifact'),
    ],
    rows,
  };
}

/** Per package across a series: the builds it survives, those that force a rebuild, the symbols to blame. */
export function packagesTable(s: CompatSeries): HtmlTable {
  return {
    id: 'packages',
    title: 'Packages: rebuilds across the series',
    note: 'A package needs a rebuild on a build when a module of it, as last built, does not load there.',
    columns: [
      c('package', 'package', 'artifact', 'select'),
      c('built-for', 'built for', 'artifact', 'select'),
      c('modules', 'modules', 'count'),
      c('survives', 'survives', 'artifact'),
      c('rebuilds', 'rebuild at', 'artifact'),
      c('module-rebuilds', 'module rebuilds', 'count'),
      c('symbols', 'symbols to blame', 'artifact', 'text'),
    ],
    rows: s.packages.map((p) => [
      p.package ?? '(modules given alone)',
      p.builtFor,
      p.modules.length,
      p.survives.join(', '),
      p.rebuilds.map((r) => r.kernel).join(', '),
      p.rebuilds.reduce((n, r) => n + r.modules.length, 0),
      [...new Set(p.rebuilds.flatMap((r) => r.symbols))].sort().join(', '),
    ]),
  };
}

/** Every reason of every failing verdict, in the loader's order: why a module does not load. */
export function reasonsTable(m: VerdictMatrix): HtmlTable {
  const rows = verdictRows(m, (v) =>
    v.reasons.map((r): HtmlCell[] => [
      r.code,
      r.alsoFails ? 'would also fail' : 'fatal',
      r.symbol ?? null,
      r.namespace ?? null,
      r.module ?? null,
      r.wanted === undefined ? null : r.wanted,
      r.offered === undefined ? null : r.offered,
      r.message,
    ]),
  );
  return {
    id: 'reasons',
    title: 'Reasons',
    columns: [
      ...IDENTITY_COLUMNS,
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

/**
 * A row per module of a corpus, named and then placed by architecture (`kabi impact` and `kabi coverage`
 * list modules so: the same module name can be built for several), then `more`.
 */
function corpusModulesTable<M extends ModuleRef>(
  t: { id: string; title: string; note?: string },
  more: HtmlColumn[],
  modules: readonly M[],
  cells: (m: M) => HtmlCell[],
): HtmlTable {
  return {
    ...t,
    columns: [MODULE_COLUMN, c('arch', 'arch', 'artifact', 'select'), ...more],
    rows: modules.map((m) => [m.name, m.arch, ...cells(m)]),
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
    corpusModulesTable(
      { id: 'affected', title: 'Affected modules' },
      [
        c('source', 'source', 'artifact'),
        c('imports', 'imports', 'count'),
        c('uses', 'changed symbols used', 'count'),
        c('symbols', 'symbols', 'artifact', 'text'),
      ],
      impact.affected,
      (m) => [m.source, m.imports, m.uses.length, m.uses.map((u) => u.symbol).join(', ')],
    ),
  ];
}

export function coverageTable(coverage: CoverageReport): HtmlTable {
  return corpusModulesTable(
    {
      id: 'coverage',
      title: 'Stablelist coverage per module',
      note: `Protected by: ${coverage.stablelists.join(', ') || 'no stablelist'}.`,
    },
    [
      c('imports', 'imports', 'count'),
      c('protected', 'protected', 'count'),
      c('share', 'share', 'share'),
      c('unprotected', 'unprotected symbols', 'artifact', 'text'),
    ],
    coverage.modules,
    (m) => [m.imports, m.protected, m.share, m.unprotected.join(', ')],
  );
}
