import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatErrorOf } from '../../../test/helpers/format-error.js';
import { debianMatcher, parseDebianIgnoreChanges } from './debian-ignore-changes.js';

// An excerpt of Debian linux `debian/config/defines` (bullseye-backports era, as carried by ParrotSec's
// linux-parrot): `[abi]` with abiname, then the indented ignore-changes list with `# why` comments at
// column 0 between its lines, then unrelated sections.
const DEFINES = `[abi]
abiname: 0.bpo.1
ignore-changes:
 __cpuhp_*
 bpf_analyzer
 module:drivers/hv/*
 module:drivers/iio/**
 module:drivers/scsi/libiscs*
# btree library is only selected by few drivers so not useful OOT
 btree_*
 module:net/ceph/libceph

[base]
arches:
 amd64
 arm64
compiler: gcc-10

[build]
# Disable code signing by default; this can be overridden per-architecture
signed-code: false
`;

function parse(text: string, section?: string) {
  return parseDebianIgnoreChanges(
    text,
    section === undefined ? { source: 'defines' } : { source: 'defines', section },
  );
}

const errorOf = (text: string) => formatErrorOf(() => parse(text));

describe('Debian ignore-changes', () => {
  it('reads the [abi] list of a defines file, skipping comments and other sections', () => {
    const doc = parse(DEFINES);
    assert.equal(doc.format, 'debian-ignore-changes');
    assert.deepEqual(
      doc.rules.map((r) => [r.target, r.pattern, r.origin]),
      [
        ['symbol', '__cpuhp_*', 'defines:4'],
        ['symbol', 'bpf_analyzer', 'defines:5'],
        ['module', 'drivers/hv/*', 'defines:6'],
        ['module', 'drivers/iio/**', 'defines:7'],
        ['module', 'drivers/scsi/libiscs*', 'defines:8'],
        ['symbol', 'btree_*', 'defines:10'],
        ['module', 'net/ceph/libceph', 'defines:11'],
      ],
    );
    assert.ok(doc.rules.every((r) => r.severity === 'ignore' && r.kinds === null));
    assert.deepEqual(doc.defaults, { breaking: 'fail', harmless: 'warn' });
  });

  it('matches * within one path component and ** across, as buildcheck.py does', () => {
    const [, , hv, iio, libiscs] = parse(DEFINES).rules;
    assert.ok(hv!.matcher.test('drivers/hv/hv_vmbus'));
    assert.ok(!hv!.matcher.test('drivers/hv/sub/hv_x'));
    assert.ok(iio!.matcher.test('drivers/iio/imu/inv_mpu6050/inv-mpu6050'));
    assert.ok(libiscs!.matcher.test('drivers/scsi/libiscsi'));
    assert.ok(!libiscs!.matcher.test('drivers/scsi/libiscsi/x'));
  });

  it('treats ? and [ literally: buildcheck.py escapes all but * and **', () => {
    assert.ok(!debianMatcher('foo?').test('food'));
    assert.ok(debianMatcher('foo?').test('foo?'));
    assert.ok(!debianMatcher('[ab]x').test('ax'));
    assert.ok(debianMatcher('[ab]x').test('[ab]x'));
    assert.ok(debianMatcher('a.b').test('a.b') && !debianMatcher('a.b').test('axb'));
  });

  it('reads a plain list: one or several patterns a line, name: prefix, # comments', () => {
    const doc = parse('# ours\nkvm_* __kvm_*\nname:vcpu_*   module:arch/x86/kvm/*  # KVM internal\n');
    assert.deepEqual(
      doc.rules.map((r) => [r.target, r.pattern, r.origin]),
      [
        ['symbol', 'kvm_*', 'defines:2'],
        ['symbol', '__kvm_*', 'defines:2'],
        ['symbol', 'vcpu_*', 'defines:3'],
        ['module', 'arch/x86/kvm/*', 'defines:3'],
      ],
    );
  });

  it('reads another section on request, keeps the list open across blank lines, lower-cases keys', () => {
    const text =
      '[abi]\nignore-changes: a\n\n[cloud-amd64_abi]\nIgnore-Changes = b\n\n c\n; note\n d\nother: e\n';
    assert.deepEqual(
      parse(text, 'cloud-amd64_abi').rules.map((r) => r.pattern),
      ['b', 'c', 'd'],
    );
  });

  describe('rejects', () => {
    it('an unknown pattern type', () => {
      assert.equal(
        errorOf('symbol:kmalloc\n').message,
        'defines:1: expected name: or module: before the pattern in symbol:kmalloc | symbol:kmalloc',
      );
    });

    it('a missing pattern after module:', () => {
      assert.equal(
        errorOf('foo\nmodule:\n').message,
        'defines:2: expected a pattern after module: | module:',
      );
    });

    it('too many fields in one pattern (a second colon)', () => {
      assert.equal(
        errorOf('module:a:b\n').message,
        "defines:1: expected one ':' in module:a:b (module:PATTERN) | module:a:b",
      );
    });

    it('an inline comment inside a defines value, which configparser would keep as patterns', () => {
      assert.equal(
        errorOf('[abi]\nignore-changes:\n foo # why\n').message,
        'defines:3: expected a pattern; put comments on their own line (no inline comments in defines) |  foo # why',
      );
    });

    it('a defines file without [abi] or without ignore-changes', () => {
      assert.equal(
        errorOf('[base]\narches: amd64\n').message,
        'defines:1: no [abi] section, expected one with ignore-changes',
      );
      assert.equal(
        errorOf('[abi]\nabiname: 35\n').message,
        'defines:1: no ignore-changes in [abi], expected a list of patterns',
      );
    });

    it('a malformed defines line, a repeated section or key', () => {
      assert.equal(
        errorOf('[abi]\nignore-changes\n').message,
        'defines:2: expected [section], key: value, or an indented continuation line | ignore-changes',
      );
      assert.equal(
        errorOf('[abi]\n[abi]\n').message,
        'defines:2: expected each section once, [abi] is repeated | [abi]',
      );
      assert.match(
        errorOf('[abi]\nignore-changes: a\nignore-changes: b\n').message,
        /^defines:3: expected one ignore-changes/,
      );
    });

    it('an empty file', () => {
      assert.equal(
        errorOf('\n# only a comment\n').message,
        'defines:1: no rules (the file is empty or only comments), expected Debian ignore-changes patterns',
      );
    });

    it('binary data', () => {
      assert.match(
        errorOf('kvm_*\n\0\0\0\n').message,
        /^defines:2: binary data \(NUL byte\), expected Debian ignore-changes patterns/,
      );
    });
  });
});
