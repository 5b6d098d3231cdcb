// Readers for kABI policy files: SUSE kabi/severities, Debian ignore-changes, and kabi-tracker's own
// policy format. Each turns text into ordered PolicyRules; evaluating them against changes is the
// analysis layer's job, and loading the stablelists a kabi policy names is the caller's.
import {
  checkText,
  noRulesError,
  type ParseOptions,
  type PolicyDocument,
  type PolicyFormat,
} from './common.js';
import { parseDebianIgnoreChanges } from './debian-ignore-changes.js';
import { detectPolicyFormat } from './detect.js';
import { parseKabiPolicy } from './kabi-policy.js';
import { parseSuseSeverities } from './suse-severities.js';

export type { ParseOptions, PolicyDocument, PolicyFormat, StablelistRef } from './common.js';
export { POLICY_FORMATS } from './common.js';
export { type DebianParseOptions, parseDebianIgnoreChanges } from './debian-ignore-changes.js';
export { detectPolicyFormat } from './detect.js';
export { parseKabiPolicy } from './kabi-policy.js';
export { parseSuseSeverities, suseTarget } from './suse-severities.js';

const EXPECTED = 'a kABI policy (SUSE severities, Debian ignore-changes or kabi policy)';

const PARSERS: Readonly<Record<PolicyFormat, (text: string, opts: ParseOptions) => PolicyDocument>> = {
  'suse-severities': parseSuseSeverities,
  'debian-ignore-changes': parseDebianIgnoreChanges,
  'kabi-policy': parseKabiPolicy,
};

/** Parses a policy in the given format, or in the one its content shows (see detectPolicyFormat). */
export function parsePolicy(text: string, opts: { source: string; format?: PolicyFormat }): PolicyDocument {
  let format = opts.format;
  if (format === undefined) {
    // Before detection, so that binary input is reported as such rather than as a malformed policy.
    checkText(text, opts.source, EXPECTED);
    const detected = detectPolicyFormat(text);
    if (detected === null) throw noRulesError(opts.source, EXPECTED);
    format = detected;
  }
  return PARSERS[format](text, { source: opts.source });
}
