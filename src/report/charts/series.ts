// Charts of a series report (src/analysis/series.ts): what each update changed (stacked bars with the
// share of the ABI changed), the drift from the baseline (lines over ABI-epoch bands), and the epochs.
import type { AbiEpoch, SeriesReport } from '../../analysis/series.js';
import type { ChartOptions, SvgChart } from './chart.js';
import {
  COLORS,
  escapeXml,
  type Frame,
  formatCount,
  formatShare,
  labelDrop,
  legend,
  niceTicks,
  num,
  plotHeight,
  plotWidth,
  svgChart,
  titled,
  xLabels,
  yAxis,
} from './svg.js';

type Counted = { added: number; removed: number; crcChanged: number } & {
  exportTypeChanged: number;
  namespaceChanged: number;
  moved: number;
};

/** The bar segments, bottom up: what breaks modules first. `other` = export type, namespace, moved. */
export const STEP_SEGMENTS = [
  { key: 'removed', label: 'removed', color: COLORS.removed, count: (s: Counted) => s.removed },
  { key: 'crc-changed', label: 'CRC changed', color: COLORS.crcChanged, count: (s: Counted) => s.crcChanged },
  {
    key: 'other',
    label: 'type, namespace, moved',
    color: COLORS.other,
    count: (s: Counted) => s.exportTypeChanged + s.namespaceChanged + s.moved,
  },
  { key: 'added', label: 'added', color: COLORS.added, count: (s: Counted) => s.added },
] as const;

/** The frame of a chart along the builds; `height` is the plot's default height, before the labels. */
function frame(o: ChartOptions, labels: string[], { top = 44, height = 300 } = {}): Frame {
  const drop = labelDrop(labels);
  return {
    width: o.width ?? 760,
    height: (o.height ?? height) + drop,
    left: 64,
    top,
    right: 16,
    bottom: drop,
  };
}

/** `n` equal columns across the plot, one per build or update: their width and their centres. */
function columns(f: Frame, n: number): { bw: number; centers: number[] } {
  const bw = plotWidth(f) / Math.max(1, n);
  return { bw, centers: Array.from({ length: n }, (_, i) => f.left + (i + 0.5) * bw) };
}

/** Per update (build i−1 → i): removed / CRC-changed / other / added, stacked, the share changed on top. */
export function stepsChart(report: Pick<SeriesReport, 'builds' | 'steps'>, o: ChartOptions = {}): SvgChart {
  const { builds, steps } = report;
  const title = o.title ?? 'Changes per update';
  const labels = steps.map((s) => builds[s.to]?.name ?? String(s.to));
  const f = frame(o, labels);
  const segments = STEP_SEGMENTS.filter((g) => g.key !== 'other' || steps.some((s) => g.count(s) > 0));
  const ticks = niceTicks(Math.max(0, ...steps.map((s) => segments.reduce((n, g) => n + g.count(s), 0))));
  const top = ticks.at(-1)!;
  const h = plotHeight(f);
  const { bw, centers } = columns(f, steps.length);
  const bars = steps.map((s, i) => {
    const name = `${builds[s.from]?.name ?? s.from} → ${builds[s.to]?.name ?? s.to}`;
    const x = centers[i]! - Math.min(bw * 0.35, 28);
    const w = Math.min(bw * 0.7, 56);
    let y = f.top + h;
    const rects = segments.map((g) => {
      const n = g.count(s);
      const bh = (n / top) * h;
      y -= bh;
      return titled(
        `${name}: ${formatCount(n)} ${g.label}`,
        `<rect class="bar" data-kind="${g.key}" data-step="${s.to}" data-count="${n}" x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(bh)}" fill="${g.color}"/>`,
      );
    });
    const summary =
      `${name}: ${formatCount(s.changes)} changes to ${formatCount(s.symbols)} symbols; ` +
      `${formatShare(s.share)} of the old ABI changed (${formatCount(s.breaking)} breaking)`;
    const label = titled(
      summary,
      `<text class="share" data-step="${s.to}" x="${num(centers[i]!)}" y="${num(y - 4)}" text-anchor="middle" fill="${COLORS.text}">${escapeXml(formatShare(s.share))}</text>`,
    );
    return `<g class="step" data-step="${s.to}">${rects.join('')}${label}</g>`;
  });
  const body =
    yAxis(f, ticks, formatCount, 'changes') +
    legend(
      f,
      segments.map((g) => ({ label: g.label, color: g.color })),
    ) +
    bars.join('') +
    xLabels(f, labels, centers);
  const desc = `Stacked bars per update of ${builds.length} builds; the label on each bar is the share of the old ABI that changed.`;
  return svgChart(o.id ?? 'steps', title, f, desc, body);
}

export const DRIFT_LINES = [
  { key: 'removed', label: 'removed', color: COLORS.removed, value: (p: Counted) => p.removed },
  { key: 'crc-changed', label: 'CRC changed', color: COLORS.crcChanged, value: (p: Counted) => p.crcChanged },
  { key: 'added', label: 'added', color: COLORS.added, value: (p: Counted) => p.added },
] as const;

function epochTitle(e: AbiEpoch, builds: SeriesReport['builds']): string {
  const first = builds[e.first]?.name ?? String(e.first);
  const last = builds[e.last]?.name ?? String(e.last);
  const days = e.days === null ? '' : `, ${e.days}${e.ongoing ? '+' : ''} days`;
  return (
    `ABI epoch ${e.index + 1}: ${first}${e.last > e.first ? ` … ${last}` : ''} ` +
    `(${e.builds} build${e.builds === 1 ? '' : 's'}${days}), ${formatCount(e.exports)} exports, CRC set ${e.digest.slice(0, 12)}`
  );
}

