// `kabi simulate`: the policies side by side, rebuilds per package, and each policy's spans, in text,
// Markdown, CSV (one table), JSON and one self-contained HTML page with its charts.
import type { SimulatePolicyResult, Simulation } from '../analysis/simulate.js';
import { simulateCharts } from './charts/simulate.js';
import { renderHtmlReport } from './html/page.js';
import { fromDocTable } from './html/table.js';
import { col, type DocTable, type SeriesDocument } from './series-document.js';
import { type DocumentOptions, documentToCsv, documentToMarkdown, documentToText } from './series-format.js';
import { buildRefJson, orderingJson } from './series-json.js';

export const SIMULATE_FORMATS = ['text', 'json', 'markdown', 'csv', 'html'] as const;
export type SimulateFormat = (typeof SIMULATE_FORMATS)[number];

/** The rows of the side-by-side table: what each figure means, and where it is in a policy's result. */
export const SIMULATE_METRICS: { key: string; title: string; of: (p: SimulatePolicyResult) => number }[] = [
  { key: 'spans', title: 'spans (kABI frozen within each)', of: (p) => p.spans.length },
  { key: 'refused', title: 'changes refused (kept out or fixed up)', of: (p) => p.refused },
  { key: 'refused_consumed', title: '  of which the corpus imports', of: (p) => p.refusedConsumed },
  { key: 'let_through', title: 'changes let through (at span starts)', of: (p) => p.letThrough },
  { key: 'let_through_consumed', title: '  of which the corpus imports', of: (p) => p.letThroughConsumed },
  { key: 'added', title: 'symbols added within spans', of: (p) => p.added },
  { key: 'rebuilds', title: 'driver rebuilds (all packages)', of: (p) => p.rebuilds },
  { key: 'max_rebuilds', title: 'most rebuilds of one package', of: (p) => p.maxRebuilds },
  { key: 'stablelist', title: 'stablelist the corpus needs (largest span)', of: (p) => p.stablelist },
];

const name = (r: Simulation, i: number) => r.builds[i]?.name ?? String(i);

function policiesTable(r: Simulation): DocTable {
  return {
    view: 'policies',
    title: 'Policies side by side',
    columns: [col('metric', 'figure', 'word'), ...r.policies.map((p) => col(p.policy, p.policy, 'count'))],
    rows: SIMULATE_METRICS.map((m) => [m.title, ...r.policies.map((p) => m.of(p))]),
  };
}

function packagesTable(r: Simulation): DocTable {
  return {
    view: 'packages',
    title: 'Driver rebuilds per corpus package',
    columns: [
      col('package', 'package', 'artifact'),
      col('modules', 'modules', 'count'),
      col('imports', 'imports', 'count'),
      ...r.policies.map((p) => col(p.policy, p.policy, 'count')),
    ],
    rows: r.packages.map((p) => [p.name, p.modules, p.imports, ...p.rebuilds]),
  };
}

function spansTable(r: Simulation): DocTable {
  return {
    view: 'spans',
    title: 'Spans of each policy',
    columns: [
      col('policy', 'policy', 'word'),
      col('first', 'first', 'artifact'),
      col('last', 'last', 'artifact'),
      col('builds', 'builds', 'count'),
      col('let_through', 'let through', 'count'),
      col('refused', 'refused', 'count'),
      col('refused_consumed', 'refused, consumed', 'count'),
      col('stablelist', 'stablelist', 'count'),
      col('rebuilds', 'rebuilds', 'count'),
    ],
    rows: r.policies.flatMap((p) =>
      p.spans.map((s) => [
        p.policy,
        name(r, s.first),
        name(r, s.last),
        s.last - s.first + 1,
        s.letThrough,
        s.refused,
        s.refusedConsumed,
        s.stablelist,
        s.rebuilds,
      ]),
    ),
  };
}

export function simulateDocument(r: Simulation): SeriesDocument {
  const b = r.builds;
  return {
    title: [
      'kABI policy simulation: ',
      `${b.length} builds (`,
      { code: b[0]?.name ?? '-' },
      ' … ',
      { code: b.at(-1)?.name ?? '-' },
      `), ${r.modules} corpus module(s) importing ${r.consumed} symbols`,
    ],
    notes: [
      r.boundaries.length
        ? ['SP boundaries: ', ...r.boundaries.flatMap((x, i) => [i ? ', ' : '', { code: x }])]
        : [],
      r.ltsBoundaries.length
        ? [
            'LTS boundaries: ',
            ...r.ltsBoundaries.flatMap((x, i) => [i ? ', ' : '', { code: x }]),
            ' and stream changes',
          ]
        : ['LTS boundaries: where the stream label changes'],
      [
        'a change is a removal or a new CRC; a rebuild is a span start that changed one of a package’s imports',
      ],
    ].filter((l) => l.length > 0),
    tables: [policiesTable(r), packagesTable(r), spansTable(r)],
  };
}

/** `kabi simulate --format json`. */
export function simulateJson(r: Simulation) {
  return {
    ordering: orderingJson(r.ordering),
    builds: r.builds.map(buildRefJson),
    boundaries: r.boundaries,
    ltsBoundaries: r.ltsBoundaries,
    modules: r.modules,
    consumed: r.consumed,
    policies: r.policies.map((p) => ({
      policy: p.policy,
      refused: p.refused,
      refusedConsumed: p.refusedConsumed,
      letThrough: p.letThrough,
      letThroughConsumed: p.letThroughConsumed,
      added: p.added,
      rebuilds: p.rebuilds,
      maxRebuilds: p.maxRebuilds,
      stablelist: p.stablelist,
      spans: p.spans.map((s) => ({
        first: s.first,
        last: s.last,
        refused: s.refused,
        refusedConsumed: s.refusedConsumed,
        added: s.added,
        letThrough: s.letThrough,
        letThroughConsumed: s.letThroughConsumed,
        stablelist: s.stablelist,
        rebuilds: s.rebuilds,
      })),
    })),
    packages: r.packages.map((p) => ({
      name: p.name,
      modules: p.modules,
      imports: p.imports,
      rebuilds: Object.fromEntries(r.policies.map((x, i) => [x.policy, p.rebuilds[i] ?? 0])) as Record<
        string,
        number
      >,
    })),
  };
}

export type SimulateJson = ReturnType<typeof simulateJson>;

export function simulateHtml(r: Simulation, o: { generator?: string } = {}): string {
  const doc = simulateDocument(r);
  return renderHtmlReport({
    title: 'kABI policy simulation',
    lines: [
      `${r.builds.length} builds: ${r.builds.map((b) => b.name).join(', ')}.`,
      `${r.modules} corpus modules in ${r.packages.length} packages, importing ${r.consumed} symbols.`,
      ...(r.boundaries.length ? [`SP boundaries: ${r.boundaries.join(', ')}.`] : []),
    ],
    charts: simulateCharts(r),
    tables: doc.tables.map((t) => fromDocTable(t)),
    ...(o.generator ? { generator: o.generator } : {}),
  });
}

export const simulateRenderers: Record<
  SimulateFormat,
  (r: Simulation, o: DocumentOptions & { generator?: string }) => string
> = {
  text: (r, o) => documentToText(simulateDocument(r), o),
  markdown: (r, o) => documentToMarkdown(simulateDocument(r), o),
  csv: (r, o) => documentToCsv(simulateDocument(r), o),
  json: (r) => `${JSON.stringify(simulateJson(r), null, 2)}\n`,
  html: (r, o) => simulateHtml(r, o),
};
