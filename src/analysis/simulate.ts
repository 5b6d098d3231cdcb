// What a kABI policy would have cost (oEEP-0009's four candidates), replayed over a real series of builds.
// A policy cuts the series into spans; within a span the kABI is frozen at the span's first build, so
// every removal or CRC change a later build of the span made would have been refused (kept out, or
// backported with a kABI fixup); at a span's first build the changes since the previous span's frozen
// kABI are let through. A corpus package needs a rebuild at each span start where one of its imports was
// let through changed; to keep it loading within a span, the distribution must keep stable the imports
// the span exports (the stablelist the corpus needs).
//
//   strict  one span: no kABI change ever
//   lts     a span per LTS: changes only where the `stream` label changes or at an --lts-boundary build
//   sp      a span per service pack: changes at each --boundary build (and at each LTS boundary)
//   none    a span per build: every update may change the kABI (what really happened)
import { UsageError } from '../errors.js';
import type { Export } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { labelOf } from '../model/labels.js';
import type { ModuleImage } from '../model/module-image.js';
import { KERNEL_EXPECTED, MODULES_EXPECTED, requireSome } from './nothing-to-judge.js';
import { orderBuilds, type SeriesOrdering } from './series-order.js';
import { type BuildRef, buildRefs } from './series-stats.js';

export const SIMULATE_POLICIES = ['strict', 'lts', 'sp', 'none'] as const;
export type SimulatePolicy = (typeof SIMULATE_POLICIES)[number];

/** `LABEL=VALUE` (`*` matches any run): a build where a span begins. */
export interface Boundary {
  label: string;
  value: string;
}

export interface SimulateOptions {
  /** Default: all four (sp only when `boundaries` are given). */
  policies?: readonly SimulatePolicy[];
  /** Service-pack boundaries (sp). */
  boundaries?: readonly Boundary[];
  /** LTS boundaries beyond the builds where the `stream` label changes (lts, sp). */
  ltsBoundaries?: readonly Boundary[];
  by?: string;
}

export interface SimulateSpan {
  first: number;
  last: number;
  /** Distinct symbols of the frozen kABI that a later build of the span removed or gave a new CRC. */
  refused: number;
  /** Of those, symbols the corpus imports. */
  refusedConsumed: number;
  /** Symbols added within the span (additions break nothing: let through). */
  added: number;
  /** At the span's first build: frozen kABI of the previous span → this build, removed or new CRC. */
  letThrough: number;
  letThroughConsumed: number;
  /** Corpus imports this span's builds export: the stablelist the corpus needs here. */
  stablelist: number;
  /** Packages that need a rebuild at the span's first build. */
  rebuilds: number;
}

export interface SimulatePackage {
  name: string;
  modules: number;
  /** Distinct symbols its modules import. */
  imports: number;
  /** Rebuilds under each policy, in the order of `policies`. */
  rebuilds: number[];
}

export interface SimulatePolicyResult {
  policy: SimulatePolicy;
  spans: SimulateSpan[];
  refused: number;
  refusedConsumed: number;
  letThrough: number;
  letThroughConsumed: number;
  added: number;
  rebuilds: number;
  maxRebuilds: number;
  /** The largest stablelist a span needs. */
  stablelist: number;
}

export interface Simulation {
  ordering: SeriesOrdering;
  builds: BuildRef[];
  boundaries: string[];
  ltsBoundaries: string[];
  modules: number;
  consumed: number;
  policies: SimulatePolicyResult[];
  packages: SimulatePackage[];
}

export function parseBoundary(text: string): Boundary {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`boundary "${text}": expected LABEL=VALUE (e.g. release=6.1.0-53)`);
  return { label: text.slice(0, eq), value: text.slice(eq + 1) };
}

function matches(b: KernelBuild, x: Boundary): boolean {
  const v = labelOf(b.labels, x.label);
  if (v === undefined) return false;
  const parts = x.value.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(v);
}

/** Indices where a span starts (0 always) under a policy. */
function spanStarts(
  ordered: readonly KernelBuild[],
  policy: SimulatePolicy,
  sp: readonly Boundary[],
  lts: readonly Boundary[],
): number[] {
  const starts = [0];
  for (let i = 1; i < ordered.length; i++) {
    const b = ordered[i]!;
    const ltsStart =
      (b.labels.stream ?? null) !== (ordered[i - 1]!.labels.stream ?? null) || lts.some((x) => matches(b, x));
    const spStart = ltsStart || sp.some((x) => matches(b, x));
    if (policy === 'none' || (policy === 'lts' && ltsStart) || (policy === 'sp' && spStart)) starts.push(i);
  }
  return starts;
}

/** Removed, or a new CRC (both known): what stops a module built against `o` from loading. */
function breaks(o: Export, n: Export | undefined): boolean {
  return n === undefined || (o.crc !== null && n.crc !== null && o.crc !== n.crc);
}

