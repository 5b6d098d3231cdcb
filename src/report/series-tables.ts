// The rows every series format shows, built once per result (see series-document.ts).
import type { SeriesReport } from '../analysis/series.js';
import type { BuildRef, ChangeStats } from '../analysis/series-stats.js';
import type { StreamDrift } from '../analysis/series-stream.js';
import type { StablelistOverTime, SymbolHistory } from '../analysis/series-symbols.js';
import { labelOf } from '../model/labels.js';
import {
  type Cell,
  type Column,
  col,
  type DocTable,
  type Line,
  type SeriesDocument,
} from './series-document.js';

/** Labels in the order people read a kernel's identity; others follow by name. */
const LABEL_ORDER = ['distro', 'stream', 'release', 'version', 'arch', 'flavour', 'date'];

function labelKeys(builds: readonly BuildRef[]): string[] {
  const keys = new Set(builds.flatMap((b) => Object.keys(b.labels)));
  const known = LABEL_ORDER.filter((k) => keys.has(k));
  return [...known, ...[...keys].filter((k) => !LABEL_ORDER.includes(k)).sort()];
}

const STAT_COLUMNS: Column[] = [
  col('added', 'added', 'count'),
  col('removed', 'removed', 'count'),
  col('crc_changed', 'crc changed', 'count'),
  col('export_type_changed', 'type changed', 'count'),
  col('namespace_changed', 'ns changed', 'count'),
  col('moved', 'moved', 'count'),
  col('symbols', 'symbols', 'count'),
  col('breaking', 'breaking', 'count'),
  col('share', 'share', 'share'),
];

function statCells(s: ChangeStats | null): Cell[] {
  if (s === null) return STAT_COLUMNS.map(() => null);
  const { added, removed, crcChanged, exportTypeChanged, namespaceChanged, moved } = s;
  return [
    added,
    removed,
    crcChanged,
    exportTypeChanged,
    namespaceChanged,
    moved,
    s.symbols,
    s.breaking,
    s.share,
  ];
}

function name(builds: readonly BuildRef[], i: number | null): string | null {
  return i === null ? null : (builds[i]?.name ?? null);
}

function buildsTable(r: SeriesReport): DocTable {
  const keys = labelKeys(r.builds);
  const epochOf = new Map<number, number>();
  for (const e of r.epochs) for (let i = e.first; i <= e.last; i++) epochOf.set(i, e.index);
  return {
    view: 'builds',
    title: 'Builds',
    columns: [
      col('index', '#', 'count'),
      col('name', 'build', 'artifact'),
      ...keys.map((k) => col(k, k, 'artifact')),
      col('exports', 'exports', 'count'),
      col('epoch', 'epoch', 'count'),
      col('source', 'source', 'artifact'),
    ],
    rows: r.builds.map((b) => [
      b.index,
      b.name,
      ...keys.map((k) => labelOf(b.labels, k) ?? null),
      b.exports,
      epochOf.get(b.index) ?? null,
      b.source,
    ]),
  };
}

function epochsTable(r: SeriesReport): DocTable {
  return {
    view: 'epochs',
    title: 'ABI epochs (same symbol and CRC set)',
    columns: [
      col('epoch', 'epoch', 'count'),
      col('first', 'first', 'artifact'),
      col('last', 'last', 'artifact'),
      col('builds', 'builds', 'count'),
      col('days', 'days', 'count'),
      col('ongoing', 'ongoing', 'word'),
      col('exports', 'exports', 'count'),
      col('crc_digest', 'crc digest', 'digest'),
    ],
    rows: r.epochs.map((e) => [
      e.index,
      name(r.builds, e.first),
      name(r.builds, e.last),
      e.builds,
      e.days,
      e.ongoing ? 'yes' : 'no',
      e.exports,
      e.digest,
    ]),
  };
}

function orderLine(r: SeriesReport): Line {
  const o = r.ordering;
  if (o.method === 'input' || o.label === null) return ['in the order given'];
  if (o.method === 'date') return ['by date'];
  return ['by ', { code: o.label }, ' (dpkg version order)'];
}

/**
 * Which stream the builds are: one `stream` label names the series; several are said in the title and
 * warned about, since a step from one stream to another compares the streams, not an update.
 */
function streams(r: SeriesReport): { title: Line; notes: Line[] } {
  const names = [...new Set(r.builds.flatMap((b) => (b.labels.stream ? [b.labels.stream] : [])))];
  if (names.length === 0) return { title: [], notes: [] };
  if (names.length === 1) return { title: [' of stream ', { code: names[0]! }], notes: [] };
  const list: Line = names.flatMap((n, i): Line => (i ? [', ', { code: n }] : [{ code: n }]));
  return {
    title: [` of ${names.length} streams (`, ...list, ')'],
    notes: [['streams mixed: steps between them compare two streams; select one (e.g. stream=…) per series']],
  };
}

