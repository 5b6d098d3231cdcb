// The count format of the dashboard (web/src/format.ts) and of the charts and HTML reports
// (src/report/charts/svg.ts formatCount) against Intl's, which it stands in for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCount } from '../../src/report/charts/svg.js';
import { fmt } from '../../web/src/format.js';

describe('fmt, the dashboard counts', () => {
  it('writes what toLocaleString("en-US") writes', () => {
    const xs = [0, 1, 7, 12, 999, 1000, 1001, 9999, 18_107, 24_633, 100_000, 999_999, 1_000_000, 123_456_789];
    for (let i = 0; i < 2000; i++) xs.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
    xs.push(Number.MAX_SAFE_INTEGER, 0.5, 1234.5678, 1e21, Number.NaN, Number.POSITIVE_INFINITY);
    for (const x of [...xs, ...xs.map((x) => -x)]) {
      assert.equal(fmt(x), x.toLocaleString('en-US'), String(x));
      assert.equal(formatCount(x), x.toLocaleString('en-US'), String(x));
    }
  });

  it('shows a missing figure as a dash', () => {
    assert.equal(fmt(null), '—');
    assert.equal(fmt(undefined), '—');
  });
});