function changedBetween(a: KernelBuild, b: KernelBuild): Set<string> {
  const out = new Set<string>();
  for (const o of a.exports.values()) if (breaks(o, b.exports.get(o.symbol))) out.add(o.symbol);
  return out;
}

export function simulate(
  builds: readonly KernelBuild[],
  modules: readonly ModuleImage[],
  opts: SimulateOptions = {},
): Simulation {
  requireSome(builds.length, 'the series', 'kernel builds', `stored builds, each ${KERNEL_EXPECTED}`);
  requireSome(modules.length, 'the corpus', 'kernel modules', MODULES_EXPECTED);
  const sp = opts.boundaries ?? [];
  // sp needs its boundaries: without them the default compares the other three.
  const policies = opts.policies ?? SIMULATE_POLICIES.filter((p) => p !== 'sp' || sp.length > 0);
  const lts = opts.ltsBoundaries ?? [];
  if (policies.includes('sp') && sp.length === 0)
    throw new UsageError('policy sp needs --boundary LABEL=VALUE: the builds where a service pack begins');
  const { builds: ordered, ordering } = orderBuilds(builds, opts.by);
  for (const x of [...sp, ...lts])
    if (!ordered.some((b) => matches(b, x)))
      throw new UsageError(`boundary ${x.label}=${x.value} matches no build of the series`);
  // Packages: a kmod package's modules are rebuilt together.
  const pkgs = new Map<string, { modules: number; imports: Set<string> }>();
  for (const m of modules) {
    const name = m.package?.name ?? m.name;
    const p = pkgs.get(name) ?? { modules: 0, imports: new Set<string>() };
    p.modules++;
    for (const i of m.imports) p.imports.add(i.symbol);
    pkgs.set(name, p);
  }
  const consumed = new Set([...pkgs.values()].flatMap((p) => [...p.imports]));
  const perPackage = [...pkgs.keys()].map(() => [] as number[]);
  const results = policies.map((policy): SimulatePolicyResult => {
    const starts = spanStarts(ordered, policy, sp, lts);
    const counts = [...pkgs.keys()].map(() => 0);
    const spans = starts.map((first, k): SimulateSpan => {
      const last = (starts[k + 1] ?? ordered.length) - 1;
      const frozen = ordered[first]!;
      const refusedSet = new Set<string>();
      const addedSet = new Set<string>();
      const exported = new Set<string>();
      for (let i = first; i <= last; i++) {
        const b = ordered[i]!;
        if (i > first) {
          for (const o of frozen.exports.values())
            if (breaks(o, b.exports.get(o.symbol))) refusedSet.add(o.symbol);
          for (const s of b.exports.keys()) if (!frozen.exports.has(s)) addedSet.add(s);
        }
        for (const s of consumed) if (b.exports.has(s)) exported.add(s);
      }
      const let_ = k === 0 ? new Set<string>() : changedBetween(ordered[starts[k - 1]!]!, frozen);
      let rebuilds = 0;
      [...pkgs.values()].forEach((p, j) => {
        if (k > 0 && [...p.imports].some((s) => let_.has(s))) {
          rebuilds++;
          counts[j]!++;
        }
      });
      return {
        first,
        last,
        refused: refusedSet.size,
        refusedConsumed: [...refusedSet].filter((s) => consumed.has(s)).length,
        added: addedSet.size,
        letThrough: let_.size,
        letThroughConsumed: [...let_].filter((s) => consumed.has(s)).length,
        stablelist: exported.size,
        rebuilds,
      };
    });
    counts.forEach((n, j) => {
      perPackage[j]!.push(n);
    });
    const sum = (f: (s: SimulateSpan) => number) => spans.reduce((n, s) => n + f(s), 0);
    return {
      policy,
      spans,
      refused: sum((s) => s.refused),
      refusedConsumed: sum((s) => s.refusedConsumed),
      letThrough: sum((s) => s.letThrough),
      letThroughConsumed: sum((s) => s.letThroughConsumed),
      added: sum((s) => s.added),
      rebuilds: sum((s) => s.rebuilds),
      maxRebuilds: Math.max(0, ...counts),
      stablelist: Math.max(0, ...spans.map((s) => s.stablelist)),
    };
  });
  const show = (x: Boundary) => `${x.label}=${x.value}`;
  return {
    ordering,
    builds: buildRefs(ordered),
    boundaries: sp.map(show),
    ltsBoundaries: lts.map(show),
    modules: modules.length,
    consumed: consumed.size,
    policies: results,
    packages: [...pkgs].map(([name, p], j) => ({
      name,
      modules: p.modules,
      imports: p.imports.size,
      rebuilds: perPackage[j]!,
    })),
  };
}
