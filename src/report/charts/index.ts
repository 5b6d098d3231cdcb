// Charts: pure functions from analysis results to SVG strings, shared by `kabi report` (static HTML, PNG)
// and `kabi serve` (the dashboard). No DOM, no file I/O, no clock, no randomness: the same input gives
// the same bytes, so a server can cache them and a test can read them.
//
// Public API (exported from src/index.ts):
//
//   interface SvgChart { id; title; svg; width; height }   // chart.ts: svg is a standalone <svg> document
//   interface ChartOptions { width?; height?; title?; id?; limit? }
//
//   stepsChart(seriesReport, o?)      per update: removed / CRC changed / other / added, stacked; the label
//                                     on each bar is the share of the old ABI changed (ChangeStats.share)
//   driftChart(seriesReport, o?)      removed / CRC changed / added against the baseline, per build, over
//                                     ABI-epoch bands
//   epochsChart(seriesReport, o?)     the ABI epochs as bands along the builds
//   seriesCharts(seriesReport, o?)    the three above, in page order
//   compatHeatmap(matrix, o?)         module × kernel: loads / fails, broken-symbol count in the cell,
//                                     every reason on hover. A CompatSeries is a VerdictMatrix; for
//                                     `kabi compat -k` verdicts use verdictMatrix(verdicts)
//   consumersChart(impactReport, o?)  changed symbols by the number of modules importing them (top 20)
//   coverageChart(coverageReport, o?) per module: protected and unprotected imports, lowest share first
//   diffChart(diffReport, o?)         one diff's changes per kind, split by severity
//   escapeXml(text)                   the escaper every chart uses (also right for HTML text/attributes)
//
// Guarantees, held by tests: every string from an artifact or a label is escaped (escapeXml) wherever
// it reaches the SVG; hover text is in <title> elements, so it works in a static file and in a PNG-free
// page alike; marks carry data-* attributes with their figures (data-kind, data-count, data-step,
// data-build, data-module, data-kernel, data-state, data-broken, data-symbol) for tests and for the
// dashboard's own interactions; no element refers outside the document (no href, no url(), no
// <script>, no <foreignObject>), so the SVG renders the same inline, as a file, and through resvg.
// Sizes: width 760 by default; heights grow with the rows (heatmap, bars) and the label lengths.
import type { SeriesReport } from '../../analysis/series.js';
import type { ChartOptions, SvgChart } from './chart.js';
import { driftChart, epochsChart, stepsChart } from './series.js';

export { consumersChart, coverageChart, diffChart } from './bars.js';
export type { ChartOptions, SvgChart } from './chart.js';
export {
  brokenSymbols,
  compatHeatmap,
  failingPerKernel,
  rowLabels,
  type VerdictMatrix,
  verdictMatrix,
  verdictTitle,
} from './heatmap.js';
export { DRIFT_LINES, driftChart, epochsChart, STEP_SEGMENTS, stepsChart } from './series.js';
export { escapeXml, formatShare } from './svg.js';

/** The charts of `kabi report series`, in page order; `o` applies to each (ids and titles stay). */
export function seriesCharts(
  report: Pick<SeriesReport, 'builds' | 'steps' | 'drift' | 'epochs'>,
  o: Omit<ChartOptions, 'id' | 'title'> = {},
): SvgChart[] {
  return [stepsChart(report, o), driftChart(report, o), epochsChart(report, o)];
}
