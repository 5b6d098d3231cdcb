// `kabi series --modules CORPUS`: of what a corpus consumes, what each update changed, by subsystem.
import type { SeriesConsumed } from '../analysis/series-consumed.js';
import type { BuildRef } from '../analysis/series-stats.js';
import { consumedCharts } from './charts/rate.js';
import type { HtmlReport } from './html/page.js';
import { fromDocTable } from './html/table.js';
import { renderers, sectionRenderers } from './series.js';
import { col, type SeriesDocument } from './series-document.js';
import type { StreamSectionsJson } from './series-json.js';
import { buildRefJson, orderingJson } from './series-json.js';

const name = (builds: readonly BuildRef[], i: number) => builds[i]?.name ?? null;
const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`);

export function seriesConsumedDocument(r: SeriesConsumed): SeriesDocument {
  const exported = r.builds[0]?.exports ?? 0;
  return {
    title: [
      'Consumed vs changed: ',
      `${r.modules} module(s) of ${r.packages} package(s) over ${r.builds.length} builds`,
    ],
    notes: [
      [
        `${r.consumed} distinct symbols consumed (${pct(r.consumed, exported)} of the first build's exports); `,
        `${r.changed} changed at some update, ${r.unchanged} kept one CRC throughout; `,
        `${r.notExported} import(s) no build exports`,
      ],
      ['changed: removed, or a new CRC (what stops a module built against the older build from loading)'],
    ],
    tables: [
      {
        view: 'steps',
        title: 'Steps (consumed symbols each update changed)',
        columns: [
          col('from', 'from', 'artifact'),
          col('to', 'to', 'artifact'),
          col('consumed', 'consumed', 'count'),
          col('changed', 'changed', 'count'),
          col('removed', 'removed', 'count'),
          col('crc_changed', 'crc changed', 'count'),
          col('modules', 'modules hit', 'count'),
          col('top_subsystems', 'top subsystems', 'artifact'),
        ],
        rows: r.steps.map((s) => [
          name(r.builds, s.from),
          name(r.builds, s.to),
          s.consumed,
          s.changed,
          s.removed,
          s.crcChanged,
          s.modules,
          s.bySubsystem
            .slice(0, 3)
            .map((x) => `${x.subsystem} ${x.changed}`)
            .join(', ') || null,
        ]),
      },
      {
        view: 'subsystems',
        title: 'Subsystems by changes that hit the corpus',
        long: true,
        columns: [
          col('subsystem', 'subsystem', 'artifact'),
          col('via', 'via', 'word'),
          col('consumed', 'consumed', 'count'),
          col('changed', 'changed', 'count'),
          col('changes', 'changes', 'count'),
          col('modules', 'modules hit', 'count'),
        ],
        rows: r.subsystems.map((s) => [s.subsystem, s.via, s.consumed, s.changed, s.changes, s.modules]),
      },
      {
        view: 'symbols',
        title: 'Changed consumed symbols (most-consumed first)',
        long: true,
        columns: [
          col('symbol', 'symbol', 'artifact'),
          col('subsystem', 'subsystem', 'artifact'),
          col('module', 'exported by', 'artifact'),
          col('steps', 'steps changed', 'count'),
          col('consumers', 'consumers', 'count'),
        ],
        rows: r.symbols.map((s) => [s.symbol, s.subsystem, s.module, s.steps, s.consumers]),
      },
    ],
  };
}

/** `kabi series --modules CORPUS --format json`. */
export function seriesConsumedJson(r: SeriesConsumed) {
  return {
    ordering: orderingJson(r.ordering),
    builds: r.builds.map(buildRefJson),
    modules: r.modules,
    packages: r.packages,
    consumed: r.consumed,
    notExported: r.notExported,
    changed: r.changed,
    unchanged: r.unchanged,
    steps: r.steps.map((s) => ({
      from: s.from,
      to: s.to,
      consumed: s.consumed,
      changed: s.changed,
      removed: s.removed,
      crcChanged: s.crcChanged,
      modules: s.modules,
      bySubsystem: s.bySubsystem.map((x) => ({ subsystem: x.subsystem, changed: x.changed })),
    })),
    subsystems: r.subsystems.map((s) => ({
      subsystem: s.subsystem,
      via: s.via,
      file: s.file,
      consumed: s.consumed,
      changed: s.changed,
      changes: s.changes,
      modules: s.modules,
    })),
    symbols: r.symbols.map((s) => ({
      symbol: s.symbol,
      subsystem: s.subsystem,
      module: s.module,
      steps: s.steps,
      consumers: s.consumers,
    })),
  };
}

export type SeriesConsumedJson = ReturnType<typeof seriesConsumedJson>;
export type SeriesConsumedOutputJson = SeriesConsumedJson | StreamSectionsJson<SeriesConsumedJson>;

const toJson = (r: SeriesConsumed) => `${JSON.stringify(seriesConsumedJson(r), null, 2)}\n`;
export const seriesConsumedRenderers = renderers<SeriesConsumed>(seriesConsumedDocument, toJson);
export const seriesConsumedSectionRenderers = sectionRenderers<SeriesConsumed>(
  seriesConsumedDocument,
  toJson,
);

/** `kabi series --modules CORPUS --format html`: the charts, then the tables. */
export function seriesConsumedPage(r: SeriesConsumed): HtmlReport {
  const doc = seriesConsumedDocument(r);
  return {
    title: 'Consumed vs changed',
    lines: [
      `${r.modules} corpus modules of ${r.packages} packages over ${r.builds.length} builds: ${r.builds.map((b) => b.name).join(', ')}.`,
      `${r.consumed} symbols consumed; ${r.changed} changed at some update, ${r.unchanged} kept one CRC throughout.`,
    ],
    charts: consumedCharts(r),
    tables: doc.tables.map((t) => fromDocTable(t)),
  };
}
