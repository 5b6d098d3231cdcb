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
  IDENTITY_HEAD,
  identityCells,
  markdownTable,
  matrixLines,
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

function moduleLines(s: CompatSeries): string[] {
  const out = [...matrixLines(s.modules.flatMap((m) => m.verdicts)), '', 'First failure and rebuilds:'];
  for (const m of s.modules) out.push(...timelineLines(m));
  return out;
}

function timelineLines(m: ModuleTimeline): string[] {
  const first = m.firstFailure
    ? `stops loading on ${textSafe(m.firstFailure.kernel)}`
    : 'loads on every build';
  const at = m.rebuilds.length ? ` at ${m.rebuilds.map((r) => textSafe(r.kernel)).join(', ')}` : '';
  const out = [
    `  ${textSafe(m.module)} (${textSafe(m.from)}): ${first}; ${m.rebuilds.length} rebuild(s)${at}`,
  ];
  const failed = m.verdicts.find((v) => !v.loads);
  if (failed?.reasons.length) out.push(`    why: ${firstReason(failed)}`);
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

/** Every field the analysis returns, the per-build verdicts shortened to loads or not. */
/** `kabi compat --series --format json` (docs/json.md). */
export function compatSeriesDocument(s: CompatSeries) {
  return {
    kernels: s.kernels,
    failing: s.failing,
    totalRebuilds: s.totalRebuilds,
    packageRebuilds: s.packageRebuilds,
    packages: s.packages,
    modules: s.modules.map(({ verdicts, ...m }) => ({ ...m, loads: verdicts.map((v) => v.loads) })),
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

const moduleCells = (m: ModuleTimeline) => [
  ...identityCells(m),
  ...m.verdicts.map((v) => (v.loads ? 'loads' : 'fails')),
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
            s.modules.map((m) => moduleCells(m).map((c, i) => (i < IDENTITY_HEAD.length ? mdCode(c) : c))),
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
          s.modules.map(moduleCells),
        ),
};
