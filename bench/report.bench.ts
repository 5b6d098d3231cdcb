// The HTML report over the 11-build Debian series (two streams, as bench/store.bench.ts): each chart
// rendered by hand-written SVG beside vega-lite 6 rendering the same steps chart in the same run, the
// whole page, and the PNGs through resvg.
// Run: npm run build && node dist/bench/report.bench.js   (needs ../shared/data; else the 3 fixtures)
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import {
  chartToPng,
  compareBuilds,
  compatHeatmap,
  compatSeries,
  driftChart,
  epochsChart,
  ingestArtifact,
  modulesOfBuild,
  openSqliteStore,
  orderBuilds,
  readModuleCorpus,
  renderHtmlReport,
  type SeriesReport,
  STEP_SEGMENTS,
  seriesPage,
  seriesReport,
  stepsChart,
} from '../src/index.js';

const root = join(import.meta.dirname, '..', '..');
const shared = join(root, '..', 'shared', 'data', 'debian', 'symvers');
const dir = existsSync(shared) ? shared : join(root, 'test', 'fixtures', 'debian');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.symvers.xz'))
  .map((f) => join(dir, f));
const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'kabi-bench-report-')), 'kabi.db'));
for (const f of files) {
  const stream = f.includes('/6.1.0-') ? 'debian-6.1' : 'debian-6.12';
  await ingestArtifact(store, f, { labels: { distro: 'debian', stream } });
}
const ordered = orderBuilds(await store.loadBuilds((await store.list('')).map((e) => e.id))).builds;
await store.close();

async function median(runs: number, f: () => unknown): Promise<{ median: number; first: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  const first = times[0]!;
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, first };
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0).padStart(7)} ms`;
const kib = (n: number) => `${(n / 1024).toFixed(1).padStart(6)} KiB`;

/** The same steps chart as vega-lite: stacked bars of the same four segments, hover tooltips. */
function vegaSteps(report: SeriesReport): Promise<string> {
  const values = report.steps.flatMap((s) =>
    STEP_SEGMENTS.map((g) => ({ update: report.builds[s.to]!.name, kind: g.label, count: g.count(s) })),
  );
  const spec = compile({
    width: 680,
    height: 300,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'update', type: 'nominal', sort: null },
      y: { field: 'count', type: 'quantitative', stack: 'zero' },
      color: { field: 'kind', type: 'nominal' },
      tooltip: [{ field: 'update' }, { field: 'kind' }, { field: 'count' }],
    },
  }).spec;
  return new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG();
}

console.log(
  `report benchmark (${ordered.length} builds from ${dir === shared ? '../shared/data' : 'fixtures'}), node ${process.version}\n`,
);
let t = performance.now();
const report = seriesReport(ordered);
console.log(`  series analysis (steps, drift, epochs)     ${ms(performance.now() - t)}`);
t = performance.now();
const stepChanges = report.steps.map((s) => compareBuilds(ordered[s.from]!, ordered[s.to]!).changes);
console.log(`  judged changes of ${report.steps.length} updates               ${ms(performance.now() - t)}`);

const kmods = join(root, 'test', 'fixtures', 'modules', 'kmods');
const corpus = (await readModuleCorpus([kmods])).modules;
const targets = ordered.map((b) => ({
  name: b.labels.release ?? b.source,
  build: b,
  vermagic: null,
  modules: modulesOfBuild(b),
}));
const compat = compatSeries(corpus, targets);

console.log('\n  chart (median of 20; first call)        hand-written SVG            size');
const charts = {
  steps: () => stepsChart(report),
  drift: () => driftChart(report),
  epochs: () => epochsChart(report),
  compat: () => compatHeatmap(compat),
};
for (const [name, f] of Object.entries(charts)) {
  const r = await median(20, f);
  console.log(
    `  ${name.padEnd(8)}                             ${ms(r.median)} (${ms(r.first).trim()})  ${kib(f().svg.length)}`,
  );
}
const v = await median(5, () => vegaSteps(report));
const vegaSvg = await vegaSteps(report);
console.log(
  `  steps by vega-lite 6 (baseline, median of 5) ${ms(v.median)} (${ms(v.first).trim()})  ${kib(vegaSvg.length)}; <title> elements: ${(vegaSvg.match(/<title>/g) ?? []).length}`,
);

const page = await median(5, () =>
  renderHtmlReport(seriesPage({ report, stepChanges, query: '' }, { compat }, { limit: 500 })),
);
const html = renderHtmlReport(seriesPage({ report, stepChanges, query: '' }, { compat }, { limit: 500 }));
console.log(
  `\n  whole page (charts + tables, 500 rows a kind and update)  ${ms(page.median)}  ${kib(html.length)}`,
);
const all = renderHtmlReport(seriesPage({ report, stepChanges, query: '' }, { compat }, { limit: null }));
console.log(`  whole page, every change row                              ${kib(all.length)}`);

for (const [name, f] of Object.entries(charts)) {
  const c = f();
  const r = await median(3, () => chartToPng(c));
  const { png, width, height } = await chartToPng(c);
  console.log(`  PNG ${name.padEnd(8)} ${width}×${height} ${ms(r.median)} ${kib(png.length)}`);
}
