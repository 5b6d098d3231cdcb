// Horizontal bar charts: the changes of one diff by kind and severity, the changed symbols most modules
// consume (impact.ts), and the stablelist coverage of each kmod (coverage.ts).
import type { DiffReport } from '../../analysis/check.js';
import type { CoverageReport } from '../../analysis/coverage.js';
import type { ImpactReport } from '../../analysis/impact.js';
import { changeStats } from '../../analysis/series-stats.js';
import { CHANGE_KINDS } from '../../model/change.js';
import type { ChartOptions, SvgChart } from './chart.js';
import {
  COLORS,
  clip,
  escapeXml,
  type Frame,
  formatCount,
  formatShare,
  legend,
  niceTicks,
  num,
  plotWidth,
  svgChart,
  textWidth,
  titled,
} from './svg.js';

interface Segment {
  key: string;
  value: number;
  color: string;
}

interface HBar {
  label: string;
  title: string;
  segments: Segment[];
  /** Text after the bar (a share, a total). */
  note: string;
  /** data-* attributes of the bar's group (escaped here). */
  data: Record<string, string | number>;
}

interface HBarSpec {
  id: string;
  title: string;
  desc: string;
  caption: string;
  keys: { label: string; color: string }[];
  bars: HBar[];
}

const ROW = 20;

function dataAttrs(data: Record<string, string | number>): string {
  return Object.entries(data)
    .map(([k, v]) => ` data-${k}="${escapeXml(String(v))}"`)
    .join('');
}

function hbarChart(spec: HBarSpec, o: ChartOptions): SvgChart {
  const labels = spec.bars.map((b) => clip(b.label, 36));
  const left = Math.min(300, Math.max(90, ...labels.map((l) => textWidth(l) + 14)));
  const width = o.width ?? 760;
  const f: Frame = {
    width,
    height: 48 + Math.max(1, spec.bars.length) * ROW + 34,
    left,
    top: 48,
    right: 70,
    bottom: 34,
  };
  const ticks = niceTicks(Math.max(0, ...spec.bars.map((b) => b.segments.reduce((n, s) => n + s.value, 0))));
  const top = ticks.at(-1)!;
  const w = plotWidth(f);
  const grid = ticks
    .map((t) => {
      const x = left + (t / top) * w;
      return (
        `<line x1="${num(x)}" x2="${num(x)}" y1="${num(f.top)}" y2="${num(f.height - f.bottom)}" stroke="${COLORS.grid}"/>` +
        `<text x="${num(x)}" y="${num(f.height - f.bottom + 14)}" text-anchor="middle" fill="${COLORS.muted}">${formatCount(t)}</text>`
      );
    })
    .join('');
  const caption = `<text x="${num(left + w / 2)}" y="${num(f.height - 6)}" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(spec.caption)}</text>`;
  const rows = spec.bars.map((b, i) => {
    const y = f.top + i * ROW;
    let x = left;
    const rects = b.segments.map((s) => {
      const sw = (s.value / top) * w;
      const r = `<rect class="bar" data-kind="${escapeXml(s.key)}" data-count="${s.value}" x="${num(x)}" y="${num(y + 3)}" width="${num(sw)}" height="${ROW - 6}" fill="${s.color}"/>`;
      x += sw;
      return r;
    });
    const label = `<text x="${num(left - 6)}" y="${num(y + 14)}" text-anchor="end" fill="${COLORS.text}">${escapeXml(labels[i]!)}</text>`;
    const note = `<text x="${num(x + 4)}" y="${num(y + 14)}" fill="${COLORS.muted}">${escapeXml(b.note)}</text>`;
    return `<g class="row"${dataAttrs(b.data)}>${titled(b.title, label + rects.join('') + note)}</g>`;
  });
  const empty = spec.bars.length
    ? ''
    : `<text x="${num(left)}" y="${num(f.top + 14)}" fill="${COLORS.muted}">nothing to show</text>`;
  const body = grid + legend(f, spec.keys) + rows.join('') + empty + caption;
  return svgChart(o.id ?? spec.id, o.title ?? spec.title, f, spec.desc, body);
}

const SEVERITY_COLORS = { fail: COLORS.removed, warn: COLORS.crcChanged, ignore: '#bbbbbb' } as const;