export function seriesDocument(r: SeriesReport): SeriesDocument {
  const baseline = name(r.builds, r.drift.baseline);
  const stream = streams(r);
  return {
    title: ['kABI series: ', String(r.builds.length), ' builds', ...stream.title, ', ', ...orderLine(r)],
    notes: [
      [`${r.epochs.length} ABI epoch(s); drift measured from `, { code: baseline ?? '-' }],
      ...stream.notes,
    ],
    tables: [
      {
        view: 'steps',
        title: 'Steps (each update against the one before)',
        columns: [col('from', 'from', 'artifact'), col('to', 'to', 'artifact'), ...STAT_COLUMNS],
        rows: r.steps.map((s) => [name(r.builds, s.from), name(r.builds, s.to), ...statCells(s)]),
      },
      {
        view: 'drift',
        title: 'Drift (each build against the baseline)',
        columns: [col('build', 'build', 'artifact'), ...STAT_COLUMNS],
        rows: r.drift.points.map((p) => [name(r.builds, p.build), ...statCells(p)]),
      },
      epochsTable(r),
      buildsTable(r),
    ],
  };
}

export function streamDriftDocument(d: StreamDrift): SeriesDocument {
  return {
    title: ['kABI stream drift: ', { code: d.a.name }, ' vs ', { code: d.b.name }],
    notes: [
      [
        `${d.points.length} date(s); no difference on ${d.zeroDays} of ${d.observedDays} day(s). `,
        'Counts compare the first stream with the second: added means exported by the second only.',
      ],
    ],
    tables: [
      {
        view: 'points',
        title: 'Newest build of each stream on each date',
        columns: [
          col('date', 'date', 'word'),
          col('a', d.a.name, 'artifact'),
          col('b', d.b.name, 'artifact'),
          ...STAT_COLUMNS,
          col('days', 'days', 'count'),
        ],
        rows: d.points.map((p) => [
          p.date,
          name(d.a.builds, p.a),
          name(d.b.builds, p.b),
          ...statCells(p.stats),
          p.days,
        ]),
      },
      {
        view: 'zero',
        title: 'Dates with no difference',
        columns: [col('from', 'from', 'word'), col('to', 'to', 'word'), col('days', 'days', 'count')],
        rows: d.zeroRanges.map((z) => [z.from, z.to, z.days]),
      },
    ],
  };
}

export function symbolHistoryDocument(h: SymbolHistory): SeriesDocument {
  const changedIn = h.entries.filter((e) => e.changes.length > 0).length;
  return {
    title: ['kABI history of ', { code: h.symbol }],
    notes: [
      [
        `exported by ${h.entries.filter((e) => e.export).length} of ${h.entries.length} build(s); `,
        `changed in ${changedIn}`,
      ],
    ],
    tables: [
      {
        view: 'history',
        title: 'Export in each build',
        columns: [
          col('build', 'build', 'artifact'),
          col('exported', 'exported', 'word'),
          col('crc', 'crc', 'crc'),
          col('module', 'module', 'artifact'),
          col('export_type', 'export type', 'word'),
          col('namespace', 'namespace', 'artifact'),
          col('changes', 'changed', 'word'),
        ],
        rows: h.entries.map((e) => [
          name(h.builds, e.build),
          e.export ? 'yes' : 'no',
          e.export?.crc ?? null,
          e.export?.module ?? null,
          e.export?.exportType ?? null,
          e.export?.namespace ?? null,
          e.changes.join(' '),
        ]),
      },
    ],
  };
}

function stablelistChangesTable(s: StablelistOverTime): DocTable {
  return {
    view: 'changes',
    title: 'Changes to protected symbols',
    long: true,
    columns: [
      col('from', 'from', 'artifact'),
      col('to', 'to', 'artifact'),
      col('kind', 'kind', 'word'),
      col('symbol', 'symbol', 'artifact'),
      col('old_crc', 'old crc', 'crc'),
      col('new_crc', 'new crc', 'crc'),
    ],
    rows: s.steps.flatMap((st) =>
      st.changes.map((c): Cell[] => [
        name(s.builds, st.from),
        name(s.builds, st.to),
        c.kind,
        c.symbol,
        c.old?.crc ?? null,
        c.new?.crc ?? null,
      ]),
    ),
  };
}

export function stablelistDocument(s: StablelistOverTime): SeriesDocument {
  const changes = stablelistChangesTable(s);
  return {
    title: [
      'kABI stablelist over time: ',
      ...s.stablelists.flatMap((n, i) => (i ? [', ', { code: n }] : [{ code: n }])),
    ],
    notes: [
      [`${s.protected} protected symbol(s); ${changes.rows.length} change(s) to them across the series`],
    ],
    tables: [
      {
        view: 'builds',
        title: 'Protected symbols in each build',
        columns: [
          col('build', 'build', 'artifact'),
          col('exported', 'exported', 'count'),
          col('missing', 'missing', 'count'),
          col('crc_mismatch', 'crc ≠ pinned', 'count'),
        ],
        rows: s.perBuild.map((b) => [name(s.builds, b.build), b.exported, b.missing, b.crcMismatch]),
      },
      changes,
    ],
  };
}
