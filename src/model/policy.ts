import type { ChangeKind, Severity } from './change.js';
import type { Stablelist } from './stablelist.js';

/** What a rule's pattern is matched against. */
export type RuleTarget = 'symbol' | 'module' | 'namespace';

export interface PolicyRule {
  target: RuleTarget;
  /** The pattern as written, for reports. */
  pattern: string;
  /** The compiled pattern: whole-string match. */
  matcher: RegExp;
  severity: Severity;
  /**
   * The change kinds the rule applies to. null: every breaking change, and any change when the
   * severity is `ignore` (a rule never turns a harmless change into a failure unless it names its kind).
   */
  kinds: ChangeKind[] | null;
  /** Where the rule was written, e.g. `kabi/severities:14`. */
  origin: string;
}

/** Ordered rules (first match wins, as in SUSE's severities and Debian's ignore-changes) and stablelists. */
export interface Policy {
  name: string;
  rules: PolicyRule[];
  /** With stablelists, only protected symbols can fail; other changes are capped at `warn` ("mutable"). */
  stablelists: Stablelist[];
  /** Severity of changes that no rule matches; see DEFAULT_SEVERITIES. */
  defaults: DefaultSeverities;
}

export interface DefaultSeverities {
  /** Breaking changes: removal, CRC change, GPL tightening, namespace added or changed. */
  breaking: Severity;
  /** Harmless changes: addition, move, GPL loosening, namespace dropped. */
  harmless: Severity;
}

export const DEFAULT_SEVERITIES: DefaultSeverities = { breaking: 'fail', harmless: 'warn' };
