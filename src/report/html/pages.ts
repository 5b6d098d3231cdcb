// The three report pages (`kabi report diff | series | compat`): analysis results in, a page model out
// (charts + tables), which renderHtmlReport turns into one HTML file and the CLI into PNGs.
import type { DiffReport } from '../../analysis/check.js';
import type { CompatSeries } from '../../analysis/compat-series.js';
import type { CoverageReport } from '../../analysis/coverage.js';
import type { ImpactReport } from '../../analysis/impact.js';
import type { SeriesReport } from '../../analysis/series.js';
import type { JudgedChange } from '../../model/change.js';
import { consumersChart, coverageChart, diffChart } from '../charts/bars.js';
import type { SvgChart } from '../charts/chart.js';
import { compatHeatmap, failingPerKernel, type VerdictMatrix } from '../charts/heatmap.js';
import { driftChart, epochsChart, stepsChart } from '../charts/series.js';
import { formatCount, formatShare } from '../charts/svg.js';
import { seriesDocument } from '../series-tables.js';
import type { HtmlReport } from './page.js';
import { fromDocTable, type HtmlTable } from './table.js';
import {
  changesTable,
  coverageTable,
  impactTables,
  packagesTable,
  reasonsTable,
  seriesChangesTable,
  verdictsTable,
} from './tables.js';

/**
 * What the module-side views add to any page: the heatmap, consumers, coverage and their tables. A
 * CompatSeries adds its packages (the builds each survives, those that force a rebuild).
 */
export interface ModuleViews {
  compat?: VerdictMatrix | CompatSeries;
  impact?: ImpactReport;
  coverage?: CoverageReport;
}

export interface PageOptions {
  /** Change rows per kind (per update in a series); null: all. Default 500. */
  limit?: number | null;
  /** The command line that made the page, shown at its foot. */
  generator?: string;
}

const isSeries = (m: VerdictMatrix | CompatSeries): m is CompatSeries => 'packages' in m;

/** The compat view in words: failing modules per kernel (as the heatmap counts them) and the rebuilds. */
function compatLines(m: VerdictMatrix | CompatSeries): string[] {
  const failing = failingPerKernel(m);
  const lines = [`Failing modules per kernel: ${m.kernels.map((k, i) => `${k} ${failing[i]}`).join(', ')}.`];
  if (isSeries(m))
    lines.push(
      `Rebuilds across the series: ${m.totalRebuilds} module rebuilds, ${m.packageRebuilds} package rebuilds (a rebuild is needed where the module built for the previous build does not load).`,
    );
  return lines;
}

function moduleParts(v: ModuleViews): { charts: SvgChart[]; tables: HtmlTable[]; lines: string[] } {
  const charts: SvgChart[] = [];
  const tables: HtmlTable[] = [];
  const lines: string[] = [];
  if (v.compat) {
    charts.push(compatHeatmap(v.compat));
    if (isSeries(v.compat)) tables.push(packagesTable(v.compat));
    tables.push(verdictsTable(v.compat), reasonsTable(v.compat));
    lines.push(...compatLines(v.compat));
  }
  if (v.impact) {
    charts.push(consumersChart(v.impact));
    tables.push(...impactTables(v.impact));
  }
  if (v.coverage) {
    charts.push(coverageChart(v.coverage));
    tables.push(coverageTable(v.coverage));
  }
  return { charts, tables, lines };
}

const limitOf = (o: PageOptions) => (o.limit === undefined ? 500 : o.limit);

export function diffPage(report: DiffReport, views: ModuleViews = {}, o: PageOptions = {}): HtmlReport {
  const more = moduleParts(views);
  const s = report.summary;
  return {
    title: `kABI diff: ${report.old.source} → ${report.new.source}`,
    lines: [
      `${formatCount(report.old.exports)} → ${formatCount(report.new.exports)} exports; policy ${report.policy}; verdict ${report.verdict}.`,
      `${report.changes.length} changes: ${s.removed} removed, ${s.crcChanged} CRC changed, ${s.exportTypeChanged} export type, ${s.namespaceChanged} namespace, ${s.moved} moved, ${s.added} added (fail ${s.fail}, warn ${s.warn}, ignore ${s.ignore}).`,
      ...more.lines,
    ],
    charts: [diffChart(report), ...more.charts],
    tables: [changesTable(report, limitOf(o)), ...more.tables],
    ...(o.generator ? { generator: o.generator } : {}),
  };
}

