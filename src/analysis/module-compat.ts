// Loader-exact verdicts: would `modprobe MODULE` succeed on a kernel? Follows kernel/module/main.c and
// kernel/module/version.c (6.x): modprobe loads `depends` first; then check_modstruct_version
// (module_layout's CRC, while the kernel exports it), check_modinfo (vermagic: with __versions only the
// part after the release must match, without them the whole string), and simplify_symbols for every
// needed symbol: find_symbol (GPL-only exports are invisible to modules whose licence is not
// GPL-compatible), check_version (CRC), verify_namespace_is_imported.
import type { Export } from '../model/export.js';
import { isGplCompatible, isGplOnly } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import type { LoaderProfile } from '../model/loader-profile.js';
import {
  type ModuleIdentity,
  type ModuleImage,
  moduleIdentity,
  packageLabel,
  vermagicRelease,
} from '../model/module-image.js';
import type { Reason, Verdict } from '../model/verdict.js';
import { RowsExports } from './module-compat-builds.js';

export { kernelBuildsOfRows } from './module-compat-builds.js';

import { applyLoaderRulesIn, type ModuleFacts, moduleFacts } from './loader-rules.js';
import {
  type CompactReasons,
  type ImportResolver,
  type NeededImport,
  type ReasonItem,
  symbolItem,
} from './module-compat-reasons.js';
import {
  BY_MODULE,
  EXPORTED,
  GPL_ONLY,
  type KernelView,
  kernelView,
  ODD,
  symbolGeneration,
  symbolIdOf,
  symbolIdsOf,
} from './module-compat-symbols.js';
import { KernelVerdicts, layoutMessage } from './module-compat-table.js';
import { MODULES_EXPECTED, requireExports, requireSome } from './nothing-to-judge.js';

const STOPS = new Set([
  'dependency-missing',
  'dependency-fails',
  'dependency-cycle',
  'module-layout',
  'vermagic',
  'no-vermagic',
  'unsigned',
]);

/** A kernel as the loader sees it. */
export interface CompatTarget {
  name: string;
  build: KernelBuild;
  /** vermagic of the kernel (from its in-tree modules); null when unknown (a Module.symvers has none). */
  vermagic: string | null;
  /** Names of its loadable modules (KBUILD_MODNAME, `_` for `-`) and of those built into vmlinux. */
  modules: Set<string>;
  /** How its loader was built (CONFIG_MODVERSIONS, MODULE_FORCE_LOAD, MODULE_SIG_FORCE, ...); absent: unknown. */
  profile?: LoaderProfile | null;
}

export const moduleName = (s: string) =>
  s
    .replace(/^.*\//, '')
    .replace(/\.ko(\.(xz|gz|zst))?$/, '')
    .replace(/-/g, '_');

const crcsByBuild = new WeakMap<KernelBuild, boolean>();

const remember = (build: KernelBuild, crcs: boolean) => {
  crcsByBuild.set(build, crcs);
  return crcs;
};

/** Whether the kernel was built with modversions: asked once per build, not once per module. */
export function hasCrcs(build: KernelBuild): boolean {
  let known = crcsByBuild.get(build);
  if (known === undefined) {
    known = false;
    const { exports } = build;
    if (exports instanceof RowsExports) {
      const { crc, hasCrc } = exports.table.rows;
      const { rows } = exports;
      for (let k = 0; k < rows.length; k++)
        if (hasCrc[rows[k]!] === 1 && crc[rows[k]!] !== 0) return remember(build, true);
      return remember(build, false);
    }
    for (const e of exports.values()) {
      if (e.crc !== null && e.crc !== 0) {
        known = true;
        break;
      }
    }
    crcsByBuild.set(build, known);
  }
  return known;
}

/** Target module names from a build's exporting modules (all a Module.symvers can tell). */
export function modulesOfBuild(build: KernelBuild): Set<string> {
  const out = new Set<string>();
  const { exports } = build;
  if (exports instanceof RowsExports) {
    // One name per interned module number, not one Export object per row.
    const { module } = exports.table.rows;
    const seen = new Set<number>();
    // An index loop: a for-of over a typed array allocates a result per row until it is optimised.
    const { rows } = exports;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!;
      if (module[row] === 0 || seen.has(module[row]!)) continue;
      seen.add(module[row]!);
      const name = exports.table.exportAt(row).module;
      if (name && name !== 'vmlinux') out.add(moduleName(name));
    }
    return out;
  }
  for (const e of build.exports.values())
    if (e.module && e.module !== 'vmlinux') out.add(moduleName(e.module));
  return out;
}

