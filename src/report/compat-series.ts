// A set of modules across a series (analysis/compat-series.ts) as text, JSON, Markdown and CSV, in one of
// two views: per package (the default when every module came from a package: the builds it survives,
// those that force a rebuild, the symbols to blame) or per module (the matrix, each module's first
// failure and rebuilds).
import type { CompatSeries, ModuleTimeline, PackageTimeline } from '../analysis/compat-series.js';
import {
  type CompatFormat,
  columns,
  csvTable,
  firstReason,
  firstReasonAt,
  IDENTITY_HEAD,
  identityCells,
  markdownTable,
  matrixLines,
  matrixLinesOfTables,
} from './compat.js';
import { mdCode } from './markdown.js';
import { textSafe } from './series.js';

export type CompatView = 'package' | 'module';

export interface CompatSeriesOptions {
  /** Default: `package` when every module came from a package, else `module`. */
  view?: CompatView;
}

export function defaultCompatView(s: CompatSeries): CompatView {
  return s.packages.length > 0 && s.packages.every((p) => p.package !== null) ? 'package' : 'module';
}

/** The first few, and how many in all when some are left out (unless the line says it already). */
const list = (xs: readonly string[], counted = false, max = 5) =>
  `${xs.slice(0, max).map(textSafe).join(', ')}${xs.length > max ? `, …${counted ? '' : ` (${xs.length} in all)`}` : ''}`;

/** `(modules given alone)` for the install of the modules that came without a package. */
export const packageName = (p: PackageTimeline) => p.package ?? '(modules given alone)';

/** Per build: the failing modules as built, and the rebuilds (modules, packages) it forces. */
export function seriesCounts(
  s: CompatSeries,
): { kernel: string; failing: number; modules: number; packages: number }[] {
  return s.kernels.map((kernel, k) => ({
    kernel,
    failing: s.failing[k] ?? 0,
    modules: s.modules.filter((m) => m.rebuilds.some((r) => r.kernel === kernel)).length,
    packages: s.packages.filter((p) => p.rebuilds.some((r) => r.kernel === kernel)).length,
  }));
}

function totalsLines(s: CompatSeries): string[] {
  const counts = seriesCounts(s);
  return [
    '',
    ...columns([
      ['build', 'failing as built', 'module rebuilds', 'package rebuilds'],
      ...counts.map((c) => [textSafe(c.kernel), String(c.failing), String(c.modules), String(c.packages)]),
    ]),
    `Total rebuilds across the series: ${s.totalRebuilds} module rebuild(s), ${s.packageRebuilds} package rebuild(s)`,
  ];
}

function packageLines(s: CompatSeries): string[] {
  const out = [
    'A package needs a rebuild on a build when a module of it, as last built, does not load there:',
    '',
    ...columns([
      ['package', 'built for', 'modules', 'survives', 'rebuild at'],
      ...s.packages.map((p) => [
        textSafe(packageName(p)),
        textSafe(p.builtFor ?? '?'),
        String(p.modules.length),
        p.survives.map(textSafe).join(', ') || 'none',
        p.rebuilds.map((r) => textSafe(r.kernel)).join(', ') || 'none',
      ]),
    ]),
  ];
  const forced = s.packages.filter((p) => p.rebuilds.length);
  if (forced.length) out.push('', 'Why each rebuild (the symbols to blame):');
  for (const p of forced)
    for (const r of p.rebuilds) {
      const blame = r.symbols.length ? `: ${list(r.symbols)}` : ': a dependency or the vermagic';
      out.push(
        `  ${textSafe(packageName(p))} at ${textSafe(r.kernel)}: ${r.modules.length} of ${p.modules.length} modules${blame}`,
      );
      if (r.unfixable.length)
        out.push(`    a rebuild is not enough: ${list(r.unfixable)} no longer exported`);
    }
  return out;
}

/** Whether module i loads as built on each build: read from the series' cells when it has them. */
function loadsOf(s: CompatSeries, i: number): boolean[] {
  const { loads } = s;
  if (loads) return loads.map((row) => row[i] === 1);
  const { tables } = s;
  return tables ? tables.map((t) => t.loads(i)) : s.modules[i]!.verdicts.map((v) => v.loads);
}

/** The loader's first reason on the first build module i fails on as built (null: none). */
function firstFailedReason(s: CompatSeries, i: number): string | null {
  const { tables } = s;
  if (!tables) {
    const failed = s.modules[i]!.verdicts.find((v) => !v.loads);
    return failed?.reasons.length ? firstReason(failed) : null;
  }
  const t = tables.find((x) => !x.loads(i));
  return t && t.reasonCount(i) > 0 ? firstReasonAt(t, i) : null;
}

function moduleLines(s: CompatSeries): string[] {
  const matrix = s.tables
    ? matrixLinesOfTables(s.tables, s.modules.length)
    : matrixLines(s.modules.flatMap((m) => m.verdicts));
  const out = [...matrix, '', 'First failure and rebuilds:'];
  for (const [i, m] of s.modules.entries()) out.push(...timelineLines(m, firstFailedReason(s, i)));
  return out;
}

