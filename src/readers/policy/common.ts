// What the policy readers share: the document they return, and the checks every format makes before it
// reads a single rule. Each format keeps its own syntax; only the outcome (ordered PolicyRules) is common.
import { ArtifactFormatError } from '../../errors.js';
import type { ChangeKind, Severity } from '../../model/change.js';
import {
  DEFAULT_SEVERITIES,
  type DefaultSeverities,
  type PolicyRule,
  type RuleTarget,
} from '../../model/policy.js';
import { type Line, lineError } from '../lines.js';

export type PolicyFormat = 'suse-severities' | 'debian-ignore-changes' | 'kabi-policy';

export const POLICY_FORMATS: readonly PolicyFormat[] = [
  'suse-severities',
  'debian-ignore-changes',
  'kabi-policy',
];

/** A stablelist named by a kabi policy, as written; resolving and loading it is the caller's job. */
export interface StablelistRef {
  path: string;
  line: number;
}

export interface PolicyDocument {
  format: PolicyFormat;
  source: string;
  /** In file order: first match wins. */
  rules: PolicyRule[];
  defaults: DefaultSeverities;
  stablelistRefs: StablelistRef[];
}

export interface ParseOptions {
  /** File path or other name of the input, used in rule origins and errors. */
  source: string;
}

/**
 * Refuses binary input. Parsers take text, so a stray .ko or a compressed file decoded as text shows up
 * as NUL characters; without this check it would fail later with a confusing "unknown keyword".
 */
export function checkText(text: string, source: string, expected: string): void {
  const nul = text.indexOf('\0');
  if (nul === -1) return;
  const start = text.lastIndexOf('\n', nul) + 1;
  const end = text.indexOf('\n', nul);
  let no = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < nul; i = text.indexOf('\n', i + 1)) no++;
  const line: Line = { no, text: text.slice(start, end === -1 ? undefined : end) };
  throw lineError(source, line, `binary data (NUL byte), expected ${expected}`);
}

/**
 * The whitespace-separated words of a line, up to a `#` comment. No policy pattern can contain `#`: it
 * never occurs in symbol, module or namespace names.
 */
export function wordsOf(text: string): string[] {
  const hash = text.indexOf('#');
  const body = hash === -1 ? text : text.slice(0, hash);
  return body.split(/\s+/).filter((w) => w !== '');
}

/** For a file with no rule at all: nearly always the wrong file or a truncated one, never a useful policy. */
export function noRulesError(source: string, expected: string): ArtifactFormatError {
  return new ArtifactFormatError(`no rules (the file is empty or only comments), expected ${expected}`, {
    source,
    line: 1,
  });
}

/**
 * The document of a format that can say nothing but rules (SUSE severities, Debian ignore-changes): both
 * tools fail an unmatched breaking change and let additions through, which is what the default
 * severities say; they name no stablelist.
 */
export function rulesOnlyDocument(
  format: PolicyFormat,
  source: string,
  rules: PolicyRule[],
  expected: string,
): PolicyDocument {
  if (rules.length === 0) throw noRulesError(source, expected);
  return { format, source, rules, defaults: { ...DEFAULT_SEVERITIES }, stablelistRefs: [] };
}

export function makeRule(
  target: RuleTarget,
  pattern: string,
  matcher: RegExp,
  severity: Severity,
  kinds: ChangeKind[] | null,
  origin: { source: string; line: Line },
): PolicyRule {
  return { target, pattern, matcher, severity, kinds, origin: `${origin.source}:${origin.line.no}` };
}
