// What changed in a kernel's kfuncs: added, removed, prototype changed, flags changed, moved to or from a
// module. The kernel promises no stability for kfuncs (Documentation/bpf/kfuncs.rst), so this is the only
// record of what a BPF program that calls them meets from one build to the next.
import type { KernelBuild } from '../model/kernel-build.js';
import { compareKfuncs, type Kfunc, type KfuncList, kfFlagNames } from '../model/kfunc.js';
import { orderBuilds, type SeriesOrdering } from './series-order.js';

/**
 * - `removed`, `prototype-changed` (the types differ): a BPF program that calls it no longer loads;
 * - `flags-changed`: the verifier's rules for it changed (KF_ACQUIRE, KF_RET_NULL, KF_SLEEPABLE, ...);
 * - `prog-types-changed`: the program types that may call it changed (both sides read from source);
 * - `params-renamed`: only parameter names differ (harmless, but shown: names carry `__sz`, `__k` suffixes
 *   the verifier reads);
 * - `moved`: another module (or vmlinux) offers it now.
 */
export type KfuncChangeKind =
  | 'added'
  | 'removed'
  | 'prototype-changed'
  | 'params-renamed'
  | 'flags-changed'
  | 'prog-types-changed'
  | 'moved';

export const KFUNC_CHANGE_KINDS: readonly KfuncChangeKind[] = [
  'removed',
  'prototype-changed',
  'prog-types-changed',
  'flags-changed',
  'moved',
  'params-renamed',
  'added',
];

export interface KfuncChange {
  kind: KfuncChangeKind;
  name: string;
  old: Kfunc | null;
  new: Kfunc | null;
  /** For flags-changed: KF_* names set in new but not old, and the reverse. */
  flagsAdded?: string[];
  flagsRemoved?: string[];
  /** For prog-types-changed: program types that may call it in new but not old, and the reverse. */
  progTypesAdded?: string[];
  progTypesRemoved?: string[];
}

export interface KfuncSide {
  label: string;
  method: KfuncList['method'];
  count: number;
}

export interface KfuncDiff {
  old: KfuncSide;
  new: KfuncSide;
  changes: KfuncChange[];
  summary: Record<KfuncChangeKind, number>;
  /** Flags were compared only where both sides know them (not for decl tags alone). */
  flagsCompared: boolean;
  /** Program types were compared: both sides were read with their kernel's source. */
  progTypesCompared: boolean;
}

function emptySummary(): Record<KfuncChangeKind, number> {
  return {
    added: 0,
    removed: 0,
    'prototype-changed': 0,
    'params-renamed': 0,
    'flags-changed': 0,
    'prog-types-changed': 0,
    moved: 0,
  };
}

function side(label: string, list: KfuncList): KfuncSide {
  return { label, method: list.method, count: list.kfuncs.length };
}

