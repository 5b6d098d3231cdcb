import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Export } from '../model/export.js';
import { globToRegExp } from '../model/glob.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { DEFAULT_SEVERITIES, type Policy, type PolicyRule } from '../model/policy.js';
import type { Stablelist } from '../model/stablelist.js';
import { compareBuilds } from './check.js';

function build(rows: Partial<Export>[], format: KernelBuild['format'] = 'module-symvers'): KernelBuild {
  const exports = new Map<string, Export>();
  for (const r of rows) {
    const e: Export = {
      symbol: r.symbol!,
      crc: 1,
      module: 'vmlinux',
      exportType: 'EXPORT_SYMBOL',
      namespace: '',
      ...r,
    };
    exports.set(e.symbol, e);
  }
  return { source: 'test', format, labels: {}, exports, warnings: [] };
}

function rule(
  target: PolicyRule['target'],
  pattern: string,
  severity: PolicyRule['severity'],
  kinds: PolicyRule['kinds'] = null,
): PolicyRule {
  return {
    target,
    pattern,
    matcher: globToRegExp(pattern, 'path'),
    severity,
    kinds,
    origin: `test:${pattern}`,
  };
}

function policy(rules: PolicyRule[], stablelists: Stablelist[] = []): Policy {
  return { name: 'test', rules, stablelists, defaults: DEFAULT_SEVERITIES };
}

describe('diff kinds', () => {
  it('finds every kind of change and orders removals first', () => {
    const a = build([
      { symbol: 'gone' },
      { symbol: 'crc', crc: 1 },
      { symbol: 'tight', exportType: 'EXPORT_SYMBOL' },
      { symbol: 'loose', exportType: 'EXPORT_SYMBOL_GPL' },
      { symbol: 'ns_add' },
      { symbol: 'ns_drop', namespace: 'CXL' },
      { symbol: 'move', module: 'drivers/a' },
    ]);
    const b = build([
      { symbol: 'crc', crc: 2 },
      { symbol: 'tight', exportType: 'EXPORT_SYMBOL_GPL' },
      { symbol: 'loose', exportType: 'EXPORT_SYMBOL' },
      { symbol: 'ns_add', namespace: 'CXL' },
      { symbol: 'ns_drop' },
      { symbol: 'move', module: 'drivers/b' },
      { symbol: 'new' },
    ]);
    const r = compareBuilds(a, b);
    const got = r.changes.map((c) => `${c.kind}:${c.symbol}:${c.severity}`);
    assert.deepEqual(got, [
      'removed:gone:fail',
      'crc-changed:crc:fail',
      'export-type-changed:loose:warn',
      'export-type-changed:tight:fail',
      'namespace-changed:ns_add:fail',
      'namespace-changed:ns_drop:warn',
      'moved:move:warn',
      'added:new:warn',
    ]);
    assert.equal(r.summary.fail, 4);
    assert.equal(r.summary.warn, 4);
    assert.equal(r.exitCode, 12);
  });

  it('compares only what both sides know: RPM provides against Module.symvers', () => {
    const a = build([{ symbol: 'x', crc: 5, module: 'drivers/a', namespace: 'NS' }]);
    const b = build(
      [{ symbol: 'x', crc: 5, module: null, exportType: null, namespace: null }],
      'rpm-provides',
    );
    assert.equal(compareBuilds(a, b).changes.length, 0);
  });

  it('only additions: compatible, exit 4, no ABI bump', () => {
    const r = compareBuilds(build([{ symbol: 'a' }]), build([{ symbol: 'a' }, { symbol: 'b' }]), {
      abiVersion: 3,
    });
    assert.equal(r.verdict, 'compatible');
    assert.equal(r.exitCode, 4);
    assert.deepEqual(r.abiVersion, { current: 3, mustBump: false, next: 3 });
  });

  it('a removal bumps the ABI version', () => {
    const r = compareBuilds(build([{ symbol: 'a' }, { symbol: 'b' }]), build([{ symbol: 'a' }]), {
      abiVersion: 3,
    });
    assert.deepEqual(r.abiVersion, { current: 3, mustBump: true, next: 4 });
  });
});

describe('severity rules', () => {
  const a = build([
    { symbol: 'kmalloc', crc: 1 },
    { symbol: 'drm_foo', crc: 1, module: 'drivers/gpu/drm/drm' },
    { symbol: 'cxl_bar', namespace: 'CXL', crc: 1 },
  ]);
  const b = build([
    { symbol: 'kmalloc', crc: 2 },
    { symbol: 'drm_foo', crc: 2, module: 'drivers/gpu/drm/drm' },
    { symbol: 'cxl_bar', namespace: 'CXL', crc: 2 },
    { symbol: 'added_one' },
  ]);

  it('first match wins, by symbol, module and namespace', () => {
    const r = compareBuilds(a, b, {
      policy: policy([
        rule('symbol', 'kmalloc', 'warn'),
        rule('symbol', 'k*', 'fail'),
        rule('module', 'drivers/gpu/**', 'ignore'),
        rule('namespace', 'CXL', 'warn'),
      ]),
    });
    const sev = Object.fromEntries(r.changes.map((c) => [c.symbol, `${c.severity} ${c.rule}`]));
    assert.equal(sev.kmalloc, 'warn test:kmalloc');
    assert.equal(sev.drm_foo, 'ignore test:drivers/gpu/**');
    assert.equal(sev.cxl_bar, 'warn test:CXL');
    assert.equal(sev.added_one, 'warn default');
    assert.equal(r.verdict, 'compatible');
  });

  it('a path glob * does not cross /, ** does', () => {
    const r = compareBuilds(a, b, { policy: policy([rule('module', 'drivers/*', 'ignore')]) });
    assert.equal(r.changes.find((c) => c.symbol === 'drm_foo')!.severity, 'fail');
  });

  it('a fail rule without kinds never escalates a harmless addition; with kinds it does', () => {
    const plain = compareBuilds(a, b, { policy: policy([rule('symbol', '*', 'fail')]) });
    assert.equal(plain.changes.find((c) => c.kind === 'added')!.severity, 'warn');
    const named = compareBuilds(a, b, { policy: policy([rule('symbol', '*', 'fail', ['added'])]) });
    assert.equal(named.changes.find((c) => c.kind === 'added')!.severity, 'fail');
  });

  it('with a stablelist only protected symbols fail; the rest are mutable warnings, still reported', () => {
    const list: Stablelist = {
      name: 'rhel9_x86_64_stablelist',
      arch: 'x86_64',
      source: 'kabi_stablelist_x86_64',
      symbols: new Map([['kmalloc', { symbol: 'kmalloc', crc: null, module: null }]]),
    };
    const r = compareBuilds(a, b, { policy: policy([], [list]) });
    const by = Object.fromEntries(r.changes.map((c) => [c.symbol, c]));
    assert.equal(by.kmalloc!.severity, 'fail');
    assert.equal(by.kmalloc!.protected, true);
    assert.match(by.kmalloc!.rule, /stablelist rhel9_x86_64_stablelist/);
    assert.equal(by.drm_foo!.severity, 'warn');
    assert.equal(by.drm_foo!.protected, false);
    assert.match(by.drm_foo!.rule, /mutable/);
    assert.equal(r.changes.length, 4);
  });
});