function timelineLines(m: ModuleTimeline, why: string | null): string[] {
  const first = m.firstFailure
    ? `stops loading on ${textSafe(m.firstFailure.kernel)}`
    : 'loads on every build';
  const at = m.rebuilds.length ? ` at ${m.rebuilds.map((r) => textSafe(r.kernel)).join(', ')}` : '';
  const out = [
    `  ${textSafe(m.module)} (${textSafe(m.from)}): ${first}; ${m.rebuilds.length} rebuild(s)${at}`,
  ];
  if (why !== null) out.push(`    why: ${why}`);
  const symbols = m.firstFailure?.symbols ?? [];
  if (symbols.length) out.push(`    ${symbols.length} symbol(s): ${list(symbols, true)}`);
  for (const r of m.rebuilds.filter((x) => x.unfixable.length))
    out.push(`    at ${textSafe(r.kernel)} a rebuild is not enough: ${list(r.unfixable)} no longer exported`);
  return out;
}

/** The series as text: the packages or the modules, then the failing and rebuild counts per build. */
export function compatSeriesText(s: CompatSeries, o: CompatSeriesOptions = {}): string {
  const view = o.view ?? defaultCompatView(s);
  const body = view === 'package' ? packageLines(s) : moduleLines(s);
  return `${[...body, ...totalsLines(s)].join('\n')}\n`;
}

/** A timeline's fields but its verdicts, in its order, without reading them (they are made on reading). */
function withoutVerdicts(m: ModuleTimeline): Omit<ModuleTimeline, 'verdicts'> {
  const out: Partial<Record<keyof ModuleTimeline, unknown>> = {};
  for (const key of Object.keys(m) as (keyof ModuleTimeline)[]) if (key !== 'verdicts') out[key] = m[key];
  return out as Omit<ModuleTimeline, 'verdicts'>;
}

/**
 * `kabi compat --series --format json` (docs/json.md): every field the analysis returns, the per-build
 * verdicts shortened to loads or not.
 */
export function compatSeriesDocument(s: CompatSeries) {
  return {
    kernels: s.kernels,
    failing: s.failing,
    totalRebuilds: s.totalRebuilds,
    packageRebuilds: s.packageRebuilds,
    packages: s.packages,
    modules: s.modules.map((m, i) => ({ ...withoutVerdicts(m), loads: loadsOf(s, i) })),
  };
}

const seriesJson = (s: CompatSeries): string => `${JSON.stringify(compatSeriesDocument(s), null, 2)}\n`;

const PACKAGE_HEAD = ['package', 'built for', 'modules', 'survives', 'rebuild at', 'symbols to blame'];

const packageCells = (p: PackageTimeline) => [
  packageName(p),
  p.builtFor ?? '?',
  String(p.modules.length),
  p.survives.join(' '),
  p.rebuilds.map((r) => r.kernel).join(' '),
  [...new Set(p.rebuilds.flatMap((r) => r.symbols))].sort().join(' '),
];

const moduleCells = (s: CompatSeries, m: ModuleTimeline, i: number) => [
  ...identityCells(m),
  ...loadsOf(s, i).map((loads) => (loads ? 'loads' : 'fails')),
  m.firstFailure?.kernel ?? '',
  String(m.rebuilds.length),
];

const total = (s: CompatSeries) =>
  `Total rebuilds across the series: ${s.totalRebuilds} module rebuild(s), ${s.packageRebuilds} package rebuild(s)\n`;

export const compatSeriesRenderers: Record<
  CompatFormat,
  (s: CompatSeries, o?: CompatSeriesOptions) => string
> = {
  text: compatSeriesText,
  json: seriesJson,
  markdown: (s, o = {}) => {
    const table =
      (o.view ?? defaultCompatView(s)) === 'package'
        ? markdownTable(
            PACKAGE_HEAD,
            s.packages.map((p) => packageCells(p).map((c, i) => (c && i !== 2 ? mdCode(c) : c))),
          )
        : markdownTable(
            [...IDENTITY_HEAD, ...s.kernels.map(mdCode), 'first failure', 'rebuilds'],
            s.modules.map((m, i) =>
              moduleCells(s, m, i).map((c, j) => (j < IDENTITY_HEAD.length ? mdCode(c) : c)),
            ),
          );
    return `${table}\n${total(s)}`;
  },
  csv: (s, o = {}) =>
    (o.view ?? defaultCompatView(s)) === 'package'
      ? csvTable(
          PACKAGE_HEAD.map((h) => h.replace(/ /g, '_')),
          s.packages.map(packageCells),
        )
      : csvTable(
          ['module', 'from', 'built_for', ...s.kernels, 'first_failure', 'rebuilds'],
          s.modules.map((m, i) => moduleCells(s, m, i)),
        ),
};
