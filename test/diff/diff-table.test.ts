// The table renderers against diffToJson and diffToText (the definitions) for the same report: the same
// bytes, for every kind of change, with and without a policy, at any limit.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { compareBuilds } from '../../src/analysis/check.js';
import { compareTables, tableReportToDiffReport } from '../../src/analysis/exports-table-diff.js';
import { DEFAULT_POLICY } from '../../src/analysis/severity.js';
import type { Policy } from '../../src/model/policy.js';
import { readKernelExports } from '../../src/readers/kernel-exports.js';
import { parseSymversTable, readSymversTable } from '../../src/readers/module-symvers-table.js';
import { tableDiffToJson, tableDiffToText } from '../../src/report/diff-table.js';
import { diffToJson } from '../../src/report/json.js';
import { diffToText } from '../../src/report/text.js';

const OLD = [
  '0x00000001\tgone\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000002\tzeta\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000003\talpha\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000004\tto_gpl\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000005\tfrom_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t',
  '0x00000006\tns_added\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000007\tns_dropped\tvmlinux\tEXPORT_SYMBOL\tCXL',
  '0x00000008\tmover\tdrivers/a\tEXPORT_SYMBOL\t',
  '0x00000009\teverything_changes_in_a_symbol_longer_than_the_column\tdrivers/a\tEXPORT_SYMBOL\t',
].join('\n');
const NEW = [
  '0x000000ff\tzeta\tvmlinux\tEXPORT_SYMBOL\t',
  '0x000000fe\talpha\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000004\tto_gpl\tvmlinux\tEXPORT_SYMBOL_GPL\t',
  '0x00000005\tfrom_gpl\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000006\tns_added\tvmlinux\tEXPORT_SYMBOL\tUSB_STORAGE',
  '0x00000007\tns_dropped\tvmlinux\tEXPORT_SYMBOL\t',
  '0x00000008\tmover\tdrivers/b\tEXPORT_SYMBOL\t',
  '0x000000aa\teverything_changes_in_a_symbol_longer_than_the_column\tdrivers/"b"\\x\tEXPORT_SYMBOL_GPL\tNS',
  '0x0000000b\tnew_one\tvmlinux\tEXPORT_SYMBOL_GPL\t',
].join('\n');

const POLICY: Policy = {
  name: 'policy with "quotes"',
  rules: [
    {
      target: 'symbol',
      pattern: 'zeta',
      matcher: /^zeta$/,
      severity: 'warn',
      kinds: null,
      origin: 'p\u001b:2',
    },
    {
      target: 'module',
      pattern: 'drivers/*',
      matcher: /^drivers\/.*$/,
      severity: 'ignore',
      kinds: null,
      origin: 'p:1',
    },
  ],
  stablelists: [
    {
      name: 'list',
      arch: null,
      source: 'l',
      symbols: new Map([['zeta', { symbol: 'zeta', crc: null, module: null }]]),
    },
  ],
  defaults: { breaking: 'fail', harmless: 'warn' },
};

function both(a: string, b: string, policy: Policy, source = 'old') {
  const ta = parseSymversTable(Buffer.from(a), source);
  const tb = parseSymversTable(Buffer.from(b), 'new');
  assert.ok(ta && tb);
  const table = compareTables(ta, tb, policy);
  return { table, report: tableReportToDiffReport(table) };
}

describe('the table renderers', () => {
  for (const [name, a, b, policy] of [
    ['every kind, default policy', OLD, NEW, DEFAULT_POLICY],
    ['every kind, rules and a stablelist', OLD, NEW, POLICY],
    ['the other way round', NEW, OLD, DEFAULT_POLICY],
    // Nothing to escape and no rule: the JSON writer's own loop (plainRows).
    ['every kind, nothing to escape', OLD, NEW.replace('drivers/"b"\\x', 'drivers/b'), DEFAULT_POLICY],
    ['no change', OLD, OLD, POLICY],
  ] as const) {
    it(`write what diffToJson and diffToText write: ${name}`, () => {
      const { table, report } = both(a, b, policy, 'old/\u001b[2Jsymvers');
      assert.equal(tableDiffToJson(table).toString(), diffToJson(report));
      for (const limit of [null, 0, 1, 2, -1, 50])
        assert.equal(
          tableDiffToText(table, { color: false, limit }).toString(),
          diffToText(report, { color: false, limit }),
          `limit ${limit}`,
        );
    });
  }
});

describe('the table renderers on the committed Debian Module.symvers', () => {
  it('write what diffToJson and diffToText write for compareBuilds', async () => {
    let dir = import.meta.dirname;
    while (!existsSync(join(dir, 'test', 'fixtures', 'debian'))) dir = dirname(dir);
    const path = (v: string) => join(dir, 'test', 'fixtures', 'debian', `${v}.symvers.xz`);
    for (const [x, y] of [
      ['6.1.0-47', '6.1.0-50'],
      ['6.1.0-56', '6.12.117+deb12'],
    ]) {
      const [a, b] = [await readSymversTable(path(x!)), await readSymversTable(path(y!))];
      assert.ok(a && b);
      const table = compareTables(a, b, DEFAULT_POLICY);
      const report = compareBuilds(await readKernelExports(path(x!)), await readKernelExports(path(y!)));
      assert.ok(report.changes.length > 1000);
      assert.equal(tableDiffToJson(table).toString(), diffToJson(report));
      assert.equal(
        tableDiffToText(table, { color: false, limit: null }).toString(),
        diffToText(report, { color: false, limit: null }),
      );
    }
  });
});
