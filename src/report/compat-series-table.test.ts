// `kabi compat --series` reads each build's verdicts as the judge keeps them (the series' tables), not
// a Verdict object per module and build: every format and view must be the bytes written from the Verdict
// objects, which moduleVerdicts gives here build by build, apart from the series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corpus, target, VERMAGIC } from '../../test/helpers/compat-corpus.js';
import { type CompatSeries, compatSeries } from '../analysis/compat-series.js';
import { type CompatTarget, moduleVerdicts } from '../analysis/module-compat.js';
import { distinctReasonSymbols } from '../analysis/module-compat-reasons.js';
import type { Export } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Verdict } from '../model/verdict.js';
import { type CompatFormat, firstReason } from './compat.js';
import { compatSeriesDocument, compatSeriesRenderers } from './compat-series.js';

/** The corpus's kernel with some exports changed (a CRC, gone, back) under another name. */
function build(
  name: string,
  vermagic: string | null,
  change: [string, Partial<Export> | null][],
): CompatTarget {
  const t = target(vermagic);
  const exports = new Map(t.build.exports);
  for (const [symbol, over] of change) {
    if (over === null) exports.delete(symbol);
    else
      exports.set(symbol, {
        symbol,
        crc: 1,
        module: 'vmlinux',
        exportType: 'EXPORT_SYMBOL',
        namespace: null,
        ...exports.get(symbol),
        ...over,
      });
  }
  return { ...t, name, build: { ...t.build, exports } };
}

/** A series with every kind of step: loads, a CRC change, a symbol gone and back, unknown vermagic, a name twice. */
const series = (): CompatTarget[] => [
  build('k1', VERMAGIC, [['gone', { crc: 3 }]]),
  build('k2', VERMAGIC, [['printk', { crc: 7 }]]),
  build('k3', null, [['printk', { crc: 7 }]]),
  build('k4', VERMAGIC, [
    ['printk', { crc: 7 }],
    ['gone', { crc: 3 }],
    ['module_layout', { crc: 11 }],
  ]),
  // k2 again, as k1: its cells differ from the first k2's, and the last stands in the matrix.
  build('k2', VERMAGIC, [['gone', { crc: 3 }]]),
];

const pkg = (name: string) => ({ name, version: '1.0' });

/** The corpus alone, in two packages, and mixed (some in a package, some given alone). */
const sets = (): [string, ModuleImage[]][] => {
  const c = corpus();
  return [
    ['alone', c],
    ['packages', c.map((m, i) => ({ ...m, package: pkg(i < 3 ? 'a' : 'b') }))],
    ['mixed', c.map((m, i) => (i % 2 ? { ...m, package: pkg('a') } : m))],
  ];
};

/** The series as a reader gets it from Verdict objects: no tables, each module's verdicts judged apart. */
function fromVerdicts(s: CompatSeries, perBuild: Verdict[][]): CompatSeries {
  const { tables, ...rest } = s;
  assert.ok(tables, 'compatSeries gives its tables');
  return {
    ...rest,
    modules: s.modules.map((m, i) => ({
      module: m.module,
      from: m.from,
      builtFor: m.builtFor,
      source: m.source,
      verdicts: perBuild.map((vs) => vs[i]!),
      firstFailure: m.firstFailure,
      rebuilds: m.rebuilds,
    })),
  };
}

const FORMATS = Object.keys(compatSeriesRenderers) as CompatFormat[];

describe('compat --series read from the tables', () => {
  for (const [name, set] of sets())
    it(`${name}: every format and view is the one written from the Verdict objects`, () => {
      const targets = series();
      const s = compatSeries(set, targets);
      const perBuild = targets.map((t) => moduleVerdicts(set, t));
      const reference = fromVerdicts(s, perBuild);
      for (const format of FORMATS)
        for (const view of ['package', 'module'] as const)
          assert.equal(
            compatSeriesRenderers[format](s, { view }),
            compatSeriesRenderers[format](reference, { view }),
            `${format}, ${view} view`,
          );
      // Without a view given: each picks the same default.
      for (const format of FORMATS)
        assert.equal(compatSeriesRenderers[format](s), compatSeriesRenderers[format](reference), format);
      assert.deepEqual(compatSeriesDocument(s), compatSeriesDocument(reference));
      const text = compatSeriesRenderers.text(s, { view: 'module' });
      assert.match(text, /FAIL \d/);
      assert.match(text, /taints O/);
      assert.match(text, /why: /);
    });

  it('the verdicts read from a timeline are the judge’s, and the first failure names their symbols', () => {
    const set = corpus();
    const targets = series();
    const s = compatSeries(set, targets);
    const perBuild = targets.map((t) => moduleVerdicts(set, t));
    for (const [i, m] of s.modules.entries()) {
      const verdicts = perBuild.map((vs) => vs[i]!);
      assert.deepEqual(m.verdicts, verdicts, m.module);
      assert.equal(m.verdicts, m.verdicts, 'made once');
      const first = verdicts.find((v) => !v.loads);
      assert.deepEqual(
        m.firstFailure,
        first ? { kernel: first.kernel, symbols: distinctReasonSymbols(first) } : null,
        m.module,
      );
      if (first) assert.ok(firstReason(first).length > 0);
    }
    assert.deepEqual(
      s.failing,
      perBuild.map((vs) => vs.filter((v) => !v.loads).length),
    );
    assert.ok(s.failing.some((n) => n > 0) && s.totalRebuilds > 0);
  });
});
