import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoverageReport } from '../analysis/coverage.js';
import { coverageRenderers } from './coverage.js';

const report: CoverageReport = {
  stablelists: ['kabi_stablelist_x86_64'],
  kernel: 'k|1',
  stats: {
    modules: 2,
    withoutImports: 1,
    consumed: 4,
    stable: 10,
    stableConsumed: 1,
    kernelExports: 100,
    consumedExported: 3,
    series: { builds: 3, changed: 2, unchanged: 1, absent: 1 },
    candidates: 1,
  },
  modules: [
    {
      name: 'm',
      source: 'm.ko',
      arch: 'x86_64',
      imports: 4,
      protected: 1,
      share: 0.25,
      unprotected: ['a,b', 'c'],
      candidates: ['a,b'],
    },
    {
      ...{ name: 'n', source: 'n.ko', arch: 'x86_64', imports: 0, protected: 0, share: null },
      ...{ unprotected: [], candidates: [] },
    },
  ],
  unprotected: [
    { symbol: 'a,b', consumers: [{ name: 'm', source: 'm.ko', arch: 'x86_64' }] },
    { symbol: 'c', consumers: [{ name: 'm', source: 'm.ko', arch: 'x86_64' }] },
  ],
  candidates: [{ symbol: 'a,b', consumers: [{ name: 'm', source: 'm.ko', arch: 'x86_64' }], crcChanges: 2 }],
};
const opts = { color: false, limit: 50 };

describe('coverage renderers', () => {
  it('CSV: one table, quoted fields, shares as fractions', () => {
    assert.equal(
      coverageRenderers.csv(report, opts),
      'module,arch,imports,protected,share,unprotected,candidates,source\r\nm,x86_64,4,1,0.250000,"a,b c","a,b",m.ko\r\nn,x86_64,0,0,,,,n.ko\r\n',
    );
    assert.equal(
      coverageRenderers.csv(report, { ...opts, view: 'candidates' }),
      'symbol,consumers,crc_changes,modules\r\n"a,b",1,2,m\r\n',
    );
    const stats = coverageRenderers.csv(report, { ...opts, view: 'stats' });
    assert.match(stats, /\r\nunique symbols consumed,4,0\.040000,1\.000000\r\n/);
    assert.match(stats, /\r\nchanged symbols consumed,2,0\.020000,0\.500000\r\n/);
    assert.match(stats, /\r\nconsumed symbols the kernel does not export,1,,0\.250000\r\n/);
    assert.match(stats, /\r\nallowlist candidates \(unprotected kernel exports\),1,0\.010000,0\.250000\r\n/);
  });

  it('says why there are no candidates when no kernel is known', () => {
    const none = { ...report, candidates: null, stats: { ...report.stats, candidates: null } };
    const text = coverageRenderers.text(none, { ...opts, view: 'candidates' });
    assert.match(
      text,
      /only symbols the kernel exports can be; name it with --kernel or --series\n {2}\(none\)/,
    );
    assert.equal(JSON.parse(coverageRenderers.json(none, opts)).candidates, null);
  });

  it('text and Markdown show percentages; Markdown escapes the kernel name', () => {
    assert.match(coverageRenderers.text(report, opts), /stable symbols consumed\s+1\s+1\.00%\s+25\.00%/);
    assert.ok(coverageRenderers.markdown(report, opts).includes('kernel: `k\\|1`'));
  });

  it('JSON', () => {
    const j = JSON.parse(coverageRenderers.json(report, opts));
    assert.deepEqual(j.stats.series, report.stats.series);
    assert.equal(j.modules[1].share, null);
    assert.equal(j.unprotected[0].consumers[0].source, 'm.ko');
    assert.deepEqual(j.candidates, [
      { symbol: 'a,b', crcChanges: 2, consumers: [{ name: 'm', arch: 'x86_64', source: 'm.ko' }] },
    ]);
    assert.deepEqual(j.modules[0].candidates, ['a,b']);
  });
});
