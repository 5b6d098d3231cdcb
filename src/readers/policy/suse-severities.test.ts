import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatErrorOf } from '../../../test/helpers/format-error.js';
import { parseSuseSeverities, suseTarget } from './suse-severities.js';

// Shape and rules from openSUSE kernel-source `kabi/severities` (master branch): header comment, tab
// alignment, module paths, symbol globs, and a FAIL carved out before a broader PASS.
const KERNEL_SOURCE = `# KABI rules for symbols and modules
#
# A matching line with PASS allows kabi changes for given modules or symbols,
# FAIL causes an error. The first matching line is considered, the default is
# FAIL if no match is found.

drivers/message/fusion/*\tPASS
drivers/staging/*\t\tPASS

# ceph-related modules
net/ceph/libceph\t\tPASS
arch/s390/*\t\t\tPASS
zpci_*\t\t\t\tPASS
sclp\t\t\t\tPASS
drivers/nvme/host/nvme-fc*\tFAIL
drivers/nvme/host/*\t\tPASS
drivers/net/ethernet/mscc/*     PASS
`;

// The example of suse-kabi-tools' suse-kabi-tools(5) man page: module, namespace and symbol rules.
const KABI_TOOLS_MAN = `lib/important* FAIL
TEST_IMPORTANT FAIL
*not_stable*   PASS
`;

function parse(text: string) {
  return parseSuseSeverities(text, { source: 'kabi/severities' });
}

const errorOf = (text: string) => formatErrorOf(() => parse(text));

describe('SUSE kabi/severities', () => {
  it('reads kernel-source rules in file order with targets, severities and origins', () => {
    const doc = parse(KERNEL_SOURCE);
    assert.equal(doc.format, 'suse-severities');
    assert.deepEqual(
      doc.rules.map((r) => [r.target, r.pattern, r.severity, r.origin]),
      [
        ['module', 'drivers/message/fusion/*', 'warn', 'kabi/severities:7'],
        ['module', 'drivers/staging/*', 'warn', 'kabi/severities:8'],
        ['module', 'net/ceph/libceph', 'warn', 'kabi/severities:11'],
        ['module', 'arch/s390/*', 'warn', 'kabi/severities:12'],
        ['symbol', 'zpci_*', 'warn', 'kabi/severities:13'],
        ['symbol', 'sclp', 'warn', 'kabi/severities:14'],
        ['module', 'drivers/nvme/host/nvme-fc*', 'fail', 'kabi/severities:15'],
        ['module', 'drivers/nvme/host/*', 'warn', 'kabi/severities:16'],
        ['module', 'drivers/net/ethernet/mscc/*', 'warn', 'kabi/severities:17'],
      ],
    );
    assert.ok(doc.rules.every((r) => r.kinds === null));
    assert.deepEqual(doc.defaults, { breaking: 'fail', harmless: 'warn' });
    assert.deepEqual(doc.stablelistRefs, []);
  });

  it('keeps the FAIL carve-out ahead of the broader PASS (first match wins)', () => {
    const doc = parse(KERNEL_SOURCE);
    const first = doc.rules.find((r) => r.matcher.test('drivers/nvme/host/nvme-fc'));
    assert.equal(first?.severity, 'fail');
    assert.equal(
      doc.rules.find((r) => r.matcher.test('drivers/nvme/host/nvme-core'))?.pattern,
      'drivers/nvme/host/*',
    );
  });

  it('lets * cross / as kabi.pl (.*) and suse-kabi-tools (wildmat) do', () => {
    const staging = parse('drivers/staging/*  PASS').rules[0]!;
    assert.ok(staging.matcher.test('drivers/staging/rtl8723bs/r8723bs'));
    assert.ok(!staging.matcher.test('drivers/stagingx'));
    const q = parse('drivers/s390/net/qet? PASS').rules[0]!;
    assert.ok(q.matcher.test('drivers/s390/net/qeth'));
    assert.ok(!q.matcher.test('drivers/s390/net/qeth_l2'));
  });

  it('classifies patterns as suse-kabi-tools does: /, vmlinux, no lowercase letter', () => {
    const doc = parse(KABI_TOOLS_MAN);
    assert.deepEqual(
      doc.rules.map((r) => [r.target, r.severity]),
      [
        ['module', 'fail'],
        ['namespace', 'fail'],
        ['symbol', 'warn'],
      ],
    );
    assert.ok(doc.rules[0]!.matcher.test('lib/important_module'));
    assert.ok(doc.rules[1]!.matcher.test('TEST_IMPORTANT'));
    assert.ok(doc.rules[2]!.matcher.test('foo_not_stable_bar'));
    // The cases of suse-kabi-tools' own rules tests, plus the consequences of "equals its upper-casing".
    assert.equal(suseTarget('lib/test_module.ko'), 'module');
    assert.equal(suseTarget('vmlinux'), 'module');
    assert.equal(suseTarget('vmlinux2'), 'symbol');
    assert.equal(suseTarget('test_namespace'), 'symbol');
    assert.equal(suseTarget('CXL'), 'namespace');
    assert.equal(suseTarget('BAZ*_NS'), 'namespace');
    assert.equal(suseTarget('USB_STORAGE2'), 'namespace');
    assert.equal(suseTarget('*'), 'namespace');
    assert.equal(suseTarget('Foo_*'), 'symbol');
  });

  it('accepts trailing comments, comments glued to the verdict, CRLF and a lowercase verdict', () => {
    const doc = parse('lib/a PASS # why\r\nlib/b FAIL# glued\r\nfoo pass\r\n');
    assert.deepEqual(
      doc.rules.map((r) => [r.pattern, r.severity]),
      [
        ['lib/a', 'warn'],
        ['lib/b', 'fail'],
        ['foo', 'warn'],
      ],
    );
  });

  describe('rejects', () => {
    it('an unknown verdict, naming the file, line and expectation', () => {
      const e = errorOf('# rules\n\nbar PASS\nfoo MAYBE\n');
      assert.equal(e.message, 'kabi/severities:4: expected PASS or FAIL after the pattern | foo MAYBE');
      assert.equal(e.line, 4);
    });

    it('a rule without verdict', () => {
      assert.equal(
        errorOf('symbol_name\n').message,
        'kabi/severities:1: expected PASS or FAIL after the pattern | symbol_name',
      );
    });

    it('a verdict without pattern', () => {
      assert.equal(
        errorOf('foo PASS\n\tFAIL\n').message,
        'kabi/severities:2: expected a pattern before FAIL | \\tFAIL',
      );
    });

    it('too many fields', () => {
      assert.equal(
        errorOf('symbol_name PASS garbage\n').message,
        'kabi/severities:1: expected nothing after PASS (one PATTERN PASS|FAIL per line) | symbol_name PASS garbage',
      );
    });

    it('an empty file and a comments-only file', () => {
      const expected =
        'kabi/severities:1: no rules (the file is empty or only comments), expected SUSE kabi/severities rules (PATTERN PASS|FAIL)';
      assert.equal(errorOf('').message, expected);
      assert.equal(errorOf('# nothing yet\n\n').message, expected);
    });

    it('binary data', () => {
      const e = errorOf('foo PASS\n\u007fELF\u0002\u0001\u0001\u0000\u0000\n');
      assert.match(
        e.message,
        /^kabi\/severities:2: binary data \(NUL byte\), expected SUSE kabi\/severities rules/,
      );
      assert.match(e.message, /\\x00/);
    });
  });
});
