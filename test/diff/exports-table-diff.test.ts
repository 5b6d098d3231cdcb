// compareTables against compareBuilds (the definition), on inline tables with every kind of change and
// on the committed Debian Module.symvers, with and without a policy: the same report, deep-equal.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { compareBuilds } from '../../src/analysis/check.js';
import {
  compareTables,
  tableReportToDiffReport,
  tablesComparable,
} from '../../src/analysis/exports-table-diff.js';
import { DEFAULT_POLICY } from '../../src/analysis/severity.js';
import type { Policy } from '../../src/model/policy.js';
import type { SymversTable } from '../../src/model/symvers-table.js';
import { readKernelExports } from '../../src/readers/kernel-exports.js';
import { parseModuleSymvers } from '../../src/readers/module-symvers.js';
import { parseSymversTable, readSymversTable } from '../../src/readers/module-symvers-table.js';

function table(text: string, source: string): SymversTable {
  const t = parseSymversTable(Buffer.from(text), source);
  assert.ok(t, `${source} is a plain table`);
  return t;
}

function same(a: string, b: string, policy: Policy = DEFAULT_POLICY): void {
  const want = compareBuilds(parseModuleSymvers(a, { source: 'a' }), parseModuleSymvers(b, { source: 'b' }), {
    policy,
  });
  const ta = table(a, 'a');
  const tb = table(b, 'b');
  assert.ok(tablesComparable(ta, tb));
  assert.deepEqual(tableReportToDiffReport(compareTables(ta, tb, policy)), want);
}

const OLD = [
  '0x00000001\tgone\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000002\tzeta\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000003\talpha\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000004\tto_gpl\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000005\tfrom_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t',
  '0x00000006\tns_added\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000007\tns_dropped\tvmlinux\tEXPORT_SYMBOL\tCXL',
  '0x00000008\tmover\tdrivers/a\tEXPORT_SYMBOL\t',
  '0x00000009\teverything\tdrivers/a\tEXPORT_SYMBOL\t',
  '0x0000000a\tsame\tvmlinux\tEXPORT_SYMBOL\t',
].join('\n');
const NEW = [
  '0x000000ff\tzeta\tvmlinux\tEXPORT_SYMBOL\t',
  '0x000000fe\talpha\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000004\tto_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t',
  '0x00000005\tfrom_gpl\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000006\tns_added\tvmlinux\tEXPORT_SYMBOL\tUSB_STORAGE',
  '0x00000007\tns_dropped\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000008\tmover\tdrivers/b\tEXPORT_SYMBOL\t',
  '0x000000aa\teverything\tdrivers/"b"\tEXPORT_SYMBOL_GPL\tNS',
  '0x0000000a\tsame\tvmlinux\tEXPORT_SYMBOL\t',
  '0x0000000b\tnew_one\tvmlinux\tEXPORT_SYMBOL_GPL\t',
  '0x0000000c\tAnother\tvmlinux\tEXPORT_SYMBOL\t',
].join('\n');

const POLICY: Policy = {
  name: 'test policy',
  rules: [
    {
      target: 'module',
      pattern: 'drivers/*',
      matcher: /^drivers\/.*$/,
      severity: 'ignore',
      kinds: null,
      origin: 'p:1',
    },
    { target: 'symbol', pattern: 'zeta', matcher: /^zeta$/, severity: 'warn', kinds: null, origin: 'p:2' },
  ],
  stablelists: [
    {
      name: 'list',
      arch: null,
      source: 'l',
      symbols: new Map([['alpha', { symbol: 'alpha', crc: null, module: null }]]),
    },
  ],
  defaults: { breaking: 'fail', harmless: 'ignore' },
};

describe('compareTables', () => {
  it('finds every kind of change as compareBuilds does', () => {
    same(OLD, NEW);
    same(NEW, OLD);
    same(OLD, OLD);
  });

  it('judges with rules, stablelists and defaults as compareBuilds does', () => {
    same(OLD, NEW, POLICY);
    same(OLD, NEW, { ...POLICY, stablelists: [] });
    same(OLD, NEW, { ...POLICY, rules: [] });
  });

  it('leaves a kernel against a modules-only file to the general path', () => {
    assert.equal(tablesComparable(table(OLD, 'a'), table('0x1\tx\tdrivers/x\tEXPORT_SYMBOL\t', 'b')), false);
  });

  it('agrees with compareBuilds on the committed Debian Module.symvers', async () => {
    let dir = import.meta.dirname;
    while (!existsSync(join(dir, 'test', 'fixtures', 'debian'))) dir = dirname(dir);
    const path = (v: string) => join(dir, 'test', 'fixtures', 'debian', `${v}.symvers.xz`);
    const pairs: [string, string, Policy][] = [
      ['6.1.0-47', '6.1.0-50', DEFAULT_POLICY],
      ['6.1.0-50', '6.12.117+deb12', POLICY],
    ];
    for (const [x, y, policy] of pairs) {
      const [a, b] = [await readSymversTable(path(x)), await readSymversTable(path(y))];
      assert.ok(a && b);
      const want = compareBuilds(await readKernelExports(path(x)), await readKernelExports(path(y)), {
        policy,
      });
      assert.ok(want.changes.length > 1000);
      assert.deepEqual(tableReportToDiffReport(compareTables(a, b, policy)), want);
    }
  });
});
