import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { compatSeries } from '../../analysis/compat-series.js';
import type { CompatTarget } from '../../analysis/module-compat.js';
import { seriesReport } from '../../analysis/series.js';
import type { Export } from '../../model/export.js';
import type { KernelBuild } from '../../model/kernel-build.js';
import type { ModuleImage } from '../../model/module-image.js';
import type { Verdict } from '../../model/verdict.js';
import {
  compatHeatmap,
  driftChart,
  epochsChart,
  escapeXml,
  type SvgChart,
  seriesCharts,
  stepsChart,
  verdictMatrix,
} from './index.js';
import { niceTicks } from './svg.js';

export const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  ']]><x>',
  'a&amp;b',
  'nul\u0000bell\u0007',
];

function ex(symbol: string, crc: number, module = 'vmlinux'): Export {
  return { symbol, crc, module, exportType: 'EXPORT_SYMBOL', namespace: '' };
}

function kb(release: string, rows: Export[]): KernelBuild {
  return {
    source: release,
    format: 'module-symvers',
    labels: { release, version: release.slice(-1) },
    exports: new Map(rows.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

const v1 = kb(`${HOSTILE[0]}-1`, [ex('a', 1), ex('b', 2), ex(HOSTILE[1]!, 3), ex('d', 4)]);
const v2 = kb(`${HOSTILE[1]}-2`, [ex('a', 1), ex('b', 9), ex(HOSTILE[1]!, 3), ex(HOSTILE[3]!, 5)]);
const v3 = kb(`${HOSTILE[3]}-3`, [ex('a', 7), ex('b', 9), ex(HOSTILE[3]!, 5, HOSTILE[2]), ex('e', 6)]);

const TAGS = ['svg', 'title', 'desc', 'rect', 'text', 'g', 'line', 'polyline', 'circle'];

/** Every element and attribute of an SVG: well-formed XML, only the charts' own tags, no handler or link. */
export function checkInert(c: SvgChart): void {
  const valid = XMLValidator.validate(c.svg);
  assert.equal(valid, true, `${c.id}: ${JSON.stringify(valid)}`);
  // Text is escaped, so every "<" opens a tag the chart wrote: the hostile strings never became markup.
  const tags = [...c.svg.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)];
  assert.deepEqual(
    [...new Set(tags.map((t) => t[1]))].filter((t) => !TAGS.includes(t!)),
    [],
    c.id,
  );
  const attrs = new Set(tags.flatMap((t) => [...t[2]!.matchAll(/([^\s=]+)="/g)].map((a) => a[1]!)));
  assert.deepEqual(
    [...attrs].filter((a) => /^on|href$|^style$/i.test(a)),
    [],
    c.id,
  );
  assert.doesNotMatch(c.svg, /url\(|<!\[CDATA\[|<!DOCTYPE|<\?/i, c.id);
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true });

/** The elements of `tag` with a class, in document order, as attribute maps. */
function marks(svg: string, tag: string, cls: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === tag) for (const el of Array.isArray(v) ? v : [v]) if (el?.class === cls) out.push(el);
      walk(v);
    }
  };
  walk(parser.parse(svg));
  return out;
}

describe('charts', () => {
  const report = seriesReport([v1, v2, v3], { by: 'version' });

  it('steps: one bar segment per kind with the analysis counts, heights in proportion', () => {
    const c = stepsChart(report);
    const bars = marks(c.svg, 'rect', 'bar');
    for (const s of report.steps) {
      const of = (k: string) => bars.find((b) => b['data-step'] === String(s.to) && b['data-kind'] === k)!;
      assert.equal(Number(of('removed')['data-count']), s.removed);
      assert.equal(Number(of('crc-changed')['data-count']), s.crcChanged);
      assert.equal(Number(of('added')['data-count']), s.added);
      const unit = Number(of('crc-changed').height) / s.crcChanged;
      assert.ok(Math.abs(Number(of('added').height) - unit * s.added) < 0.02);
    }
    checkInert(c);
  });

  it('drift: a point per build and line against the baseline, epochs as bands', () => {
    const c = driftChart(report);
    const pts = marks(c.svg, 'circle', 'point');
    for (const p of report.drift.points) {
      const crc = pts.find((x) => x['data-build'] === String(p.build) && x['data-kind'] === 'crc-changed');
      assert.equal(Number(crc!['data-count']), p.crcChanged);
    }
    const bands = marks(c.svg, 'rect', 'epoch');
    assert.deepEqual(
      bands.map((b) => [Number(b['data-first']), Number(b['data-last'])]),
      report.epochs.map((e) => [e.first, e.last]),
    );
    checkInert(c);
    checkInert(epochsChart(report));
  });

  it('heatmap: a cell per module and kernel, the broken-symbol count, the reasons on hover', () => {
    const mod = (name: string, imports: [string, number][]): ModuleImage =>
      ({
        name,
        source: `${name}.ko`,
        vermagic: null,
        license: 'GPL',
        imports: imports.map(([symbol, crc]) => ({ symbol, crc })),
        exports: [],
        depends: [],
        importNs: [],
        elf: { class: 64, endian: 'little', machine: 62 },
      }) as unknown as ModuleImage;
    const set = [
      mod(HOSTILE[2]!, [
        ['b', 2],
        [HOSTILE[1]!, 3],
      ]),
      mod('ok', [['a', 1]]),
    ];
    const targets: CompatTarget[] = [v1, v2, v3].map((b) => ({
      name: b.labels.release!,
      build: b,
      vermagic: null,
      modules: new Set(['vmlinux']),
    }));
    const series = compatSeries(set, targets);
    const c = compatHeatmap(series);
    const cells = marks(c.svg, 'rect', 'cell');
    assert.equal(cells.length, set.length * targets.length);
    series.modules.forEach((m, r) => {
      m.verdicts.forEach((v, k) => {
        const cell = cells[r * targets.length + k]!;
        assert.equal(cell['data-state'], v.loads ? 'loads' : 'fails');
        const broken = new Set(v.reasons.flatMap((x) => (x.symbol ? [x.symbol] : []))).size;
        assert.equal(Number(cell['data-broken']), v.loads ? 0 : broken);
        assert.equal(cell['data-module'], m.module.replace('\u0000', '\ufffd').replace('\u0007', '\ufffd'));
      });
    });
    for (const v of series.modules[0]!.verdicts.filter((x) => !x.loads))
      for (const r of v.reasons) assert.ok(c.svg.includes(escapeXml(r.message)), r.message);
    checkInert(c);
    assert.deepEqual(
      verdictMatrix(series.modules.flatMap((m) => m.verdicts)).modules.map((m) => m.verdicts),
      series.modules.map((m) => m.verdicts),
    );
  });

  it('heatmap: a tall one names the kernels above its first row as well as below its last', () => {
    const kernels = ['6.1.0-47', '6.1.0-50', '6.12.117+deb12'];
    const matrix = (rows: number) =>
      verdictMatrix(
        Array.from({ length: rows }, (_, i) =>
          kernels.map(
            (kernel, k) =>
              ({
                ...{ module: `m${i}`, from: `m${i}.ko`, builtFor: '6.1.0-47-amd64', source: `m${i}.ko` },
                ...{ kernel, loads: k === 0, reasons: [], notes: [] },
              }) as Verdict,
          ),
        ).flat(),
      );
    /** Each label group's kernel names and the y they are drawn at. */
    const labels = (svg: string, cls: string) => {
      const g = new RegExp(`<g class="${cls}">((?:<g>.*?</g>)*)</g>`).exec(svg)?.[1] ?? '';
      return [...g.matchAll(/translate\(([\d.]+) ([\d.]+)\)[^>]*>([^<]*)<\/text>/g)].map((m) => ({
        x: Number(m[1]),
        y: Number(m[2]),
        text: m[3],
      }));
    };
    const cellYs = (svg: string) => marks(svg, 'rect', 'cell').map((c) => Number(c.y));
    const tall = compatHeatmap(matrix(40));
    const top = labels(tall.svg, 'axis x top');
    const bottom = labels(tall.svg, 'axis x');
    assert.deepEqual(
      top.map((l) => l.text),
      kernels,
    );
    assert.deepEqual(
      bottom.map((l) => l.text),
      kernels,
    );
    const ys = cellYs(tall.svg);
    for (const l of top) assert.ok(l.y < Math.min(...ys), `${l.text} above the first row`);
    for (const l of bottom) assert.ok(l.y > Math.max(...ys), `${l.text} below the last row`);
    // Slanted up to the right, the last label still fits in the chart.
    assert.ok(tall.width >= top.at(-1)!.x + 100, `${tall.width} wide, last label at ${top.at(-1)!.x}`);
    checkInert(tall);
    // A short heatmap fits a screen: the labels below it are enough.
    assert.deepEqual(labels(compatHeatmap(matrix(3)).svg, 'axis x top'), []);
  });

  it('escapes every hostile label and symbol; the same input gives the same bytes', () => {
    for (const c of seriesCharts(report)) {
      checkInert(c);
      assert.equal(c.svg.includes(escapeXml(HOSTILE[1]!)) || c.svg.includes(escapeXml(HOSTILE[3]!)), true);
    }
    assert.equal(stepsChart(report).svg, stepsChart(report).svg);
    assert.equal(escapeXml('a\u0000<b>"\'&\ud800'), 'a\ufffd&lt;b&gt;&quot;&#39;&amp;\ufffd');
  });

  it('ticks are round and cover the maximum', () => {
    assert.deepEqual(niceTicks(23), [0, 5, 10, 15, 20, 25]);
    assert.deepEqual(niceTicks(3), [0, 1, 2, 3]);
    assert.deepEqual(niceTicks(0), [0, 1]);
    assert.deepEqual(niceTicks(18_300), [0, 5000, 10000, 15000, 20000]);
  });
});
