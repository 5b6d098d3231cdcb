// Debian linux `ignore-changes` (debian/bin/buildcheck.py, CheckAbi): symbols whose ABI changes the
// package build tolerates. Each pattern is a symbol name glob, or `module:GLOB` for the exporting module
// (`name:GLOB` spells the default out). Only `*` (not crossing `/`) and `**` (crossing it) are wildcards;
// every other character is literal. Accepted as a plain list (patterns separated by whitespace, `#`
// comments) or as the `[abi]` section of a `defines` file (see debian-defines.ts).

import { globToRegExp } from '../../model/glob.js';
import type { PolicyRule, RuleTarget } from '../../model/policy.js';
import { type Line, lineError, lines } from '../lines.js';
import {
  checkText,
  makeRule,
  type ParseOptions,
  type PolicyDocument,
  rulesOnlyDocument,
  wordsOf,
} from './common.js';
import { looksLikeDefines, type PatternWord, readDefinesIgnoreChanges } from './debian-defines.js';

const EXPECTED = 'Debian ignore-changes patterns';

export interface DebianParseOptions extends ParseOptions {
  /**
   * The defines section to read, `abi` unless told. Per-featureset and per-flavour lists live in
   * `[NAME_abi]` sections of the per-arch defines; buildcheck.py unions them with `[abi]`.
   */
  section?: string;
}

export function parseDebianIgnoreChanges(text: string, opts: DebianParseOptions): PolicyDocument {
  checkText(text, opts.source, EXPECTED);
  const words = looksLikeDefines(text)
    ? readDefinesIgnoreChanges(text, opts.source, opts.section ?? 'abi')
    : readPlainList(text);
  const rules = words.map((w) => debianRule(w.word, w.line, opts.source));
  // buildcheck.py refuses changed or removed symbols that no pattern ignores and lets additions through.
  return rulesOnlyDocument('debian-ignore-changes', opts.source, rules, EXPECTED);
}

function readPlainList(text: string): PatternWord[] {
  const words: PatternWord[] = [];
  for (const line of lines(text)) {
    for (const word of wordsOf(line.text)) words.push({ word, line });
  }
  return words;
}

/**
 * buildcheck.py splits on `:` and accepts the types `name` and `module`; anything else raised
 * NotImplementedError there, and more than one `:` a ValueError.
 */
function debianRule(word: string, line: Line, source: string): PolicyRule {
  let target: RuleTarget = 'symbol';
  let pattern = word;
  const colon = word.indexOf(':');
  if (colon !== -1) {
    const type = word.slice(0, colon);
    pattern = word.slice(colon + 1);
    if (type === 'module') target = 'module';
    else if (type !== 'name')
      throw lineError(source, line, `expected name: or module: before the pattern in ${word}`);
    if (pattern === '') throw lineError(source, line, `expected a pattern after ${type}:`);
    if (pattern.includes(':')) throw lineError(source, line, `expected one ':' in ${word} (module:PATTERN)`);
  }
  // Severity ignore with kinds null: buildcheck.py drops a matching symbol from the added, changed and
  // removed sets alike.
  return makeRule(target, pattern, debianMatcher(pattern), 'ignore', null, { source, line });
}

/**
 * buildcheck.py escapes everything but `*` runs, so `?` and `[` are literal there. globToRegExp's `path`
 * dialect would treat them as wildcards; wrapping each in a one-character class keeps them literal.
 */
export function debianMatcher(pattern: string): RegExp {
  return globToRegExp(pattern.replace(/[?[]/g, '[$&]'), 'path');
}