/** How a set is judged; rules for the kernel's configuration plug in here. */
export interface VerdictOptions {
  /**
   * Whether the kernel's own loadable modules take part in the resolution (modprobe's view: their names
   * satisfy `depends`, their exports resolve imports). Default true; false: only vmlinux (and what is
   * built into it) and the modules installed together.
   */
  kernelModules?: boolean;
}

/**
 * Modules installed together, as DKMS or a package manager installs them for one kernel: those of one
 * package (the modules given alone count as one) built for the same kernel release. Others never resolve
 * each other: three v4l2loopback.ko built for three kernels are three installs, not one.
 */
export function installGroups(set: readonly ModuleImage[]): ModuleImage[][] {
  const groups = new Map<string, ModuleImage[]>();
  for (const m of set) {
    const key = `${m.package ? packageLabel(m.package) : ''}\0${vermagicRelease(m.vermagic) ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()];
}

/** One install on one kernel: what a module of it can resolve. */
class Install {
  private resolver: ViewResolver;
  constructor(
    readonly target: CompatTarget,
    readonly kernelModules: boolean,
    /** Exports of the modules installed together. */
    readonly own: ReadonlyMap<string, Export>,
    /** The modules installed together, by name (the first of a name wins, as modprobe's search does). */
    readonly byName: ReadonlyMap<string, Member>,
  ) {
    this.resolver = new ViewResolver(kernelView(target.build.exports), this);
    this.kernelHasCrcs = hasCrcs(target.build);
  }
  /** Whether the kernel's exports carry CRCs (modversions), asked once per install on a kernel. */
  readonly kernelHasCrcs: boolean;
  /** The kernel's exports by symbol number, in the numbering of now. */
  kernel(): ViewResolver {
    if (this.resolver.view.generation !== symbolGeneration())
      this.resolver = new ViewResolver(kernelView(this.target.build.exports), this);
    return this.resolver;
  }
  readonly lookup = (s: string): Export | undefined => kernelExport(this, s) ?? this.own.get(s);
}

/** Where an install's imports bind, in one numbering of symbols (verdicts keep it to read reasons later). */
class ViewResolver implements ImportResolver {
  constructor(
    readonly view: KernelView,
    private readonly install: Install,
  ) {}
  resolve(id: number, symbol: string): Export | undefined {
    const { view } = this;
    const f = id < view.flags.length ? view.flags[id]! : 0;
    if ((f & EXPORTED) !== 0 && (this.install.kernelModules || (f & BY_MODULE) === 0))
      return view.exportAt(id);
    return this.install.own.get(symbol);
  }
}

/** A module of an install, with what judging it needs; `slot`: its place in the install's verdicts. */
interface Member {
  m: ModuleImage;
  plan: Plan;
  slot: number;
  /** The member each of plan.depends names (undefined: none of the install), found once per set. */
  deps: (Member | undefined)[];
}

interface InstallGroup {
  /** Each module once (the same image given twice is judged once), in the set's order. */
  members: Member[];
  own: Map<string, Export>;
  byName: Map<string, Member>;
}

/** A set's installs, worked out once per set: the CLI judges the same set on every kernel. */
interface SetInstalls {
  set: readonly ModuleImage[];
  groups: InstallGroup[];
  /** For each module of the set, its group and slot. */
  where: { group: number; slot: number }[];
}

const installsBySet = new WeakMap<readonly ModuleImage[], SetInstalls>();

function installsOf(set: readonly ModuleImage[]): SetInstalls {
  const known = installsBySet.get(set);
  if (known && known.set.length === set.length && known.set.every((m, i) => set[i] === m)) return known;
  const slotOf = new Map<ModuleImage, { group: number; slot: number }>();
  const groups = installGroups(set).map((modules, group): InstallGroup => {
    const own = new Map<string, Export>();
    for (const m of modules) for (const e of m.exports) if (!own.has(e.symbol)) own.set(e.symbol, e);
    const members: Member[] = [];
    const byName = new Map<string, Member>();
    for (const m of modules) {
      if (slotOf.has(m)) continue;
      const member: Member = { m, plan: planOf(m), slot: members.length, deps: [] };
      slotOf.set(m, { group, slot: member.slot });
      members.push(member);
      if (!byName.has(m.name)) byName.set(m.name, member);
    }
    for (const member of members) member.deps = member.plan.depends.map((d) => byName.get(d));
    return { members, own, byName };
  });
  const out = { set: [...set], groups, where: set.map((m) => slotOf.get(m)!) };
  installsBySet.set(set, out);
  return out;
}

/**
 * Verdicts for a set of modules on one kernel, in the set's order. The modules of one install (see
 * installGroups) are judged as modprobe installs them: in `depends` order, each resolving the exports of
 * those loaded before it (with the same CRC, GPL and namespace checks as the kernel's).
 */
export function moduleVerdicts(
  set: readonly ModuleImage[],
  target: CompatTarget,
  options: VerdictOptions = {},
): Verdict[] {
  return kernelVerdicts(set, target, options).verdicts();
}

/** moduleVerdicts as typed arrays (module-compat-table.ts): what the CLI's writers read. */
export function kernelVerdicts(
  set: readonly ModuleImage[],
  target: CompatTarget,
  options: VerdictOptions = {},
): KernelVerdicts {
  requireSome(set.length, `the modules judged on ${target.name}`, 'kernel modules', MODULES_EXPECTED);
  requireExports(target.build, target.name);
  const { groups, where } = installsOf(set);
  const bases: number[] = [];
  let slots = 0;
  for (const g of groups) {
    bases.push(slots);
    slots += g.members.length;
  }
  const table = new KernelVerdicts(target.name, slots);
  const scratch: Scratch = { pending: [], depth: 0, chain: [], inChain: new Set() };
  for (const [i, { members, own, byName }] of groups.entries()) {
    const install = new Install(target, options.kernelModules ?? true, own, byName);
    const memo: Memo = { table, base: bases[i]! };
    for (const member of members) judge(member, install, memo, scratch);
  }
  const slotOf = new Int32Array(where.length);
  for (let i = 0; i < where.length; i++) slotOf[i] = bases[where[i]!.group]! + where[i]!.slot;
  table.place(slotOf);
  return table;
}

/** The verdicts of one install's members: slot `base + member.slot` of the kernel's table. */
interface Memo {
  table: KernelVerdicts;
  base: number;
}

/**
 * The lists judge works in, reused from module to module (each is empty again once a module is judged).
 * `pending[d]` is the record of depth d, kept with its arrays for the next module at that depth: 44,000
 * verdicts each made a record and two arrays, and the reasons' array grew to 26 items on average.
 */
interface Scratch {
  pending: Pending[];
  depth: number;
  chain: string[];
  inChain: Set<string>;
}

/** A module whose `depends` are being judged: the next one to look at, and what they gave so far. */
interface Pending {
  member: Member;
  next: number;
  reasons: ReasonItem[];
  notes: string[];
}

/**
 * Judges a module and, first, the modules of its install it depends on, depth first as modprobe loads
 * them. Iterative, with the chain of modules being judged kept as a list and a set: `depends` is input, a
 * chain of 20,000 modules must not overflow the stack, nor cost a scan of the chain per dependency.
 */
function judge(root: Member, install: Install, memo: Memo, scratch: Scratch): void {
  if (memo.table.isJudged(memo.base + root.slot)) return;
  const { pending, chain, inChain } = scratch;
  scratch.depth = 0;
  chain.length = 0;
  inChain.clear();
  let member: Member | null = root;
  while (member !== null) {
    const reused = pending[scratch.depth];
    if (reused) {
      reused.member = member;
      reused.next = 0;
      reused.reasons.length = 0;
      reused.notes.length = 0;
    } else pending.push({ member, next: 0, reasons: [], notes: [] });
    scratch.depth++;
    chain.push(member.m.name);
    inChain.add(member.m.name);
    member = null;
    while (scratch.depth > 0) {
      const p = pending[scratch.depth - 1]!;
      member = dependencies(p, install, memo, chain, inChain);
      if (member) break;
      scratch.depth--;
      inChain.delete(chain.pop()!);
      // The table copies what it keeps of the lists (module-compat-table.ts): they are free again after.
      verdict(p.member, install, p.reasons, p.notes, memo);
    }
  }
}

/** The kernel's export of a symbol, as the install sees the kernel (with or without its modules). */
function kernelExport(install: Install, symbol: string): Export | undefined {
  const e = install.target.build.exports.get(symbol);
  if (!e || install.kernelModules || e.module === null || e.module === 'vmlinux') return e;
  return undefined;
}

/** What judging a module needs of it on every kernel, worked out once per module image. */
interface Plan {
  identity: ModuleIdentity;
  /** `depends` as module names. */
  depends: string[];
  /** The loader rules' facts of the module. */
  facts: ModuleFacts;
  needed: readonly NeededImport[];
  /** Each needed import's `__versions` CRC; -1 for none. */
  wanted: Float64Array;
  /** Its `__versions` record of module_layout, if any. */
  layout: NeededImport | undefined;
  gplOk: boolean;
  /** symbolIdsOf(needed), and the numbering it is in. */
  ids: Uint32Array | null;
  generation: number;
}

const plans = new WeakMap<ModuleImage, Plan>();

const dependsByList = new WeakMap<readonly string[], string[]>();

/** A module's `depends` as module names, once per list (a module rebuilt for another kernel shares it). */
export function dependsOf(m: ModuleImage): string[] {
  let names = dependsByList.get(m.depends);
  if (!names) {
    names = m.depends.map(moduleName);
    dependsByList.set(m.depends, names);
  }
  return names;
}

function planOf(m: ModuleImage): Plan {
  let plan = plans.get(m);
  if (!plan) {
    const facts = moduleFacts(m);
    const { needed } = facts;
    const wanted = new Float64Array(needed.length);
    for (let i = 0; i < needed.length; i++) wanted[i] = needed[i]!.crc ?? -1;
    plan = {
      identity: moduleIdentity(m),
      depends: dependsOf(m),
      facts,
      needed,
      wanted,
      layout: m.imports.find((i) => i.symbol === 'module_layout'),
      gplOk: isGplCompatible(m.license),
      ids: null,
      generation: -1,
    };
    plans.set(m, plan);
  }
  return plan;
}

/** The verdict of a module whose dependencies are judged (their reasons and notes come first). */
function verdict(member: Member, install: Install, reasons: ReasonItem[], notes: string[], memo: Memo): void {
  const { target } = install;
  const { m, plan } = member;
  const { needed, wanted, gplOk } = plan;
  let { ids } = plan;
  if (ids === null || plan.generation !== symbolGeneration()) {
    ids = symbolIdsOf(needed);
    plan.ids = ids;
    plan.generation = symbolGeneration();
  }
  const resolver = install.kernel();
  const { view } = resolver;
  const layoutId = symbolIdOf('module_layout');
  const layout = moduleLayout(m, plan.layout, view.exportAt(layoutId), reasons);
  vermagic(m, target, notes, reasons);
  const { kernelHasCrcs } = install;
  if (m.modversions === 'none' && kernelHasCrcs) {
    reasons.push({
      code: 'no-modversions',
      message: `${m.name}: no symbol versions (__versions) but the kernel checks CRCs: refused unless force-loaded`,
    });
  }
  // Each needed symbol is looked up once, by number: an import the kernel exports plainly (a CRC, no
  // namespace) is judged on the view's columns alone; the rest, and imports the install's own modules
  // export, on their Export.
  const { flags, crc } = view;
  const size = flags.length;
  const kernelModules = install.kernelModules;
  for (let i = 0; i < needed.length; i++) {
    const id = ids[i]!;
    if (id === layoutId) continue;
    const f = id < size ? flags[id]! : 0;
    if ((f & (EXPORTED | ODD)) === EXPORTED && (kernelModules || (f & BY_MODULE) === 0)) {
      if ((f & GPL_ONLY) !== 0 && !gplOk) reasons.push(symbolItem(i, 1));
      else if (wanted[i] !== -1 && crc[id] !== wanted[i]) reasons.push(symbolItem(i, 2));
      continue;
    }
    const imp = needed[i]!;
    symbol(m, i, imp.symbol, imp.crc, resolver.resolve(id, imp.symbol), gplOk, reasons, notes);
  }
  const compact: CompactReasons = { m, needed, ids, resolver, items: reasons, stop: -1, done: false };
  const facts = { lookup: install.lookup, kernelHasCrcs, context: compact, module: plan.facts };
  const rules = applyLoaderRulesIn(m, target.profile, { reasons, notes }, facts);
  // modprobe stops at a failing dependency, the loader at module_layout or vermagic: what follows would
  // show once that is fixed. Symbol errors come together (simplify_symbols reports every one).
  const items = rules.reasons;
  let stop = -1;
  for (let i = 0; i < items.length; i++) {
    const r = items[i]!;
    if (typeof r === 'number') continue;
    if (stop !== -1) r.alsoFails = true;
    else if (STOPS.has(r.code)) stop = i;
  }
  // Kept in the kernel's table as numbers (module-compat-table.ts), not as a Verdict object.
  memo.table.set(memo.base + member.slot, {
    identity: plan.identity,
    m,
    needed,
    ids,
    resolver,
    items,
    stop,
    notes: rules.notes,
    taints: items.length === 0 ? rules.taints : [],
    dependsOn: rules.dependsOn,
    layout,
  });
}

/** A dependency's first reason, as quoted in its dependents' reasons: bounded, for chains of thousands. */
const QUOTED = 2000;
const quoted = (table: KernelVerdicts, slot: number) => {
  const first = table.slotFirstMessage(slot);
  return first !== undefined && first.length > QUOTED ? `${first.slice(0, QUOTED)}…` : `${first}`;
};

/**
 * Goes on with p's `depends` from where it stopped; returns the module of the install to judge first, or
 * null once every dependency has given its reasons.
 */
function dependencies(
  p: Pending,
  install: Install,
  memo: Memo,
  chain: readonly string[],
  inChain: ReadonlySet<string>,
): Member | null {
  const { target } = install;
  const { reasons, notes } = p;
  const { m, plan, deps } = p.member;
  const { depends } = plan;
  for (; p.next < depends.length; p.next++) {
    const dep = depends[p.next]!;
    if (inChain.has(dep)) {
      reasons.push({
        code: 'dependency-cycle',
        module: dep,
        message: `${[...chain, dep].join(' → ')}: dependency cycle`,
      });
      continue;
    }
    const kmod = deps[p.next];
    if (kmod) {
      const slot = memo.base + kmod.slot;
      if (!memo.table.isJudged(slot)) return kmod;
      if (!memo.table.slotLoads(slot))
        reasons.push({
          code: 'dependency-fails',
          module: dep,
          message: `${m.name}: needs ${dep}, which does not load on ${target.name}: ${quoted(memo.table, slot)}`,
        });
    } else if (!install.kernelModules || !target.modules.has(dep)) {
      const where = install.kernelModules
        ? 'neither the kernel nor the modules installed with it have it'
        : "not among the modules installed with it (the kernel's own modules left out)";
      reasons.push({
        code: 'dependency-missing',
        module: dep,
        message: `modprobe: FATAL: Module ${dep} not found (needed by ${m.name}): ${where}`,
      });
      if (install.kernelModules && target.modules.size === 0)
        notes.push(`the target's module list is unknown: ${dep} may exist`);
    }
  }
  return null;
}

