import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatErrorOf } from '../../../test/helpers/format-error.js';
import { decodeText } from '../lines.js';
import { detectPolicyFormat, parsePolicy } from './index.js';

// One sample per format, each in the shape of its origin: kernel-source kabi/severities, Debian's
// debian/config/defines, a plain ignore-changes list, and kabi-tracker's own policy.
const SEVERITIES = '# KABI rules for symbols and modules\ndrivers/staging/*\t\tPASS\nzpci_*\t\t\t\tPASS\n';
const DEFINES = '[abi]\nabiname: 35\nignore-changes:\n __cpuhp_*\n module:drivers/hv/*\n';
const PLAIN = '# ignore-changes\n__cpuhp_*\nmodule:drivers/hv/*\n';
const KABI = '# kabi policy\ndefault breaking=fail harmless=warn\nsymbol kmalloc* fail\n';

const errorOf = formatErrorOf;

describe('policy format detection', () => {
  it('tells the formats apart by content', () => {
    assert.equal(detectPolicyFormat(SEVERITIES), 'suse-severities');
    assert.equal(detectPolicyFormat(DEFINES), 'debian-ignore-changes');
    assert.equal(detectPolicyFormat(PLAIN), 'debian-ignore-changes');
    assert.equal(detectPolicyFormat(KABI), 'kabi-policy');
    assert.equal(detectPolicyFormat('\n# nothing\n'), null);
  });

  it('reads a SUSE rule for a symbol named like a keyword as SUSE', () => {
    assert.equal(detectPolicyFormat('module PASS\n'), 'suse-severities');
  });

  it('keeps a severities file with one bad verdict SUSE, so the error names the bad line', () => {
    const text = 'foo MAYBE\nbar PASS\n';
    assert.equal(detectPolicyFormat(text), 'suse-severities');
    assert.equal(
      errorOf(() => parsePolicy(text, { source: 'severities' })).message,
      'severities:1: expected PASS or FAIL after the pattern | foo MAYBE',
    );
  });
});

describe('parsePolicy', () => {
  it('parses each detected format', () => {
    assert.equal(parsePolicy(SEVERITIES, { source: 's' }).rules[0]!.severity, 'warn');
    assert.equal(parsePolicy(DEFINES, { source: 'd' }).rules[1]!.target, 'module');
    assert.equal(parsePolicy(PLAIN, { source: 'p' }).rules.length, 2);
    assert.equal(parsePolicy(KABI, { source: 'k' }).rules[0]!.origin, 'k:3');
  });

  it('honours an explicit format over detection', () => {
    // Detected as SUSE, read as a Debian list when told so.
    const doc = parsePolicy('kvm_* PASS\n', { source: 'x', format: 'debian-ignore-changes' });
    assert.equal(doc.format, 'debian-ignore-changes');
    assert.deepEqual(
      doc.rules.map((r) => r.pattern),
      ['kvm_*', 'PASS'],
    );
    assert.equal(
      errorOf(() => parsePolicy('kvm_*\n', { source: 'x', format: 'suse-severities' })).message,
      'x:1: expected PASS or FAIL after the pattern | kvm_*',
    );
  });

  it('rejects an empty input', () => {
    assert.equal(
      errorOf(() => parsePolicy('', { source: 'p' })).message,
      'p:1: no rules (the file is empty or only comments), expected a kABI policy (SUSE severities, Debian ignore-changes or kabi policy)',
    );
  });

  it('rejects binary input before guessing a format, via decodeText or parsePolicy', () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);
    assert.match(
      errorOf(() => decodeText(elf, 'p.ko', 'a policy file')).message,
      /^p\.ko:1@0x7: binary data/,
    );
    const text = new TextDecoder().decode(elf);
    assert.match(
      errorOf(() => parsePolicy(text, { source: 'p.ko' })).message,
      /^p\.ko:1: binary data \(NUL byte\), expected a kABI policy/,
    );
  });
});