/** The judged changes of each update, in step order (from `compareBuilds(prev, next, {policy})`). */
export interface SeriesPageInput {
  report: SeriesReport;
  stepChanges?: readonly (readonly JudgedChange[])[];
  /** The label query that selected the builds: the history hint uses it. */
  query?: string;
}

export function seriesPage(input: SeriesPageInput, views: ModuleViews = {}, o: PageOptions = {}): HtmlReport {
  const { report } = input;
  const more = moduleParts(views);
  const doc = seriesDocument(report);
  const tables = doc.tables.map((t) => fromDocTable(t));
  if (input.stepChanges) {
    const steps = report.steps.map((s, i) => ({
      from: report.builds[s.from]?.name ?? String(s.from),
      to: report.builds[s.to]?.name ?? String(s.to),
      changes: input.stepChanges![i] ?? [],
    }));
    tables.push(seriesChangesTable(steps, limitOf(o)));
  }
  const base = report.builds[report.drift.baseline];
  const last = report.drift.points.at(-1);
  return {
    title: `kABI series${input.query ? `: ${input.query}` : ''}`,
    lines: [
      `${report.builds.length} builds, ordered by ${report.ordering.label ?? 'input order'}: ${report.builds.map((b) => b.name).join(', ')}.`,
      `${report.epochs.length} ABI epochs; drift from ${base?.name ?? '?'} to the last build: ${formatShare(last?.share ?? null)} of its ABI changed.`,
      ...more.lines,
    ],
    charts: [stepsChart(report), driftChart(report), epochsChart(report), ...more.charts],
    tables: [...tables, ...more.tables],
    ...(input.query !== undefined ? { query: input.query } : {}),
    ...(o.generator ? { generator: o.generator } : {}),
  };
}

export function compatPage(
  matrix: VerdictMatrix | CompatSeries,
  views: Omit<ModuleViews, 'compat'> = {},
  o: PageOptions = {},
): HtmlReport {
  const more = moduleParts({ ...views, compat: matrix });
  const cells = (matrix.modules as VerdictMatrix['modules']).flatMap((m) =>
    m.verdicts.filter((v) => v !== null),
  );
  const fails = cells.filter((v) => !v.loads).length;
  return {
    title: 'kABI compat: which modules load on which kernel',
    lines: [
      `${matrix.modules.length} modules × ${matrix.kernels.length} kernels: ${cells.length - fails} load, ${fails} fail.`,
      `Kernels: ${matrix.kernels.join(', ')}.`,
      ...more.lines,
    ],
    charts: more.charts,
    tables: more.tables,
    ...(o.generator ? { generator: o.generator } : {}),
  };
}

/**
 * Several streams' series pages as one page: a section per stream (its charts and tables titled by the
 * stream, ids made unique), and first a line saying the builds were grouped by their stream label.
 */
export function streamPages(
  pages: { stream: string | null; page: HtmlReport }[],
  query: string | undefined,
  o: PageOptions = {},
): HtmlReport {
  const name = (s: string | null) => s ?? '(no stream label)';
  const slug = (s: string | null, i: number) => `s${i}-${name(s).replace(/[^A-Za-z0-9]+/g, '-')}`;
  return {
    title: `kABI series${query ? `: ${query}` : ''}`,
    lines: [
      `${pages.length} streams, one series each (grouped by the stream label; one stream at a time: a query with stream=NAME): ${pages.map((p) => name(p.stream)).join(', ')}.`,
      ...pages.flatMap(({ stream, page }) => page.lines.map((l) => `${name(stream)}: ${l}`)),
    ],
    charts: pages.flatMap(({ stream, page }, i) =>
      page.charts.map((c) => ({
        ...c,
        id: `${slug(stream, i)}-${c.id}`,
        title: `${name(stream)}: ${c.title}`,
      })),
    ),
    tables: pages.flatMap(({ stream, page }, i) =>
      page.tables.map((t) => ({
        ...t,
        id: `${slug(stream, i)}-${t.id}`,
        title: `${name(stream)}: ${t.title}`,
      })),
    ),
    ...(query !== undefined ? { query } : {}),
    ...(o.generator ? { generator: o.generator } : {}),
  };
}