/** The module_layout reason, if any (the table keeps it as a number: 40,000 of them on 11 kernels). */
function moduleLayout(
  m: ModuleImage,
  mine: NeededImport | undefined,
  kernel: Export | undefined,
  reasons: ReasonItem[],
): Reason | undefined {
  if (!kernel || kernel.crc === null || !mine || mine.crc === kernel.crc) return undefined;
  const r: Reason = {
    code: 'module-layout',
    symbol: 'module_layout',
    wanted: mine.crc,
    offered: kernel.crc,
    module: 'vmlinux',
    message: layoutMessage(m.name),
  };
  reasons.push(r);
  return r;
}

/** kernel/module/main.c same_magic(): with CRCs, compare from the first space on. */
export function sameMagic(mine: string, kernel: string, moduleHasCrcs: boolean): boolean {
  if (!moduleHasCrcs) return mine === kernel;
  const a = mine.indexOf(' ');
  const b = kernel.indexOf(' ');
  return a !== -1 && b !== -1 && mine.slice(a) === kernel.slice(b);
}

function vermagic(m: ModuleImage, target: CompatTarget, notes: string[], reasons: ReasonItem[]): void {
  if (m.vermagic === null) {
    reasons.push({
      code: 'no-vermagic',
      message: `${m.name}: no version magic: refused unless force-loaded (bad vermagic)`,
    });
    return;
  }
  if (target.vermagic === null) {
    notes.push(`vermagic not checked: the kernel's vermagic is unknown (ingest its linux-image to know it)`);
    return;
  }
  if (!sameMagic(m.vermagic, target.vermagic, m.modversions !== 'none')) {
    reasons.push({
      code: 'vermagic',
      message: `${m.name}: version magic '${m.vermagic}' should be '${target.vermagic}'`,
    });
  }
}

