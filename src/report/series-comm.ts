// `kabi series --comm`: the Fermilab counts (comm of `symbol CRC` lines) per step, against a reference
// by date, and the survivors of the series, in every series format.
import type { SeriesComm } from '../analysis/series-comm.js';
import type { BuildRef } from '../analysis/series-stats.js';
import { commCharts } from './charts/rate.js';
import type { HtmlReport } from './html/page.js';
import { fromDocTable } from './html/table.js';
import { renderers, sectionRenderers } from './series.js';
import { col, type SeriesDocument } from './series-document.js';
import type { StreamSectionsJson } from './series-json.js';
import { buildRefJson, orderingJson } from './series-json.js';

const name = (builds: readonly BuildRef[], i: number) => builds[i]?.name ?? null;

const COMM_COLUMNS = [
  col('common', 'in common', 'count'),
  col('only_old', 'only old', 'count'),
  col('only_new', 'only new', 'count'),
];

export function seriesCommDocument(r: SeriesComm): SeriesDocument {
  const outside = r.reference.index === -1;
  return {
    title: ['kABI comm: ', String(r.builds.length), ' builds, lines of symbol and CRC'],
    notes: [
      [
        'reference ',
        { code: r.reference.name },
        outside ? ' (not in the series)' : '',
        `; ${r.survivorsOfSeries} of ${r.builds[0]?.exports ?? 0} lines of `,
        { code: r.builds[0]?.name ?? '-' },
        ' kept one CRC in every build',
      ],
      ['a changed CRC is one line only-old and one only-new, as comm counts it'],
    ],
    tables: [
      {
        view: 'steps',
        title: 'Steps (comm of each update with the one before)',
        columns: [col('from', 'from', 'artifact'), col('to', 'to', 'artifact'), ...COMM_COLUMNS],
        rows: r.steps.map((s) => [
          name(r.builds, s.from),
          name(r.builds, s.to),
          s.common,
          s.onlyOld,
          s.onlyNew,
        ]),
      },
      {
        view: 'drift',
        title: `Drift (comm of the reference with each build)`,
        columns: [
          col('build', 'build', 'artifact'),
          col('date', 'date', 'artifact'),
          col('days', 'days', 'count'),
          ...COMM_COLUMNS,
          col('per_day', 'δ per day', 'word'),
        ],
        rows: r.drift.map((p) => [
          name(r.builds, p.build),
          p.date,
          p.days,
          p.common,
          p.onlyOld,
          p.onlyNew,
          p.perDay === null ? null : p.perDay.toFixed(2),
        ]),
      },
      {
        view: 'survivors',
        title: 'Survivors (lines of the first build with one CRC so far)',
        columns: [
          col('build', 'build', 'artifact'),
          col('survivors', 'survivors', 'count'),
          col('share', 'share', 'share'),
        ],
        rows: r.survivors.map((s) => [name(r.builds, s.build), s.survivors, s.share]),
      },
    ],
  };
}

/** `kabi series --comm --format json`. */
export function seriesCommJson(r: SeriesComm) {
  return {
    ordering: orderingJson(r.ordering),
    builds: r.builds.map(buildRefJson),
    reference: buildRefJson(r.reference),
    steps: r.steps.map((s) => ({
      from: s.from,
      to: s.to,
      common: s.common,
      onlyOld: s.onlyOld,
      onlyNew: s.onlyNew,
    })),
    drift: r.drift.map((p) => ({
      build: p.build,
      date: p.date,
      days: p.days,
      common: p.common,
      onlyOld: p.onlyOld,
      onlyNew: p.onlyNew,
      perDay: p.perDay,
    })),
    survivors: r.survivors.map((s) => ({ build: s.build, survivors: s.survivors, share: s.share })),
    survivorsOfSeries: r.survivorsOfSeries,
  };
}

export type SeriesCommJson = ReturnType<typeof seriesCommJson>;
export type SeriesCommOutputJson = SeriesCommJson | StreamSectionsJson<SeriesCommJson>;

const toJson = (r: SeriesComm) => `${JSON.stringify(seriesCommJson(r), null, 2)}\n`;
export const seriesCommRenderers = renderers<SeriesComm>(seriesCommDocument, toJson);
export const seriesCommSectionRenderers = sectionRenderers<SeriesComm>(seriesCommDocument, toJson);

/** `kabi series --comm --format html`: the charts, then the tables. */
export function seriesCommPage(r: SeriesComm): HtmlReport {
  const doc = seriesCommDocument(r);
  const first = r.builds[0];
  return {
    title: 'kABI rate of change (comm of symbol-CRC lines)',
    lines: [
      `${r.builds.length} builds: ${r.builds.map((b) => b.name).join(', ')}; drift from ${r.reference.name}.`,
      `${r.survivorsOfSeries} of ${first?.exports ?? 0} lines of ${first?.name ?? '-'} kept one CRC in every build.`,
    ],
    charts: commCharts(r),
    tables: doc.tables.map((t) => fromDocTable(t)),
  };
}
