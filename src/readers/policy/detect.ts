// Telling the three policy formats apart by content. File names say nothing reliable: SUSE's file is
// `severities` or `*.rules`, Debian's list lives inside `defines`, and users name their own policies.
import { lines } from '../lines.js';
import type { PolicyFormat } from './common.js';
import { wordsOf } from './common.js';
import { looksLikeDefines } from './debian-defines.js';
import { isKabiPolicyKeyword } from './kabi-policy.js';

/**
 * - an INI section header first: a Debian `defines` file;
 * - a kabi policy keyword first (`symbol`, `module`, ...): a kabi policy, unless that line is exactly
 *   `WORD PASS|FAIL`, a SUSE rule for a symbol that happens to be named like a keyword;
 * - any line whose second word is PASS or FAIL: SUSE severities. Every line is looked at, not the first
 *   only, so that one mistyped verdict cannot turn a severities file into a Debian ignore list;
 * - otherwise a Debian plain list, whose lines are bare patterns.
 * Returns null when there is nothing but blank lines and comments.
 */
export function detectPolicyFormat(text: string): PolicyFormat | null {
  if (looksLikeDefines(text)) return 'debian-ignore-changes';
  let first: string[] | null = null;
  let suse = false;
  for (const line of lines(text)) {
    const words = wordsOf(line.text);
    if (words.length === 0) continue;
    first ??= words;
    if (words.length >= 2 && isVerdict(words[1]!)) suse = true;
  }
  if (first === null) return null;
  const suseShaped = first.length === 2 && isVerdict(first[1]!);
  if (isKabiPolicyKeyword(first[0]!) && !suseShaped) return 'kabi-policy';
  return suse ? 'suse-severities' : 'debian-ignore-changes';
}

function isVerdict(word: string): boolean {
  const w = word.toUpperCase();
  return w === 'PASS' || w === 'FAIL';
}
