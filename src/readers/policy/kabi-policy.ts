// kabi-tracker's own policy file (specified in docs/formats/policies.md). One statement per line, `#`
// comments to the end of a line, words separated by whitespace:
//   default    breaking=SEVERITY harmless=SEVERITY
//   stablelist PATH
//   symbol|module|namespace  PATTERN  SEVERITY  [KIND,KIND...|all]
// It keeps SUSE's severities model (ordered rules, first match wins) but names the target instead of
// guessing it from the pattern's case, uses Debian's `*`/`**` globs, and adds what neither can say:
// three severities, per-kind rules, the defaults, and the stablelists.
import { CHANGE_KINDS, type ChangeKind, type Severity } from '../../model/change.js';
import { globToRegExp } from '../../model/glob.js';
import {
  DEFAULT_SEVERITIES,
  type DefaultSeverities,
  type PolicyRule,
  type RuleTarget,
} from '../../model/policy.js';
import { type Line, lineError, lines } from '../lines.js';
import {
  checkText,
  makeRule,
  noRulesError,
  type ParseOptions,
  type PolicyDocument,
  type StablelistRef,
  wordsOf,
} from './common.js';

const EXPECTED = 'kabi policy statements (default, stablelist, symbol, module, namespace)';
const SEVERITIES: readonly Severity[] = ['ignore', 'warn', 'fail'];
const TARGETS: readonly RuleTarget[] = ['symbol', 'module', 'namespace'];
const KEYWORDS = ['default', 'stablelist', ...TARGETS] as const;
const SEVERITY_WORDS = 'ignore, warn or fail';

/** Whether a line's first word is a kabi policy keyword; used by format detection. */
export function isKabiPolicyKeyword(word: string): boolean {
  return (KEYWORDS as readonly string[]).includes(word);
}

export function parseKabiPolicy(text: string, opts: ParseOptions): PolicyDocument {
  const source = opts.source;
  checkText(text, source, EXPECTED);
  const doc: PolicyDocument = {
    format: 'kabi-policy',
    source,
    rules: [],
    defaults: { ...DEFAULT_SEVERITIES },
    stablelistRefs: [],
  };
  let defaultLine: Line | null = null;
  let statements = 0;
  for (const line of lines(text)) {
    const [keyword, ...args] = wordsOf(line.text);
    if (keyword === undefined) continue;
    statements++;
    if (keyword === 'default') {
      if (defaultLine !== null)
        throw lineError(source, line, `expected one default line, already set on line ${defaultLine.no}`);
      defaultLine = line;
      doc.defaults = parseDefaults(args, line, source);
    } else if (keyword === 'stablelist') {
      doc.stablelistRefs.push(parseStablelist(args, line, source));
    } else if ((TARGETS as readonly string[]).includes(keyword)) {
      doc.rules.push(parseRule(keyword as RuleTarget, args, line, source));
    } else {
      throw lineError(
        source,
        line,
        'expected default, stablelist, symbol, module or namespace first on the line',
      );
    }
  }
  if (statements === 0) throw noRulesError(source, EXPECTED);
  return doc;
}

function parseDefaults(args: string[], line: Line, source: string): DefaultSeverities {
  const usage = `expected breaking=SEVERITY and/or harmless=SEVERITY after default (SEVERITY: ${SEVERITY_WORDS})`;
  if (args.length === 0) throw lineError(source, line, usage);
  const defaults = { ...DEFAULT_SEVERITIES };
  const set = new Set<string>();
  for (const arg of args) {
    const [key, value, extra] = arg.split('=');
    if ((key !== 'breaking' && key !== 'harmless') || extra !== undefined || set.has(key)) {
      throw lineError(source, line, usage);
    }
    if (!isSeverity(value)) throw lineError(source, line, `expected ${SEVERITY_WORDS} after ${key}=`);
    set.add(key);
    defaults[key] = value;
  }
  return defaults;
}

function parseStablelist(args: string[], line: Line, source: string): StablelistRef {
  const [path, extra] = args;
  if (path === undefined) throw lineError(source, line, 'expected a file path after stablelist');
  if (extra !== undefined) {
    throw lineError(
      source,
      line,
      'expected one path after stablelist (one stablelist per line; no spaces in paths)',
    );
  }
  return { path, line: line.no };
}

function parseRule(target: RuleTarget, args: string[], line: Line, source: string): PolicyRule {
  const [pattern, severity, kinds, extra] = args;
  if (pattern === undefined) throw lineError(source, line, `expected a pattern after ${target}`);
  if (severity === undefined || !isSeverity(severity)) {
    throw lineError(source, line, `expected ${SEVERITY_WORDS} after the pattern`);
  }
  if (extra !== undefined) {
    const reason = `too many fields: expected ${target} PATTERN SEVERITY [KINDS], KINDS being one comma-separated list without spaces`;
    throw lineError(source, line, reason);
  }
  checkPattern(target, pattern, line, source);
  const kindList = kinds === undefined ? null : parseKinds(kinds, line, source);
  return makeRule(target, pattern, globToRegExp(pattern, 'path'), severity, kindList, { source, line });
}

// Both mistakes give a rule that silently never matches: Module.symvers names modules without `.ko`, and
// only module names contain `/`.
function checkPattern(target: RuleTarget, pattern: string, line: Line, source: string): void {
  if (target === 'module' && pattern.endsWith('.ko')) {
    throw lineError(source, line, 'expected a module name as Module.symvers writes it, without .ko');
  }
  if (target !== 'module' && pattern.includes('/')) {
    throw lineError(source, line, `expected a ${target} pattern without '/' (only module names contain '/')`);
  }
}

function parseKinds(list: string, line: Line, source: string): ChangeKind[] {
  if (list === 'all') return [...CHANGE_KINDS];
  const kinds: ChangeKind[] = [];
  for (const word of list.split(',')) {
    if (!isChangeKind(word)) {
      throw lineError(
        source,
        line,
        `expected change kinds from ${CHANGE_KINDS.join(', ')} or all, got "${word}"`,
      );
    }
    if (kinds.includes(word))
      throw lineError(source, line, `expected each change kind once, ${word} is repeated`);
    kinds.push(word);
  }
  return kinds;
}

function isSeverity(word: string | undefined): word is Severity {
  return (SEVERITIES as readonly (string | undefined)[]).includes(word);
}

function isChangeKind(word: string): word is ChangeKind {
  return (CHANGE_KINDS as readonly string[]).includes(word);
}