/** Epoch bands behind a plot whose builds sit at `centers`, `bw` apart. */
function epochBands(
  f: Frame,
  epochs: AbiEpoch[],
  builds: SeriesReport['builds'],
  centers: number[],
  bw: number,
) {
  return epochs
    .map((e, i) => {
      const x = centers[e.first]! - bw / 2;
      const w = (e.last - e.first + 1) * bw;
      return titled(
        epochTitle(e, builds),
        `<rect class="epoch" data-epoch="${e.index}" data-first="${e.first}" data-last="${e.last}" x="${num(x)}" y="${num(f.top)}" width="${num(w)}" height="${num(plotHeight(f))}" fill="${i % 2 ? COLORS.epochB : COLORS.epochA}"/>` +
          `<text x="${num(x + 4)}" y="${num(f.top + 12)}" fill="${COLORS.muted}">E${e.index + 1}</text>`,
      );
    })
    .join('');
}

/** Drift of every build from the baseline (what a module built for it meets), over ABI-epoch bands. */
export function driftChart(
  report: Pick<SeriesReport, 'builds' | 'drift' | 'epochs'>,
  o: ChartOptions = {},
): SvgChart {
  const { builds, drift, epochs } = report;
  const base = builds[drift.baseline]?.name ?? String(drift.baseline);
  const title = o.title ?? `Drift from ${base}`;
  const labels = builds.map((b) => b.name);
  const f = frame(o, labels);
  const ticks = niceTicks(Math.max(0, ...drift.points.flatMap((p) => DRIFT_LINES.map((l) => l.value(p)))));
  const top = ticks.at(-1)!;
  const h = plotHeight(f);
  const { bw, centers } = columns(f, builds.length);
  const y = (v: number) => f.top + h - (v / top) * h;
  const lines = DRIFT_LINES.map((l) => {
    const pts = drift.points.map((p) => `${num(centers[p.build]!)},${num(y(l.value(p)))}`).join(' ');
    const dots = drift.points.map((p) => {
      const name = builds[p.build]?.name ?? String(p.build);
      return titled(
        `${name} against ${base}: ${formatCount(l.value(p))} ${l.label}; ${formatShare(p.share)} of the baseline ABI changed, ${formatCount(p.breaking)} breaking`,
        `<circle class="point" data-kind="${l.key}" data-build="${p.build}" data-count="${l.value(p)}" cx="${num(centers[p.build]!)}" cy="${num(y(l.value(p)))}" r="3.5" fill="${l.color}"/>`,
      );
    });
    return `<g class="line" data-kind="${l.key}"><polyline points="${pts}" fill="none" stroke="${l.color}" stroke-width="2"/>${dots.join('')}</g>`;
  });
  const body =
    epochBands(f, epochs, builds, centers, bw) +
    yAxis(f, ticks, formatCount, `changes against ${base}`.slice(0, 40)) +
    legend(
      f,
      DRIFT_LINES.map((l) => ({ label: l.label, color: l.color, line: true })),
    ) +
    lines.join('') +
    xLabels(f, labels, centers);
  const desc = `Every build compared with ${base}; shaded bands are ABI epochs (builds with the same symbol and CRC set).`;
  return svgChart(o.id ?? 'drift', title, f, desc, body);
}

/** The ABI epochs as bands along the builds: a module with modversions loads on all of a band or none. */
export function epochsChart(report: Pick<SeriesReport, 'builds' | 'epochs'>, o: ChartOptions = {}): SvgChart {
  const { builds, epochs } = report;
  const title = o.title ?? `ABI epochs (${epochs.length})`;
  const labels = builds.map((b) => b.name);
  const f = frame(o, labels, { top: 32, height: 90 });
  const { bw, centers } = columns(f, builds.length);
  const mid = f.top + plotHeight(f) / 2;
  const bands = epochs.map((e, i) => {
    const x = centers[e.first]! - bw / 2 + 1;
    const w = (e.last - e.first + 1) * bw - 2;
    const days = e.days === null ? '' : ` · ${e.days}${e.ongoing ? '+' : ''} d`;
    return titled(
      epochTitle(e, builds),
      `<rect class="epoch" data-epoch="${e.index}" data-first="${e.first}" data-last="${e.last}" data-builds="${e.builds}" x="${num(x)}" y="${num(f.top)}" width="${num(w)}" height="${num(plotHeight(f))}" rx="4" fill="${i % 2 ? COLORS.epochB : COLORS.epochA}" stroke="${COLORS.grid}"/>` +
        `<text x="${num(x + 5)}" y="${num(f.top + 14)}" fill="${COLORS.text}">${escapeXml(`E${e.index + 1}${days}`)}</text>`,
    );
  });
  const ticks = builds.map((b, i) =>
    titled(
      `${b.name}: ${formatCount(b.exports)} exports`,
      `<circle class="build" data-build="${i}" cx="${num(centers[i]!)}" cy="${num(mid + 6)}" r="4" fill="${COLORS.line}"/>`,
    ),
  );
  const desc = 'Runs of consecutive builds that offer the same (symbol, CRC) set.';
  const body = bands.join('') + ticks.join('') + xLabels(f, labels, centers);
  return svgChart(o.id ?? 'epochs', title, f, desc, body);
}
