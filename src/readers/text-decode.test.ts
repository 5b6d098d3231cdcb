import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ArtifactFormatError } from '../errors.js';
import { decodeText, firstBadUtf8, MAX_LINE } from './text-decode.js';

const errorOf = (f: () => unknown): ArtifactFormatError => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ArtifactFormatError, String(e));
    return e;
  }
  assert.fail('no error');
};

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('decodeText', () => {
  it('names the line, the byte offset and the bad bytes of Latin-1 text', () => {
    const data = bytes(
      '0x1\tfoo\tvmlinux\tEXPORT_SYMBOL\t\n0x2\tcaf',
      [0xe9],
      '\tvmlinux\tEXPORT_SYMBOL\t\n',
    );
    const e = errorOf(() => decodeText(data, 'Module.symvers', 'Module.symvers'));
    assert.equal(e.line, 2);
    assert.equal(e.offset, 38);
    assert.equal(data[38], 0xe9);
    assert.equal(
      e.message,
      'Module.symvers:2@0x26: invalid UTF-8 (\\xe9), expected Module.symvers | 0x2\\tcaf\\xe9\\tvmlinux\\tEXPORT_SYMBOL\\t',
    );
  });

  it('points at the first byte of a sequence cut short, and shows only the bytes around it on a long line', () => {
    const data = bytes('a\r\n', 'x'.repeat(100_000), [0xe2, 0x82, 0x28], 'y'.repeat(100_000), '\n');
    const e = errorOf(() => decodeText(data, 's', 'a policy file'));
    assert.equal(e.line, 2);
    assert.equal(e.offset, 100_003);
    assert.match(e.reason, /invalid UTF-8 \(\\xe2\\x82\), expected a policy file/);
    assert.equal(e.excerpt, `…${'x'.repeat(40)}\\xe2\\x82(${'y'.repeat(39)}…`);
  });

  it('refuses NUL bytes and UTF-16 with their place', () => {
    const nul = errorOf(() => decodeText(bytes('a\nb\nc', [0], 'd\n'), 'f', 'X'));
    assert.equal(nul.message, 'f:3@0x5: binary data (NUL byte), expected X | c\\x00d');
    const utf16 = errorOf(() => decodeText(Buffer.from('\ufeffabc', 'utf16le'), 'f', 'X'));
    assert.match(utf16.message, /^f:1@0x0: UTF-16 text/);
  });

  it('decodes UTF-8 (a BOM dropped), and refuses overlongs, surrogates and code points past U+10FFFF', () => {
    assert.equal(decodeText(bytes([0xef, 0xbb, 0xbf], 'naïve ✓ 𝄞\n'), 's', 'X'), 'naïve ✓ 𝄞\n');
    for (const bad of [
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xff],
    ]) {
      const e = errorOf(() => decodeText(bytes('ok ', bad), 's', 'X'));
      assert.equal(e.offset, 3, String(bad));
    }
  });
});

describe('firstBadUtf8', () => {
  // Bytes drawn mostly from UTF-8 fragments, so that well-formed and ill-formed inputs both come up.
  const fragment = fc.oneof(
    fc.string({ unit: 'grapheme' }).map((s) => [...Buffer.from(s)]),
    fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 3 }),
    fc.array(fc.integer({ min: 0, max: 0xff }), { maxLength: 4 }),
  );
  const input = fc.array(fragment, { maxLength: 12 }).map((a) => Uint8Array.from(a.flat()));

  it('agrees with the platform decoder: null exactly when it decodes, and the prefix before the bad byte decodes', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const lenient = new TextDecoder('utf-8', { ignoreBOM: true });
    fc.assert(
      fc.property(input, (b) => {
        const bad = firstBadUtf8(b);
        let ok = true;
        try {
          fatal.decode(b);
        } catch {
          ok = false;
        }
        assert.equal(bad === null, ok);
        if (bad) {
          const before = fatal.decode(b.subarray(0, bad.offset));
          // The WHATWG decoder replaces exactly the same bytes with U+FFFD.
          assert.equal(lenient.decode(b).slice(0, before.length + 1), `${before}\ufffd`);
          assert.equal(lenient.decode(b.subarray(0, bad.offset + bad.length)), `${before}\ufffd`);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('decodeText and long lines', () => {
  it('refuses a line longer than MAX_LINE at its start, and takes one of MAX_LINE bytes', () => {
    const long = Buffer.alloc(MAX_LINE + 1, 0x61);
    const e = errorOf(() =>
      decodeText(Buffer.concat([Buffer.from('ok\nfine\n'), long, Buffer.from('\n')]), 's', 'X'),
    );
    assert.equal(e.line, 3);
    assert.equal(e.offset, 8);
    assert.match(e.reason, /^line longer than 1 MiB \(1048577 bytes\), expected X$/);
    assert.equal(errorOf(() => decodeText(long, 's', 'X')).line, 1);
    assert.equal(decodeText(long.subarray(1), 's', 'X').length, MAX_LINE);
  });
});
