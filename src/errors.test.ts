// excerptOf shortens before it escapes: the same excerpt as escaping the whole line, at any length.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { excerptOf } from './errors.js';

function wholeLine(text: string, max = 80): string {
  const visible = text
    .replace(
      /[\u0000-\u0008\u000b-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    )
    .replace(/\t/g, '\\t');
  return visible.length > max ? `${visible.slice(0, max)}…` : visible;
}

describe('excerptOf', () => {
  it('equals escaping the whole line, then shortening', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '\t', '\x01', '\x7f', 'é', ' '), maxLength: 120 });
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 90 }), (t, max) => {
        assert.equal(excerptOf(t, max), wholeLine(t, max));
      }),
      { numRuns: 5000, seed: 3 },
    );
  });

  it('costs the excerpt, not the line', () => {
    const line = '\t'.repeat(1 << 20);
    const t0 = performance.now();
    assert.equal(excerptOf(line), `${'\\t'.repeat(40)}…`);
    assert.ok(performance.now() - t0 < 50);
  });
});
