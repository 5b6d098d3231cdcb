// `kabi coverage` as text, Markdown and CSV (series document renderers: artifact cells escaped per format)
// and as JSON (built field by field: a documented shape, docs/impact-coverage.md).
import type { CoverageReport, CoverageStats } from '../analysis/coverage.js';
import type { ModuleRef } from '../analysis/impact.js';
import { type Cell, col, type DocTable, type Line, type SeriesDocument } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';

export const COVERAGE_VIEWS = ['modules', 'candidates', 'unprotected', 'stats'] as const;

const share = (n: number, d: number | null) => (d === null || d === 0 ? null : n / d);

/** The Fermilab statistics: each count, its share of the kernel's exports (with --kernel) and of the consumed. */
function statRows(s: CoverageStats): Cell[][] {
  const rows: Cell[][] = [
    ['modules', s.modules, null, null],
    ['modules without __versions', s.withoutImports, null, null],
    ['unique symbols consumed', s.consumed, share(s.consumed, s.kernelExports), 1],
    ['stable symbols (listed)', s.stable, share(s.stable, s.kernelExports), null],
    [
      'stable symbols consumed',
      s.stableConsumed,
      share(s.stableConsumed, s.kernelExports),
      share(s.stableConsumed, s.consumed),
    ],
  ];
  if (s.kernelExports !== null && s.consumedExported !== null) {
    rows.push(['kernel exports', s.kernelExports, 1, null]);
    const missing = s.consumed - s.consumedExported;
    rows.push(['consumed symbols the kernel does not export', missing, null, share(missing, s.consumed)]);
  }
  if (s.series !== null) {
    const { changed, unchanged, absent, builds } = s.series;
    rows.push(['series builds', builds, null, null]);
    rows.push([
      'changed symbols consumed',
      changed,
      share(changed, s.kernelExports),
      share(changed, s.consumed),
    ]);
    rows.push([
      'unchanged symbols consumed',
      unchanged,
      share(unchanged, s.kernelExports),
      share(unchanged, s.consumed),
    ]);
    rows.push(['consumed symbols absent from the series', absent, null, share(absent, s.consumed)]);
  }
  if (s.candidates !== null)
    rows.push([
      'allowlist candidates (unprotected kernel exports)',
      s.candidates,
      share(s.candidates, s.kernelExports),
      share(s.candidates, s.consumed),
    ]);
  return rows;
}

function statsTable(r: CoverageReport): DocTable {
  return {
    view: 'stats',
    title: 'Corpus statistics',
    columns: [
      col('statistic', 'statistic', 'word'),
      col('count', 'count', 'count'),
      col('share_of_exports', 'of kernel exports', 'share'),
      col('share_of_consumed', 'of consumed', 'share'),
    ],
    rows: statRows(r.stats),
  };
}

function modulesTable(r: CoverageReport): DocTable {
  return {
    view: 'modules',
    title: `Modules by protected share of their imports (${r.modules.length})`,
    long: true,
    columns: [
      col('module', 'module', 'artifact'),
      col('arch', 'arch', 'word'),
      col('imports', 'imports', 'count'),
      col('protected', 'protected', 'count'),
      col('share', 'share', 'share'),
      col('unprotected', 'unprotected imports', 'artifact'),
      col('candidates', 'allowlist candidates', 'artifact'),
      col('source', 'source', 'artifact'),
    ],
    rows: r.modules.map((m) => [
      m.name,
      m.arch,
      m.imports,
      m.protected,
      m.share,
      m.unprotected.join(' '),
      m.candidates === null ? null : m.candidates.join(' '),
      m.source,
    ]),
  };
}

const names = (refs: readonly ModuleRef[]) => refs.map((m) => m.name).join(' ');

function candidatesTable(r: CoverageReport): DocTable {
  const c = r.candidates;
  return {
    view: 'candidates',
    title:
      c === null
        ? 'Allowlist candidates: only symbols the kernel exports can be; name it with --kernel or --series'
        : `Allowlist candidates: unprotected symbols the kernel exports (${c.length}), by modules using them, then CRC changes along the series`,
    long: true,
    columns: [
      col('symbol', 'symbol', 'artifact'),
      col('consumers', 'modules', 'count'),
      col('crc_changes', 'CRC changes', 'count'),
      col('modules', 'used by', 'artifact'),
    ],
    rows: (c ?? []).map((u) => [u.symbol, u.consumers.length, u.crcChanges, names(u.consumers)]),
  };
}

function unprotectedTable(r: CoverageReport): DocTable {
  return {
    view: 'unprotected',
    title: `Unprotected symbols by consuming modules (${r.unprotected.length}), whoever exports them`,
    long: true,
    columns: [
      col('symbol', 'symbol', 'artifact'),
      col('consumers', 'modules', 'count'),
      col('modules', 'consumed by', 'artifact'),
    ],
    rows: r.unprotected.map((u) => [u.symbol, u.consumers.length, names(u.consumers)]),
  };
}

export function coverageDocument(r: CoverageReport): SeriesDocument {
  const lists: Line = ['stablelists: '];
  for (const [i, n] of r.stablelists.entries()) lists.push(...(i > 0 ? [', '] : []), { code: n });
  const notes: Line[] = [lists];
  if (r.kernel !== null) notes.push(['kernel: ', { code: r.kernel }]);
  const s = r.stats;
  return {
    title: [
      `kABI coverage: ${s.stableConsumed} of ${s.consumed} symbols consumed by ${s.modules} modules are protected`,
    ],
    notes,
    tables: [modulesTable(r), candidatesTable(r), unprotectedTable(r), statsTable(r)],
  };
}

const ref = (m: ModuleRef) => ({ name: m.name, arch: m.arch, source: m.source });

/** `kabi coverage --format json`. */
export function coverageJson(r: CoverageReport) {
  const s = r.stats;
  return {
    stablelists: r.stablelists,
    kernel: r.kernel,
    stats: {
      modules: s.modules,
      withoutImports: s.withoutImports,
      consumed: s.consumed,
      stable: s.stable,
      stableConsumed: s.stableConsumed,
      kernelExports: s.kernelExports,
      consumedExported: s.consumedExported,
      series: s.series && { ...s.series },
      candidates: s.candidates,
    },
    modules: r.modules.map((m) => ({
      ...ref(m),
      imports: m.imports,
      protected: m.protected,
      share: m.share,
      unprotected: m.unprotected,
      candidates: m.candidates,
    })),
    candidates:
      r.candidates === null
        ? null
        : r.candidates.map((u) => ({
            symbol: u.symbol,
            crcChanges: u.crcChanges,
            consumers: u.consumers.map(ref),
          })),
    unprotected: r.unprotected.map((u) => ({ symbol: u.symbol, consumers: u.consumers.map(ref) })),
  };
}

export type CoverageJson = ReturnType<typeof coverageJson>;

export const coverageToJson = (r: CoverageReport): string => `${JSON.stringify(coverageJson(r), null, 2)}\n`;

export const coverageRenderers: Record<
  'text' | 'json' | 'markdown' | 'csv',
  (r: CoverageReport, o: DocumentOptions) => string
> = {
  text: (r, o) => documentToText(coverageDocument(r), o),
  json: (r) => coverageToJson(r),
  markdown: (r, o) => documentToMarkdown(coverageDocument(r), o),
  csv: (r, o) => documentToCsv(coverageDocument(r), o),
};
