// SUSE `kabi/severities` (openSUSE/SUSE kernel-source): one rule per line, `PATTERN  PASS|FAIL`, `#` comments
// running to the end of a line. Read by rpm/kabi.pl during the kernel package build and, since 2025, by
// suse-kabi-tools (`ksymvers compare --rules`). The pattern's shape picks what it matches: a `/` or the
// literal `vmlinux` means a module, no lowercase letter means a namespace (kabi.pl added namespaces for
// Linux 5.4's Module.symvers), anything else a symbol. Globs are fnmatch-like: `*` crosses `/`.

import type { Severity } from '../../model/change.js';
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

const EXPECTED = 'SUSE kabi/severities rules (PATTERN PASS|FAIL)';

/**
 * PASS does not hide a change: kabi.pl prints it as "(tolerated)" and ksymvers as "(tolerated by rules)".
 * So PASS is `warn` (reported, not failing), never `ignore`.
 */
const VERDICTS: Readonly<Record<string, Severity>> = { PASS: 'warn', FAIL: 'fail' };

export function parseSuseSeverities(text: string, opts: ParseOptions): PolicyDocument {
  checkText(text, opts.source, EXPECTED);
  const rules: PolicyRule[] = [];
  for (const line of lines(text)) {
    const words = wordsOf(line.text);
    if (words.length > 0) rules.push(parseRule(words, line, opts.source));
  }
  // Both SUSE tools fail an unmatched breaking change and let additions and GPL loosening through.
  return rulesOnlyDocument('suse-severities', opts.source, rules, EXPECTED);
}

function parseRule(words: string[], line: Line, source: string): PolicyRule {
  const [pattern, verdict, extra] = words as [string, ...string[]];
  if (verdict === undefined) {
    const reason = verdictOf(pattern)
      ? `expected a pattern before ${pattern}`
      : 'expected PASS or FAIL after the pattern';
    throw lineError(source, line, reason);
  }
  const severity = verdictOf(verdict);
  if (severity === undefined) throw lineError(source, line, 'expected PASS or FAIL after the pattern');
  if (extra !== undefined) {
    throw lineError(source, line, `expected nothing after ${verdict} (one PATTERN PASS|FAIL per line)`);
  }
  const target = suseTarget(pattern);
  return makeRule(target, pattern, globToRegExp(pattern, 'fnmatch'), severity, null, { source, line });
}

// kabi.pl upper-cases the verdict before comparing; suse-kabi-tools wants it exact. The kernel build is
// kabi.pl, so a lowercase `pass` that builds there must read here.
function verdictOf(word: string): Severity | undefined {
  return VERDICTS[word.toUpperCase()];
}

/**
 * The classification of kabi.pl and suse-kabi-tools: "all caps" means the pattern equals its own
 * upper-casing, so digits, `_` and wildcards count as capitals and a lone `*` is a namespace pattern
 * (it then matches only symbols that have a namespace).
 */
export function suseTarget(pattern: string): RuleTarget {
  if (pattern.includes('/') || pattern === 'vmlinux') return 'module';
  if (pattern === pattern.toUpperCase()) return 'namespace';
  return 'symbol';
}
