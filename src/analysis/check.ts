// The build gate: diff + severity pass + verdict, with exit codes after libabigail's abidiff
// (bit 4: ABI changed, bit 8: incompatible) and Mandriva's ABI-version bump.
import { emptyKindCounts, type JudgedChange, KIND_COUNT_KEY, type KindCounts } from '../model/change.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { Policy } from '../model/policy.js';
import { diffExports } from './exports-diff.js';
import { requireComparable } from './nothing-to-judge.js';
import { DEFAULT_POLICY, judgeChanges } from './severity.js';

export const EXIT = { ok: 0, error: 1, usage: 2, abiChanged: 4, incompatible: 8 } as const;

export interface DiffSummary extends KindCounts {
  fail: number;
  warn: number;
  ignore: number;
}

export interface BuildInfo {
  source: string;
  format: string;
  exports: number;
}

/** `unchanged`: no change the policy does not ignore; `compatible`: only warnings; `incompatible`: a failure. */
export type DiffVerdict = 'unchanged' | 'compatible' | 'incompatible';

export interface DiffReport {
  old: BuildInfo;
  new: BuildInfo;
  policy: string;
  summary: DiffSummary;
  verdict: DiffVerdict;
  /** 0, 4 (changed, compatible) or 12 (4|8, incompatible). */
  exitCode: number;
  changes: JudgedChange[];
  /** Present when the caller gave the current ABI version number. */
  abiVersion?: AbiVersionVerdict;
  warnings: string[];
}

export interface AbiVersionVerdict {
  current: number;
  mustBump: boolean;
  next: number;
}

export function summarizeChanges(changes: readonly JudgedChange[]): DiffSummary {
  const s: DiffSummary = { ...emptyKindCounts(), fail: 0, warn: 0, ignore: 0 };
  for (const c of changes) {
    s[KIND_COUNT_KEY[c.kind]]++;
    s[c.severity]++;
  }
  return s;
}

export interface CompareOptions {
  policy?: Policy;
  /** The ABI version number of `old` (Mandriva's `abi --check`, Debian/Ubuntu ABI names). */
  abiVersion?: number;
}

/** A failing change makes the builds incompatible; a warning only says the ABI changed. */
export function verdictOf(summary: DiffSummary): { verdict: DiffVerdict; exitCode: number } {
  const verdict: DiffVerdict =
    summary.fail > 0 ? 'incompatible' : summary.warn > 0 ? 'compatible' : 'unchanged';
  const exitCode =
    verdict === 'incompatible'
      ? EXIT.abiChanged | EXIT.incompatible
      : verdict === 'compatible'
        ? EXIT.abiChanged
        : EXIT.ok;
  return { verdict, exitCode };
}

export function compareBuilds(old: KernelBuild, next: KernelBuild, opts: CompareOptions = {}): DiffReport {
  requireComparable(old, next);
  const policy = opts.policy ?? DEFAULT_POLICY;
  const changes = judgeChanges(diffExports(old, next), policy);
  const summary = summarizeChanges(changes);
  const { verdict, exitCode } = verdictOf(summary);
  const report: DiffReport = {
    old: info(old),
    new: info(next),
    policy: policy.name,
    summary,
    verdict,
    exitCode,
    changes,
    warnings: [...old.warnings, ...next.warnings],
  };
  if (opts.abiVersion !== undefined) {
    // Additions and other tolerated changes keep the ABI: modules built for it still load.
    const mustBump = verdict === 'incompatible';
    report.abiVersion = {
      current: opts.abiVersion,
      mustBump,
      next: mustBump ? opts.abiVersion + 1 : opts.abiVersion,
    };
  }
  return report;
}

function info(b: KernelBuild): BuildInfo {
  return { source: b.source, format: b.format, exports: b.exports.size };
}
