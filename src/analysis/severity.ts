// The severity pass: gives each change a severity from a policy's ordered rules (first match wins, as
// in SUSE's kabi/severities and Debian's ignore-changes), the defaults, and the stablelists.
import type { Change, JudgedChange, Severity } from '../model/change.js';
import type { Export } from '../model/export.js';
import { DEFAULT_SEVERITIES, type Policy, type PolicyRule } from '../model/policy.js';

export const DEFAULT_POLICY: Policy = {
  name: 'default',
  rules: [],
  stablelists: [],
  defaults: DEFAULT_SEVERITIES,
};

export function judgeChanges(changes: readonly Change[], policy: Policy = DEFAULT_POLICY): JudgedChange[] {
  return changes.map((c) => judgeChange(c, policy));
}

export function judgeChange(change: Change, policy: Policy): JudgedChange {
  const rule = policy.rules.find((r) => ruleApplies(r, change));
  let severity: Severity;
  let origin: string;
  if (rule) {
    severity = rule.severity;
    origin = rule.origin;
  } else {
    severity = change.breaking ? policy.defaults.breaking : policy.defaults.harmless;
    origin = 'default';
  }
  let isProtected: boolean | null = null;
  if (policy.stablelists.length > 0) {
    const list = policy.stablelists.find((s) => s.symbols.has(change.symbol));
    isProtected = list !== undefined;
    // Only protected symbols can fail; the others are "mutable": reported, never hidden, never fatal.
    if (!isProtected && severity === 'fail') {
      severity = 'warn';
      origin = `${origin}, mutable (on no stablelist)`;
    } else if (list) {
      origin = `${origin}, stablelist ${list.name}`;
    }
  }
  return {
    kind: change.kind,
    symbol: change.symbol,
    old: change.old,
    new: change.new,
    breaking: change.breaking,
    severity,
    rule: origin,
    protected: isProtected,
  };
}

function ruleApplies(rule: PolicyRule, change: Change): boolean {
  const kindOk = rule.kinds
    ? rule.kinds.includes(change.kind)
    : change.breaking || rule.severity === 'ignore';
  if (!kindOk) return false;
  switch (rule.target) {
    case 'symbol':
      return rule.matcher.test(change.symbol);
    case 'module':
      return sides(change).some((e) => e.module !== null && rule.matcher.test(e.module));
    case 'namespace':
      return sides(change).some(
        (e) => e.namespace !== null && e.namespace !== '' && rule.matcher.test(e.namespace),
      );
  }
}

function sides(change: Change): Export[] {
  const out: Export[] = [];
  if (change.old) out.push(change.old);
  if (change.new) out.push(change.new);
  return out;
}
