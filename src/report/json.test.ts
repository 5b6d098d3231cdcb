import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareBuilds } from '../analysis/check.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { diffToJson } from './json.js';

function build(exports: Export[]): KernelBuild {
  return {
    source: 's"rc',
    format: 'module-symvers',
    labels: {},
    exports: new Map(exports.map((e) => [e.symbol, e])),
    warnings: [],
  };
}

describe('diffToJson', () => {
  it('emits valid JSON that round-trips hostile names from artifacts', () => {
    const hostile = 'evil"sym\\\n\u0001</script>';
    const y: Export = { symbol: 'y', crc: 2, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' };
    const a = build([
      { symbol: 'x', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' },
      y,
    ]);
    const b = build([
      y,
      { symbol: 'x', crc: 0xdeadbeef, module: 'drivers/"a"', exportType: 'EXPORT_SYMBOL', namespace: 'N\tS' },
      { symbol: hostile, crc: null, module: null, exportType: null, namespace: null },
    ]);
    const j = JSON.parse(diffToJson(compareBuilds(a, b)));
    assert.equal(j.old.source, 's"rc');
    const added = j.changes.find((c: { kind: string }) => c.kind === 'added');
    assert.equal(added.symbol, hostile);
    assert.deepEqual(added.new, { crc: null, module: null, exportType: null, namespace: null });
    const crc = j.changes.find((c: { kind: string }) => c.kind === 'crc-changed');
    assert.deepEqual(crc.new, {
      crc: '0xdeadbeef',
      module: 'drivers/"a"',
      exportType: 'EXPORT_SYMBOL',
      namespace: 'N\tS',
    });
    assert.equal(crc.old.crc, '0x00000001');
    assert.equal(j.summary.crcChanged, 1);
    assert.equal(j.changes.length, 4); // crc, namespace, moved, added
  });

  it('emits an empty change list as []', () => {
    const a = build([{ symbol: 'x', crc: 1, module: 'vmlinux', exportType: 'EXPORT_SYMBOL', namespace: '' }]);
    assert.deepEqual(JSON.parse(diffToJson(compareBuilds(a, a))).changes, []);
  });
});
