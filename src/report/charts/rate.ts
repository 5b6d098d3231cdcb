// Charts of the rate of change as the Fermilab slides draw it: comm counts per update, drift from the
// GA kernel over calendar dates, the survivors of the series, and what changed of what a corpus consumes.
import type { SeriesComm } from '../../analysis/series-comm.js';
import type { SeriesConsumed } from '../../analysis/series-consumed.js';
import { dayNumber } from '../../analysis/series-order.js';
import type { SvgChart } from './chart.js';
import { dateLines, groupedBars } from './grouped.js';
import { COLORS } from './svg.js';

const COMM_SERIES = [
  { key: 'common', label: 'in common', color: COLORS.line },
  { key: 'only-old', label: 'only old', color: COLORS.removed },
  { key: 'only-new', label: 'only new', color: COLORS.added },
];

/** Points along dates when every build has one, else one day apart in series order. */
function days(r: Pick<SeriesComm, 'builds'>): { day: number; date: string }[] {
  const dated = r.builds.map((b) => dayNumber(b.labels.date));
  if (dated.every((d) => d !== null))
    return r.builds.map((b, i) => ({ day: dated[i]!, date: b.labels.date! }));
  return r.builds.map((_, i) => ({ day: i, date: `#${i}` }));
}

export function commCharts(r: SeriesComm): SvgChart[] {
  const name = (i: number) => r.builds[i]?.name ?? String(i);
  const at = days(r);
  return [
    groupedBars({
      id: 'comm-steps',
      title: 'comm of each update with the one before',
      desc: 'Lines of symbol and CRC: in common, only in the older build, only in the newer (a new CRC is one of each).',
      caption: 'lines',
      series: COMM_SERIES,
      groups: r.steps.map((s) => ({
        label: `${name(s.from)} → ${name(s.to)}`,
        values: [s.common, s.onlyOld, s.onlyNew],
      })),
    }),
    dateLines({
      id: 'comm-drift',
      title: `Drift from ${r.reference.name}, by date`,
      desc: 'comm of the reference (the GA kernel) with each build, placed by the build date.',
      caption: 'lines',
      series: COMM_SERIES,
      points: r.drift.map((p, i) => ({
        ...at[i]!,
        label: name(p.build),
        values: [p.common, p.onlyOld, p.onlyNew],
      })),
    }),
    dateLines({
      id: 'comm-survivors',
      title: `Survivors: lines of ${name(0)} with one CRC so far`,
      desc: 'How many of the first build’s symbol-CRC lines every build up to this one still has.',
      caption: 'lines',
      series: [{ key: 'survivors', label: 'survivors', color: COLORS.line }],
      points: r.survivors.map((s, i) => ({ ...at[i]!, label: name(s.build), values: [s.survivors] })),
    }),
  ];
}

export function consumedCharts(r: SeriesConsumed, limit = 15): SvgChart[] {
  const name = (i: number) => r.builds[i]?.name ?? String(i);
  return [
    groupedBars({
      id: 'consumed-steps',
      title: 'Consumed symbols each update changed',
      desc: 'Of the symbols the corpus imports: how many each update removed or gave a new CRC, and the corpus modules that import one.',
      caption: 'count',
      series: [
        { key: 'changed', label: 'consumed, changed', color: COLORS.crcChanged },
        { key: 'modules', label: 'modules hit', color: COLORS.line },
      ],
      groups: r.steps.map((s) => ({
        label: `${name(s.from)} → ${name(s.to)}`,
        values: [s.changed, s.modules],
      })),
    }),
    groupedBars({
      id: 'consumed-subsystems',
      title: `Top ${Math.min(limit, r.subsystems.length)} subsystems by changes that hit the corpus`,
      desc: 'Changes summed over the updates (a symbol changed twice counts twice), and distinct consumed symbols changed.',
      caption: 'count',
      series: [
        { key: 'changes', label: 'changes', color: COLORS.removed },
        { key: 'changed', label: 'symbols changed', color: COLORS.crcChanged },
      ],
      groups: r.subsystems
        .slice(0, limit)
        .map((s) => ({ label: s.subsystem, values: [s.changes, s.changed] })),
    }),
  ];
}
