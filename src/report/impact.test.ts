import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImpactReport } from '../analysis/impact.js';
import { impactRenderers } from './impact.js';

const hostile = 'evil,"sym"|`x`\n';
const report: ImpactReport = {
  changed: 2,
  modules: 2,
  withoutImports: 1,
  unused: 1,
  byArch: [{ arch: 'x86_64', modules: 2, affected: 1 }],
  affected: [
    {
      name: 'm,1',
      source: 'dir/m "1".ko',
      arch: 'x86_64',
      imports: 3,
      uses: [
        { symbol: hostile, kinds: ['crc-changed'], oldCrc: 1, newCrc: 2, importCrc: 1, newNamespace: null },
      ],
    },
  ],
  symbols: [
    {
      symbol: hostile,
      kinds: ['crc-changed'],
      oldCrc: 1,
      newCrc: 2,
      newNamespace: null,
      consumers: [{ name: 'm,1', source: 'dir/m "1".ko', arch: 'x86_64' }],
    },
  ],
};
const opts = { color: false, limit: 50 };

describe('impact renderers', () => {
  it('CSV quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    const csv = impactRenderers.csv(report, { ...opts, view: 'uses' });
    const lines = csv.split('\r\n');
    assert.equal(lines[0], 'module,arch,symbol,change,old_crc,new_crc,module_crc,built_against,source');
    assert.equal(
      csv.split('\r\n').slice(1).join('\r\n'),
      '"m,1",x86_64,"evil,""sym""|`x`\n",crc-changed,0x00000001,0x00000002,0x00000001,old,"dir/m ""1"".ko"\r\n',
    );
    assert.match(
      impactRenderers.csv(report, opts),
      /^module,arch,changed_used,imports,source\r\n"m,1",x86_64,1,3,/,
    );
  });

  it('Markdown keeps hostile names inside code spans; text makes control characters visible', () => {
    const md = impactRenderers.markdown(report, opts);
    assert.ok(md.includes('`evil,"sym"\\|\'x\'\\u{a}`'), md);
    assert.ok(!md.includes('\n"sym'));
    const text = impactRenderers.text(report, opts);
    assert.ok(text.includes('evil,"sym"|`x`\\u{a}'));
    assert.match(text, /1 of 2 modules use 1 of 2 changed symbols/);
  });

  it('JSON holds CRCs as 0x%08x strings and every table', () => {
    const j = JSON.parse(impactRenderers.json(report, opts));
    assert.equal(j.affected[0].uses[0].symbol, hostile);
    assert.equal(j.affected[0].uses[0].moduleCrc, '0x00000001');
    assert.equal(j.affected[0].uses[0].builtAgainst, 'old');
    assert.equal(j.symbols[0].consumers[0].name, 'm,1');
    assert.deepEqual(j.byArch, report.byArch);
  });
});
