import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type GlobDialect, globToRegExp } from './glob.js';

/** The direct translation (one `.*` or `[^/]*` per star, backtracking freely): the meaning to keep. */
// (With one change from the translation before: in the path dialect a class never matches `/`.)
function naive(pattern: string, dialect: GlobDialect): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (dialect === 'path' && pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += dialect === 'path' ? '[^/]*' : '.*';
    } else if (c === '?') re += dialect === 'path' ? '[^/]' : '.';
    else if (c === '[' && pattern.indexOf(']', i + 2) !== -1) {
      const end = pattern.indexOf(']', i + 2);
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `${dialect === 'path' ? '(?!/)' : ''}[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|[\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

describe('globToRegExp', () => {
  it('matches as the direct translation does, in both dialects', () => {
    const text = (chars: string[], max: number) =>
      fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));
    const pattern = text(['a', 'b', '/', '*', '*', '?', '[', ']', '!', '.'], 10);
    const name = text(['a', 'b', '/', '.', '[', ']'], 14);
    fc.assert(
      fc.property(pattern, fc.array(name, { minLength: 1, maxLength: 8 }), fc.boolean(), (p, names, path) => {
        const dialect: GlobDialect = path ? 'path' : 'fnmatch';
        const fast = globToRegExp(p, dialect);
        let slow: RegExp;
        try {
          // `[]` and `[!]` opened an empty class there (a SyntaxError or another meaning): not the oracle.
          if (/\[!?\]/.test(p)) return;
          slow = naive(p, dialect);
        } catch {
          return;
        }
        for (const n of names) assert.equal(fast.test(n), slow.test(n), `${p} ${dialect} ${n}: ${fast}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it('does not backtrack: many stars against a long name at once', () => {
    const t0 = performance.now();
    for (const dialect of ['fnmatch', 'path'] as const) {
      assert.equal(globToRegExp(`${'*a'.repeat(20)}b`, dialect).test('a'.repeat(5000)), false);
      assert.equal(globToRegExp(`${'*a'.repeat(20)}*`, dialect).test('a'.repeat(5000)), true);
    }
    assert.ok(performance.now() - t0 < 200, `${performance.now() - t0} ms`);
  });

  it('never throws: a class JavaScript refuses matches nothing, an unclosed one is literal', () => {
    assert.equal(globToRegExp('[z-a]x', 'fnmatch').test('x'), false);
    assert.equal(globToRegExp('[z-a]x', 'fnmatch').test('[z-a]x'), false);
    assert.equal(globToRegExp('a[b', 'path').test('a[b'), true);
    // A `]` first in a class is a member, so the class stays one atom (no group from `(` inside it).
    assert.equal(globToRegExp('[](a)]*x', 'fnmatch').test('(x'), true);
    assert.equal(globToRegExp('[!](a)]*b*c', 'fnmatch').test('zbc'), true);
  });
});