/** One diff: changes per kind, split by the policy's severity; the share of the old ABI changed. */
export function diffChart(
  report: Pick<DiffReport, 'changes' | 'old' | 'new'>,
  o: ChartOptions = {},
): SvgChart {
  const stats = changeStats(report.old.exports, report.changes);
  const bars = CHANGE_KINDS.map((kind) => {
    const of = report.changes.filter((c) => c.kind === kind);
    const by = (s: 'fail' | 'warn' | 'ignore') => of.filter((c) => c.severity === s).length;
    const segments = (['fail', 'warn', 'ignore'] as const).map((s) => ({
      key: s,
      value: by(s),
      color: SEVERITY_COLORS[s],
    }));
    return {
      label: kind,
      title: `${kind}: ${formatCount(of.length)} (fail ${by('fail')}, warn ${by('warn')}, ignore ${by('ignore')})`,
      segments,
      note: formatCount(of.length),
      data: { kind, count: of.length },
    };
  });
  return hbarChart(
    {
      id: 'diff',
      title: 'Changes by kind and severity',
      desc: `${report.old.source} → ${report.new.source}`,
      caption: `${formatCount(report.changes.length)} changes; ${formatShare(stats.share)} of the old ABI changed`,
      keys: (['fail', 'warn', 'ignore'] as const).map((s) => ({ label: s, color: SEVERITY_COLORS[s] })),
      bars,
    },
    o,
  );
}

/** The changed symbols that most modules of the corpus import (most consumers first). */
export function consumersChart(impact: Pick<ImpactReport, 'symbols'>, o: ChartOptions = {}): SvgChart {
  const shown = impact.symbols.slice(0, o.limit ?? 20);
  const bars = shown.map((s) => {
    const names = s.consumers.map((c) => c.name);
    const list = names.slice(0, 15).join(', ') + (names.length > 15 ? `, … ${names.length - 15} more` : '');
    return {
      label: s.symbol,
      title: `${s.symbol} (${s.kinds.join(', ')}): imported by ${names.length} module${names.length === 1 ? '' : 's'}: ${list}`,
      segments: [{ key: 'consumers', value: s.consumers.length, color: COLORS.line }],
      note: String(s.consumers.length),
      data: { symbol: s.symbol, consumers: s.consumers.length },
    };
  });
  const more = impact.symbols.length - shown.length;
  return hbarChart(
    {
      id: 'consumers',
      title: 'Changed symbols by consuming modules',
      desc: 'Breaking changes of the diff that modules of the corpus import.',
      caption: `modules importing the symbol${more > 0 ? ` (top ${shown.length} of ${impact.symbols.length})` : ''}`,
      keys: [],
      bars,
    },
    o,
  );
}

/** Per kmod: imports a stablelist protects and imports it does not, lowest protected share first. */
export function coverageChart(
  coverage: Pick<CoverageReport, 'modules' | 'stablelists'>,
  o: ChartOptions = {},
): SvgChart {
  const shown = coverage.modules.slice(0, o.limit ?? 30);
  const bars = shown.map((m) => {
    const un = m.unprotected.slice(0, 15).join(', ') + (m.unprotected.length > 15 ? ', …' : '');
    return {
      label: m.name,
      title: `${m.name} (${m.arch}, ${m.source}): ${m.protected} of ${m.imports} imports protected (${formatShare(m.share)})${un ? `; unprotected: ${un}` : ''}`,
      segments: [
        { key: 'protected', value: m.protected, color: COLORS.protected },
        { key: 'unprotected', value: m.imports - m.protected, color: COLORS.unprotected },
      ],
      note: formatShare(m.share),
      data: { module: m.name, protected: m.protected, imports: m.imports },
    };
  });
  const more = coverage.modules.length - shown.length;
  return hbarChart(
    {
      id: 'coverage',
      title: 'Stablelist coverage per module',
      desc: `Imports protected by ${coverage.stablelists.join(', ') || 'no stablelist'}.`,
      caption: `imported symbols${more > 0 ? ` (${shown.length} of ${coverage.modules.length} modules)` : ''}`,
      keys: [
        { label: 'protected', color: COLORS.protected },
        { label: 'unprotected', color: COLORS.unprotected },
      ],
      bars,
    },
    o,
  );
}
