// Two plain chart shapes the rate-of-change and policy charts share: vertical bars in groups (one bar per
// series in each group), and lines over calendar dates (points placed by their day, so a gap of months
// looks like one).
import type { SvgChart } from './chart.js';
import {
  COLORS,
  clip,
  escapeXml,
  type Frame,
  formatCount,
  labelDrop,
  legend,
  niceTicks,
  num,
  plotHeight,
  plotWidth,
  svgChart,
  textWidth,
  titled,
  xLabels,
  yAxis,
} from './svg.js';

export const SERIES_COLORS = [
  COLORS.line,
  COLORS.crcChanged,
  COLORS.added,
  COLORS.removed,
  COLORS.other,
  '#CC79A7',
];

export interface BarSeries {
  key: string;
  label: string;
  color?: string;
}

export interface GroupedBarsSpec {
  id: string;
  title: string;
  desc: string;
  caption: string;
  series: BarSeries[];
  groups: { label: string; values: (number | null)[] }[];
  width?: number;
  height?: number;
}

function frameFor(labels: string[], width = 760, height = 280, maxChars = 22, inset?: number): Frame {
  const drop = labelDrop(labels, maxChars);
  // The first label, turned 35°, reaches left of its column: room for it.
  const first = textWidth(clip(labels[0] ?? '', maxChars)) * Math.cos((35 * Math.PI) / 180);
  const column = (width - 86) / Math.max(1, labels.length);
  const left = Math.min(200, Math.max(70, Math.ceil(first - (inset ?? column / 2) + 12)));
  return { width, height: height + drop, left, top: 48, right: 16, bottom: drop };
}

export function groupedBars(spec: GroupedBarsSpec): SvgChart {
  const f = frameFor(
    spec.groups.map((g) => g.label),
    spec.width,
    spec.height,
  );
  const max = Math.max(0, ...spec.groups.flatMap((g) => g.values.map((v) => v ?? 0)));
  const ticks = niceTicks(max);
  const top = ticks.at(-1)!;
  const h = plotHeight(f);
  const gw = plotWidth(f) / Math.max(1, spec.groups.length);
  const bw = Math.max(2, (gw * 0.8) / Math.max(1, spec.series.length));
  const centers: number[] = [];
  const bars = spec.groups.flatMap((g, i) => {
    const x0 = f.left + i * gw + gw * 0.1;
    centers.push(f.left + (i + 0.5) * gw);
    return spec.series.map((s, j) => {
      const v = g.values[j] ?? null;
      if (v === null) return '';
      const bh = (v / top) * h;
      const color = s.color ?? SERIES_COLORS[j % SERIES_COLORS.length]!;
      return titled(
        `${g.label}: ${s.label} ${formatCount(v)}`,
        `<rect x="${num(x0 + j * bw)}" y="${num(f.top + h - bh)}" width="${num(bw - 1)}" height="${num(bh)}" fill="${color}" data-group="${escapeXml(g.label)}" data-kind="${escapeXml(s.key)}" data-count="${v}"/>`,
      );
    });
  });
  const keys = spec.series.map((s, j) => ({
    label: s.label,
    color: s.color ?? SERIES_COLORS[j % SERIES_COLORS.length]!,
  }));
  return svgChart(
    spec.id,
    spec.title,
    f,
    spec.desc,
    yAxis(f, ticks, formatCount, spec.caption) +
      bars.join('') +
      xLabels(
        f,
        spec.groups.map((g) => g.label),
        centers,
      ) +
      legend(f, keys),
  );
}

export interface DateLinesSpec {
  id: string;
  title: string;
  desc: string;
  caption: string;
  series: BarSeries[];
  /** Points in date order; `day` is a day number (days since 1970-01-01), `label` names the point. */
  points: { day: number; date: string; label: string; values: (number | null)[] }[];
  width?: number;
  height?: number;
}

/** Lines over dates: x is proportional to the day, each point labelled with its date and build. */
export function dateLines(spec: DateLinesSpec): SvgChart {
  const labels = spec.points.map((p) => `${p.date} ${p.label}`);
  // The first point sits 10 px into the plot, not in the middle of a column.
  const f = frameFor(labels, spec.width, spec.height, 28, 10);
  const max = Math.max(0, ...spec.points.flatMap((p) => p.values.map((v) => v ?? 0)));
  const ticks = niceTicks(max);
  const top = ticks.at(-1)!;
  const h = plotHeight(f);
  const w = plotWidth(f);
  const d0 = spec.points[0]?.day ?? 0;
  const d1 = spec.points.at(-1)?.day ?? d0;
  const span = Math.max(1, d1 - d0);
  const xOf = (day: number) => f.left + 10 + ((day - d0) / span) * (w - 20);
  const yOf = (v: number) => f.top + h - (v / top) * h;
  const lines = spec.series.map((s, j) => {
    const color = s.color ?? SERIES_COLORS[j % SERIES_COLORS.length]!;
    const pts = spec.points.flatMap((p) => {
      const v = p.values[j];
      return v === null || v === undefined ? [] : [{ p, v }];
    });
    const path = pts.map(({ p, v }) => `${num(xOf(p.day))},${num(yOf(v))}`).join(' ');
    const dots = pts
      .map(({ p, v }) =>
        titled(
          `${p.date} ${p.label}: ${s.label} ${formatCount(v)}`,
          `<circle cx="${num(xOf(p.day))}" cy="${num(yOf(v))}" r="3.5" fill="${color}" data-build="${escapeXml(p.label)}" data-date="${escapeXml(p.date)}" data-kind="${escapeXml(s.key)}" data-count="${v}"/>`,
        ),
      )
      .join('');
    return `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}`;
  });
  const keys = spec.series.map((s, j) => ({
    label: s.label,
    color: s.color ?? SERIES_COLORS[j % SERIES_COLORS.length]!,
    line: true,
  }));
  return svgChart(
    spec.id,
    spec.title,
    f,
    spec.desc,
    yAxis(f, ticks, formatCount, spec.caption) +
      lines.join('') +
      xLabels(
        f,
        labels,
        spec.points.map((p) => xOf(p.day)),
        28,
      ) +
      legend(f, keys),
  );
}