export function diffKfuncs(
  a: KfuncList,
  b: KfuncList,
  labels: [string, string] = [a.release ?? a.source, b.release ?? b.source],
): KfuncDiff {
  const before = new Map(a.kfuncs.map((k) => [k.name, k]));
  const after = new Map(b.kfuncs.map((k) => [k.name, k]));
  const changes: KfuncChange[] = [];
  let flagsCompared = false;
  for (const [name, o] of before) {
    const n = after.get(name);
    if (!n) {
      changes.push({ kind: 'removed', name, old: o, new: null });
      continue;
    }
    if (o.signature !== n.signature) changes.push({ kind: 'prototype-changed', name, old: o, new: n });
    else if (o.prototype !== n.prototype) changes.push({ kind: 'params-renamed', name, old: o, new: n });
    if (o.flags !== null && n.flags !== null) {
      flagsCompared = true;
      if (o.flags !== n.flags) {
        const was = new Set(kfFlagNames(o.flags));
        const is = new Set(kfFlagNames(n.flags));
        changes.push({
          kind: 'flags-changed',
          name,
          old: o,
          new: n,
          flagsAdded: [...is].filter((f) => !was.has(f)),
          flagsRemoved: [...was].filter((f) => !is.has(f)),
        });
      }
    }
    if (o.progTypes && n.progTypes && o.progTypes.join() !== n.progTypes.join()) {
      const added = n.progTypes.filter((t) => !o.progTypes!.includes(t));
      const removed = o.progTypes.filter((t) => !n.progTypes!.includes(t));
      changes.push({
        kind: 'prog-types-changed',
        name,
        old: o,
        new: n,
        progTypesAdded: added,
        progTypesRemoved: removed,
      });
    }
    if (o.module !== n.module) changes.push({ kind: 'moved', name, old: o, new: n });
  }
  for (const [name, n] of after)
    if (!before.has(name)) changes.push({ kind: 'added', name, old: null, new: n });
  const order = (c: KfuncChange) => KFUNC_CHANGE_KINDS.indexOf(c.kind);
  changes.sort((x, y) => order(x) - order(y) || compareKfuncs((x.new ?? x.old)!, (y.new ?? y.old)!));
  const summary = emptySummary();
  for (const c of changes) summary[c.kind]++;
  const progTypesCompared = a.progTypesFrom !== undefined && b.progTypesFrom !== undefined;
  return {
    old: side(labels[0], a),
    new: side(labels[1], b),
    changes,
    summary,
    flagsCompared,
    progTypesCompared,
  };
}

/**
 * As `kabi check`: 12 when a kfunc was removed, its types changed or a program type lost it, 4 for any
 * other change, else 0.
 */
export function kfuncDiffExitCode(d: KfuncDiff): number {
  if (d.summary.removed + d.summary['prototype-changed'] > 0) return 12;
  // A program type that may no longer call it: programs of that type stop loading.
  if (d.changes.some((c) => (c.progTypesRemoved?.length ?? 0) > 0)) return 12;
  return d.changes.length > 0 ? 4 : 0;
}

/** One build of a series: its labels (for ordering) and its kfuncs. */
export interface KfuncPoint {
  label: string;
  labels: Record<string, string>;
  list: KfuncList;
}

export interface KfuncSeries {
  ordering: SeriesOrdering;
  builds: { label: string; method: KfuncList['method']; count: number }[];
  /** Step i compares builds[i] with builds[i + 1]. */
  steps: KfuncDiff[];
  /** Kfuncs present in every build, unchanged in prototype and flags from first to last. */
  stable: number;
  /** Distinct kfunc names seen anywhere in the series. */
  seen: number;
  /** One row per kfunc seen: its history across the series, in build order. */
  stability: KfuncStability[];
  stabilitySummary: Record<KfuncStabilityClass, number>;
}

/**
 * What a BPF program calling the kfunc met across the series, worst first:
 * - `removed`: gone by the last build; `intermittent`: missing from some build between its first and last;
 * - `prototype-changed`: its types changed at some step (programs compiled before no longer load);
 * - `prog-types-changed`: the program types that may call it changed (known with the kernels' source);
 * - `flags-changed`: the verifier's rules for it changed (KF_*), types unchanged;
 * - `added`: appeared after the first build, unchanged since;
 * - `compatible`: in every build with the same types and flags, but parameters renamed or it moved module;
 * - `stable`: in every build, nothing changed.
 */
export type KfuncStabilityClass =
  | 'removed'
  | 'intermittent'
  | 'prototype-changed'
  | 'prog-types-changed'
  | 'flags-changed'
  | 'added'
  | 'compatible'
  | 'stable';

export const KFUNC_STABILITY_CLASSES: readonly KfuncStabilityClass[] = [
  'removed',
  'intermittent',
  'prototype-changed',
  'prog-types-changed',
  'flags-changed',
  'added',
  'compatible',
  'stable',
];

