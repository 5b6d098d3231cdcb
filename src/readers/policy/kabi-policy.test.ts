import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatErrorOf } from '../../../test/helpers/format-error.js';
import { CHANGE_KINDS } from '../../model/change.js';
import { parseKabiPolicy } from './kabi-policy.js';

// The example policy of docs/formats/policies.md (kabi-tracker's own format, no outside origin).
const POLICY = `# kabi policy for the x86_64 product kernel
default breaking=fail harmless=warn
stablelist kabi_stablelist_x86_64        # relative to this file
stablelist ../common/kabi_stablelist_common

symbol    kmalloc*                 fail
module    drivers/gpu/**           ignore
module    drivers/net/*            warn
namespace CXL                      warn
symbol    my_sym                   warn   crc-changed,removed
symbol    *                        fail   added
`;

function parse(text: string) {
  return parseKabiPolicy(text, { source: 'kabi.policy' });
}

const errorOf = (text: string) => formatErrorOf(() => parse(text));

describe('kabi policy', () => {
  it('reads rules in order with targets, severities, kinds and origins', () => {
    const doc = parse(POLICY);
    assert.equal(doc.format, 'kabi-policy');
    assert.deepEqual(
      doc.rules.map((r) => [r.target, r.pattern, r.severity, r.kinds, r.origin]),
      [
        ['symbol', 'kmalloc*', 'fail', null, 'kabi.policy:6'],
        ['module', 'drivers/gpu/**', 'ignore', null, 'kabi.policy:7'],
        ['module', 'drivers/net/*', 'warn', null, 'kabi.policy:8'],
        ['namespace', 'CXL', 'warn', null, 'kabi.policy:9'],
        ['symbol', 'my_sym', 'warn', ['crc-changed', 'removed'], 'kabi.policy:10'],
        ['symbol', '*', 'fail', ['added'], 'kabi.policy:11'],
      ],
    );
    assert.deepEqual(doc.defaults, { breaking: 'fail', harmless: 'warn' });
    assert.deepEqual(doc.stablelistRefs, [
      { path: 'kabi_stablelist_x86_64', line: 3 },
      { path: '../common/kabi_stablelist_common', line: 4 },
    ]);
  });

  it('compiles path globs: * stays within a component, ** crosses /', () => {
    const [kmalloc, gpu, net, cxl] = parse(POLICY).rules;
    assert.ok(kmalloc!.matcher.test('kmalloc_trace') && !kmalloc!.matcher.test('__kmalloc'));
    assert.ok(gpu!.matcher.test('drivers/gpu/drm/amd/amdgpu/amdgpu'));
    assert.ok(net!.matcher.test('drivers/net/tun'));
    assert.ok(!net!.matcher.test('drivers/net/ethernet/intel/e1000e/e1000e'));
    assert.ok(cxl!.matcher.test('CXL') && !cxl!.matcher.test('CXLX'));
  });

  it('sets one default or both, and expands kinds `all`', () => {
    assert.deepEqual(parse('default harmless=ignore').defaults, { breaking: 'fail', harmless: 'ignore' });
    assert.deepEqual(parse('default breaking=warn harmless=fail').defaults, {
      breaking: 'warn',
      harmless: 'fail',
    });
    assert.deepEqual(parse('module vmlinux fail all').rules[0]!.kinds, [...CHANGE_KINDS]);
  });

  it('accepts a policy of stablelists only', () => {
    const doc = parse('stablelist kabi_stablelist_x86_64\n');
    assert.deepEqual(doc.rules, []);
    assert.equal(doc.stablelistRefs.length, 1);
  });

  describe('rejects', () => {
    it('an unknown severity word', () => {
      assert.equal(
        errorOf('symbol foo PASS\n').message,
        'kabi.policy:1: expected ignore, warn or fail after the pattern | symbol foo PASS',
      );
    });

    it('a missing severity and a missing pattern', () => {
      assert.equal(
        errorOf('symbol foo\n').message,
        'kabi.policy:1: expected ignore, warn or fail after the pattern | symbol foo',
      );
      assert.equal(
        errorOf('# x\nmodule   # all of them\n').message,
        'kabi.policy:2: expected a pattern after module | module   # all of them',
      );
    });

    it('an unknown change kind, an empty one and a repeated one', () => {
      assert.equal(
        errorOf('symbol foo warn crc-changed,deleted\n').message,
        'kabi.policy:1: expected change kinds from removed, crc-changed, export-type-changed, namespace-changed, moved, added or all, got "deleted" | symbol foo warn crc-changed,deleted',
      );
      assert.match(
        errorOf('symbol foo warn removed,\n').message,
        /^kabi\.policy:1: expected change kinds .* got ""/,
      );
      assert.match(
        errorOf('symbol foo warn moved,moved\n').message,
        /^kabi\.policy:1: expected each change kind once, moved is repeated/,
      );
    });

    it('too many fields, including kinds written with spaces', () => {
      assert.equal(
        errorOf('symbol foo warn crc-changed, removed\n').message,
        'kabi.policy:1: too many fields: expected symbol PATTERN SEVERITY [KINDS], KINDS being one comma-separated list without spaces | symbol foo warn crc-changed, removed',
      );
      assert.match(
        errorOf('stablelist a b\n').message,
        /^kabi\.policy:1: expected one path after stablelist/,
      );
    });

    it('an unknown keyword, such as a SUSE rule', () => {
      assert.equal(
        errorOf('symbol foo fail\nfoo PASS\n').message,
        'kabi.policy:2: expected default, stablelist, symbol, module or namespace first on the line | foo PASS',
      );
    });

    it('patterns that could never match', () => {
      assert.match(
        errorOf('module drivers/foo.ko fail\n').message,
        /^kabi\.policy:1: expected a module name as Module\.symvers writes it, without \.ko/,
      );
      assert.match(
        errorOf('symbol drivers/* fail\n').message,
        /^kabi\.policy:1: expected a symbol pattern without '\/'/,
      );
    });

    it('bad or repeated defaults', () => {
      assert.match(
        errorOf('default\n').message,
        /^kabi\.policy:1: expected breaking=SEVERITY and\/or harmless=SEVERITY after default/,
      );
      assert.match(errorOf('default fatal=fail\n').message, /^kabi\.policy:1: expected breaking=SEVERITY/);
      assert.match(
        errorOf('default breaking=stop\n').message,
        /^kabi\.policy:1: expected ignore, warn or fail after breaking=/,
      );
      assert.match(
        errorOf('default breaking=fail breaking=warn\n').message,
        /^kabi\.policy:1: expected breaking=SEVERITY/,
      );
      assert.match(
        errorOf('default breaking=fail\ndefault harmless=warn\n').message,
        /^kabi\.policy:2: expected one default line, already set on line 1/,
      );
    });

    it('an empty file', () => {
      assert.match(
        errorOf('# kabi policy\n\n').message,
        /^kabi\.policy:1: no rules \(the file is empty or only comments\), expected kabi policy statements/,
      );
    });

    it('binary data', () => {
      assert.match(
        errorOf('symbol a fail\nsymbol \0 fail\n').message,
        /^kabi\.policy:2: binary data \(NUL byte\), expected kabi policy statements/,
      );
    });
  });
});
