// Label queries: `distro=debian,release=6.1.0-53-amd64`, `stream=debian-6.1`, `release=6.1.*`, `kind=kmod`.
// Comma-separated `key=value` terms, all of which must hold; `*` in a value matches any run of characters.
import { UsageError } from '../errors.js';
import { splitDebianRelease } from '../model/kernel-release.js';
import { labelOf } from '../model/labels.js';

export interface LabelTerm {
  key: string;
  value: string;
  matcher: { test(s: string): boolean };
}

/**
 * `*` as any run of characters, nothing else special. Not a RegExp: `^.*.*…$` from a query of many stars
 * backtracks exponentially on a value it does not match (64 stars held the server for minutes). Fixed
 * pieces between stars, each taken at its earliest place, is linear and never wrong (the classic
 * wildcard matcher).
 */
export function starMatcher(pattern: string): { test(s: string): boolean } {
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (pieces.length === 1) return { test: (s) => s === pattern };
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  return {
    test(s: string): boolean {
      if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
      let at = first.length;
      const end = s.length - last.length;
      for (const piece of middle) {
        const found = s.indexOf(piece, at);
        if (found === -1 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    },
  };
}

export function parseLabelQuery(query: string): LabelTerm[] {
  if (query.trim() === '') return [];
  return query.split(',').map((term) => {
    const eq = term.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `label query term "${term}": expected key=value (e.g. distro=debian,release=6.1.*)`,
      );
    const key = term.slice(0, eq).trim();
    const value = term.slice(eq + 1).trim();
    return { key, value, matcher: starMatcher(value) };
  });
}

export function matchesQuery(labels: Record<string, string>, terms: LabelTerm[]): boolean {
  return terms.every((t) => {
    const value = labelOf(labels, t.key);
    return (value !== undefined && t.matcher.test(value)) || sameRelease(labels, t);
  });
}

/**
 * `release=6.1.0-55-amd64` (a package's uname) also finds the build stored as release=6.1.0-55: from its
 * Module.symvers (no flavour known) or from a package (flavour=amd64, uname=6.1.0-55-amd64).
 */
function sameRelease(labels: Record<string, string>, t: LabelTerm): boolean {
  if (t.key !== 'release') return false;
  if (labels.uname !== undefined && t.matcher.test(labels.uname)) return true;
  const split = splitDebianRelease(t.value);
  return (
    split !== null &&
    labels.release === split.abi &&
    (labels.flavour === undefined || labels.flavour === split.flavour)
  );
}

/** `key=value` pairs from the command line (`--label distro=debian`). */
export function parseLabels(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`label "${p}": expected key=value`);
    const key = p.slice(0, eq).trim();
    if (!/^[a-z][a-z0-9_.-]*$/.test(key))
      throw new UsageError(
        `label key "${key}": expected a lower-case letter first, then lower-case letters, digits, _ . or -`,
      );
    out[key] = p.slice(eq + 1).trim();
  }
  return out;
}