export interface KfuncStability {
  name: string;
  class: KfuncStabilityClass;
  /** Labels of the first and last build that offer it, and how many builds do. */
  first: string;
  last: string;
  present: number;
  /** Distinct signatures it had (1 when its types never changed). */
  signatures: number;
  /** Its changes, each with the build it appeared in (removals and additions included). */
  changes: { in: string; kind: KfuncChangeKind }[];
  /** The kfunc as the last build that offers it has it. */
  latest: Kfunc;
}

function stabilityOf(sorted: KfuncPoint[], steps: KfuncDiff[]): KfuncStability[] {
  const rows = new Map<string, KfuncStability & { seenAt: number[]; sigs: Set<string> }>();
  sorted.forEach((p, i) => {
    for (const k of p.list.kfuncs) {
      let r = rows.get(k.name);
      if (!r) {
        r = {
          name: k.name,
          class: 'stable',
          first: p.label,
          last: p.label,
          present: 0,
          signatures: 0,
          changes: [],
          latest: k,
          seenAt: [],
          sigs: new Set(),
        };
        rows.set(k.name, r);
      }
      r.last = p.label;
      r.latest = k;
      r.present++;
      r.seenAt.push(i);
      r.sigs.add(k.signature);
    }
  });
  for (const d of steps)
    for (const c of d.changes) rows.get(c.name)!.changes.push({ in: d.new.label, kind: c.kind });
  const lastIndex = sorted.length - 1;
  const out: KfuncStability[] = [];
  for (const { seenAt, sigs, ...r } of rows.values()) {
    const kinds = new Set(r.changes.map((c) => c.kind));
    const contiguous = seenAt[seenAt.length - 1]! - seenAt[0]! + 1 === seenAt.length;
    r.signatures = sigs.size;
    if (seenAt[seenAt.length - 1] !== lastIndex) r.class = 'removed';
    else if (!contiguous) r.class = 'intermittent';
    else if (kinds.has('prototype-changed')) r.class = 'prototype-changed';
    else if (kinds.has('prog-types-changed')) r.class = 'prog-types-changed';
    else if (kinds.has('flags-changed')) r.class = 'flags-changed';
    else if (seenAt[0] !== 0) r.class = 'added';
    else if (r.changes.length > 0) r.class = 'compatible';
    out.push(r);
  }
  const order = (r: KfuncStability) => KFUNC_STABILITY_CLASSES.indexOf(r.class);
  return out.sort((x, y) => order(x) - order(y) || compareKfuncs(x.latest, y.latest));
}

/** Orders the builds as `kabi series` does (date, else Debian version) and diffs each step. */
export function kfuncSeries(points: KfuncPoint[], by?: string): KfuncSeries {
  const asBuilds: KernelBuild[] = points.map((p, i) => ({
    source: p.label,
    format: 'module-symvers',
    labels: { ...p.labels, __index: String(i) },
    exports: new Map(),
    warnings: [],
  }));
  const ordered = orderBuilds(asBuilds, by);
  const sorted = ordered.builds.map((b) => points[Number(b.labels.__index)]!);
  const steps: KfuncDiff[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const x = sorted[i]!;
    const y = sorted[i + 1]!;
    steps.push(diffKfuncs(x.list, y.list, [x.label, y.label]));
  }
  const stability = stabilityOf(sorted, steps);
  const names = new Set(sorted.flatMap((p) => p.list.kfuncs.map((k) => k.name)));
  const touched = new Set(steps.flatMap((s) => s.changes.map((c) => c.name)));
  const everywhere = [...names].filter((n) => sorted.every((p) => p.list.kfuncs.some((k) => k.name === n)));
  return {
    ordering: ordered.ordering,
    builds: sorted.map((p) => ({ label: p.label, method: p.list.method, count: p.list.kfuncs.length })),
    steps,
    stable: everywhere.filter((n) => !touched.has(n)).length,
    seen: names.size,
    stability,
    stabilitySummary: Object.fromEntries(
      KFUNC_STABILITY_CLASSES.map((c) => [c, stability.filter((r) => r.class === c).length]),
    ) as Record<KfuncStabilityClass, number>,
  };
}
