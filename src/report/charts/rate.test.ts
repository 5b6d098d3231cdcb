// The rate-of-change and policy charts: well-formed SVG, hostile build and subsystem names escaped, the
// figures on the marks equal to the analysis they draw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { seriesComm } from '../../analysis/series-comm.js';
import { seriesConsumed } from '../../analysis/series-consumed.js';
import { simulate } from '../../analysis/simulate.js';
import type { Export } from '../../model/export.js';
import type { KernelBuild } from '../../model/kernel-build.js';
import type { ModuleImage } from '../../model/module-image.js';
import { commCharts, consumedCharts } from './rate.js';
import { simulateCharts } from './simulate.js';

// As charts.test.ts's: markup, attribute breakouts, CDATA ends, entities, controls.
const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  ']]><x>',
];

const ex = (symbol: string, crc: number, module = 'vmlinux'): Export => ({
  symbol,
  crc,
  module,
  exportType: 'EXPORT_SYMBOL',
  namespace: '',
});

function kb(release: string, date: string, rows: Export[]): KernelBuild {
  return {
    source: release,
    format: 'module-symvers',
    labels: { release, date },
    exports: new Map(rows.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

const hostile = HOSTILE[0]!;
const builds = [
  kb(`${hostile}-1`, '2026-01-01', [ex('a', 1), ex('b', 2), ex('c', 3, `drivers/${HOSTILE[1]}/x`)]),
  kb(`${hostile}-2`, '2026-01-11', [ex('a', 1), ex('b', 9), ex('c', 3, `drivers/${HOSTILE[1]}/x`)]),
  kb(`${hostile}-3`, '2026-02-10', [ex('a', 1), ex('b', 9), ex('d', 4)]),
];
const mod = (name: string, imports: string[]): ModuleImage =>
  ({ source: name, name, imports: imports.map((symbol) => ({ symbol, crc: 0 })) }) as unknown as ModuleImage;
const modules = [mod(HOSTILE[2]!, ['a', 'b', 'c'])];

function check(svg: string): void {
  assert.equal(XMLValidator.validate(svg), true);
  for (const h of HOSTILE) assert.ok(!svg.includes(h.replace('\u0000', '')) || !/[<>"']/.test(h), `raw ${h}`);
  assert.doesNotMatch(svg, /<(script|img)\b|<svg onload/);
}

describe('rate charts', () => {
  it('comm: bars per update, drift placed by date, survivors', () => {
    const r = seriesComm(builds);
    const [steps, drift, survivors] = commCharts(r);
    for (const c of [steps!, drift!, survivors!]) check(c.svg);
    const counts = [...steps!.svg.matchAll(/data-kind="only-new" data-count="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    assert.deepEqual(
      counts,
      r.steps.map((s) => s.onlyNew),
    );
    // Ten days, then thirty: the second gap is three times the first.
    const xs = [...drift!.svg.matchAll(/<circle cx="([\d.]+)"[^>]*data-kind="common"/g)].map((m) =>
      Number(m[1]),
    );
    assert.equal(Math.round((xs[2]! - xs[1]!) / (xs[1]! - xs[0]!)), 3);
    assert.match(survivors!.svg, /data-kind="survivors" data-count="1"/);
  });

  it('consumed and simulate charts', () => {
    const c = seriesConsumed(builds, modules);
    for (const chart of consumedCharts(c)) check(chart.svg);
    const s = simulate(builds, modules, { boundaries: [{ label: 'date', value: '2026-02-10' }] });
    const charts = simulateCharts(s);
    for (const chart of charts) check(chart.svg);
    const rebuilds = [...charts[1]!.svg.matchAll(/data-kind="rebuilds" data-count="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    assert.deepEqual(
      rebuilds,
      s.policies.map((p) => p.rebuilds),
    );
    assert.deepEqual(
      s.policies.map((p) => [p.policy, p.rebuilds]),
      [
        ['strict', 0],
        ['lts', 0],
        ['sp', 1],
        ['none', 2],
      ],
    );
  });
});