/** The import's own reasons, as numbers (module-compat-reasons.ts): i is its index in neededImports(m). */
function symbol(
  m: ModuleImage,
  i: number,
  name: string,
  wanted: number | null,
  e: Export | undefined,
  gplOk: boolean,
  reasons: ReasonItem[],
  notes: string[],
): void {
  if (!e) {
    reasons.push(symbolItem(i, 0));
    return;
  }
  if (!gplOk && isGplOnly(e.exportType)) {
    reasons.push(symbolItem(i, 1));
    return;
  }
  if (e.crc === null || e.crc === 0) {
    notes.push(`${name}: the kernel has no CRC for it (no modversions): not checked`);
  } else if (wanted !== null && e.crc !== wanted) {
    reasons.push(symbolItem(i, 2));
  }
  if (e.namespace && !m.importNs.includes(e.namespace)) reasons.push(symbolItem(i, 3));
}

/**
 * Says where a broken symbol came from on the kernel the module was built for: moved to another module,
 * or gone. Needs that kernel's exports (e.g. the stored build whose release the module's vermagic names).
 */
export function annotateMoves(v: Verdict, builtFor: KernelBuild): Verdict {
  const reasons = v.reasons.map((r) => {
    const before = r.symbol ? builtFor.exports.get(r.symbol) : undefined;
    if (!before?.module) return r;
    if (r.code === 'missing-symbol')
      return { ...r, message: `${r.message} (was exported by ${before.module})` };
    if (r.module && before.module !== r.module) {
      return {
        ...r,
        movedFrom: before.module,
        message: `${r.message} (moved from ${before.module} to ${r.module})`,
      };
    }
    return r;
  });
  return { ...v, reasons };
}
