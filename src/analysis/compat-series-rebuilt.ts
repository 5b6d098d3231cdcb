// One install's modules as rebuilt along a series (compat-series.ts): whether each loads on the next build,
// and the symbols to blame where it does not. A rebuild against build J changes two things of a module:
// its kernel imports' `__versions` CRCs become J's (where J exports them) and its vermagic J's. So the
// install is kept once, with each module's CRCs and vermagic as last rebuilt in typed arrays, and judged
// on each build as the loader judges (moduleVerdicts: depends, module_layout, vermagic, every needed
// import, the loader rules), without a copy of each module, its plan and its install for every build.
// Only loads and the reasons' codes and symbols are kept: that is all the series reads of a rebuild.
import { type Export, isGplCompatible, isGplOnly } from '../model/export.js';
import type { ModuleImage } from '../model/module-image.js';
import type { Reason } from '../model/verdict.js';
import { applyLoaderRulesIn, type ModuleFacts, moduleFacts } from './loader-rules.js';
import { type CompatTarget, dependsOf, hasCrcs, sameMagic, type VerdictOptions } from './module-compat.js';
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

/** A rebuilt install judged on one build: which modules load, and the symbols to blame of those that do not. */
export interface RebuiltVerdicts {
  loads: Uint8Array;
  /** Module i's reasons (numbers for its imports' own, see module-compat-reasons.ts): codes and symbols only. */
  items: readonly (readonly ReasonItem[] | undefined)[];
  /** Module i's reasons, as distinctItemSymbols reads them. */
  reasons(i: number): CompactReasons;
}

/** A reason of the judge's that names no import: only its code and symbol are read here. */
const reason = (code: Reason['code'], symbol?: string): Reason =>
  symbol === undefined ? { code, message: '' } : { code, symbol, message: '' };

export class RebuiltInstall {
  readonly needed: (readonly NeededImport[])[];
  readonly facts: ModuleFacts[];
  readonly gplOk: Uint8Array;
  /** Index in the module's imports of its module_layout record; -1: none. */
  readonly layoutAt: Int32Array;
  readonly depends: string[][];
  /** The install's modules by name: the first of a name, as modprobe's search finds it. */
  readonly byName: Map<string, number>;
  /** Exports of the install's modules (the first of a symbol): a rebuild keeps them. */
  readonly own: Map<string, Export>;
  /** Each module's needed imports' CRCs as last rebuilt (NaN: no record), and its vermagic. */
  readonly wanted: Float64Array[];
  readonly vermagic: (string | null)[];
  /** symbolIdsOf(needed) of each module, and the numbering it is in (a WeakMap's answer, asked once). */
  private readonly idsAt: (Uint32Array | undefined)[];
  private readonly idsGeneration: Int32Array;

  /**
   * `install`: one install's modules (installGroups), in its order, as built; each is rebuilt by `rebuild`.
   * `from`: the same install (as built or rebuilt), whose facts this one shares and whose CRCs and vermagic
   * it starts from.
   */
  constructor(
    readonly install: readonly ModuleImage[],
    from?: RebuiltInstall,
  ) {
    const n = install.length;
    if (from) {
      this.needed = from.needed;
      this.facts = from.facts;
      this.gplOk = from.gplOk;
      this.layoutAt = from.layoutAt;
      this.depends = from.depends;
      this.byName = from.byName;
      this.own = from.own;
      this.idsAt = from.idsAt;
      this.idsGeneration = from.idsGeneration;
      this.wanted = from.wanted.map((w) => w.slice());
      this.vermagic = from.vermagic.slice();
      return;
    }
    this.byName = new Map();
    this.own = new Map();
    this.needed = new Array(n);
    this.facts = new Array(n);
    this.gplOk = new Uint8Array(n);
    this.layoutAt = new Int32Array(n);
    this.depends = new Array(n);
    this.wanted = new Array(n);
    this.vermagic = new Array(n);
    this.idsAt = new Array(n).fill(undefined);
    this.idsGeneration = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const m = install[i]!;
      const facts = moduleFacts(m);
      this.facts[i] = facts;
      this.needed[i] = facts.needed;
      this.gplOk[i] = isGplCompatible(m.license) ? 1 : 0;
      this.layoutAt[i] = m.imports.findIndex((x) => x.symbol === 'module_layout');
      this.depends[i] = dependsOf(m);
      const wanted = new Float64Array(facts.needed.length);
      for (let k = 0; k < wanted.length; k++) wanted[k] = facts.needed[k]!.crc ?? Number.NaN;
      this.wanted[i] = wanted;
      this.vermagic[i] = m.vermagic;
      // Each module a member of its own, as the rebuilt copies were: the first of a name answers.
      if (!this.byName.has(m.name)) this.byName.set(m.name, i);
      for (const e of m.exports) if (!this.own.has(e.symbol)) this.own.set(e.symbol, e);
    }
  }

  /** The numbers of module i's needed imports' symbols, in the numbering of now. */
  ids(i: number): Uint32Array {
    let ids = this.idsAt[i];
    if (ids === undefined || this.idsGeneration[i] !== symbolGeneration()) {
      ids = symbolIdsOf(this.needed[i]!);
      this.idsAt[i] = ids;
      this.idsGeneration[i] = symbolGeneration();
    }
    return ids;
  }

  /**
   * Every module rebuilt against t: each import t exports takes t's CRC (an export without one keeps the
   * CRC it had), the imports it does not export keep theirs, and the vermagic becomes t's (when known).
   */
  rebuild(t: CompatTarget): void {
    let view = kernelView(t.build.exports);
    for (let i = 0; i < this.install.length; i++) {
      const m = this.install[i]!;
      const ids = this.ids(i);
      if (view.generation !== symbolGeneration()) view = kernelView(t.build.exports);
      const { flags, crc } = view;
      const wanted = this.wanted[i]!;
      // The `__versions` records only: the needed imports past them have none, rebuilt or not.
      for (let k = 0; k < m.imports.length; k++) {
        const id = ids[k]!;
        const f = id < flags.length ? flags[id]! : 0;
        if ((f & EXPORTED) === 0) continue;
        if ((f & ODD) === 0) wanted[k] = crc[id]!;
        else {
          const c = view.exportAt(id)!.crc;
          if (c !== null) wanted[k] = c;
        }
      }
      this.vermagic[i] = t.vermagic ?? this.vermagic[i]!;
    }
  }

  /** The install as last rebuilt, judged on t as moduleVerdicts judges it. */
  judge(t: CompatTarget, options: VerdictOptions): RebuiltVerdicts {
    const n = this.install.length;
    const run = new Judging(this, t, options.kernelModules ?? true);
    for (let i = 0; i < n; i++) run.judgeFrom(i);
    const { loads, items } = run;
    return {
      loads,
      items,
      reasons: (i) => ({
        m: this.install[i]!,
        needed: this.needed[i]!,
        ids: this.ids(i),
        resolver: run.resolver,
        items: items[i]!,
        stop: -1,
        done: false,
      }),
    };
  }
}

/** A module whose `depends` are being judged: the next one to look at, and the reasons they gave so far. */
interface Pending {
  i: number;
  next: number;
  reasons: ReasonItem[];
}

/** One judging of a rebuilt install on one build (module-compat.ts's judge, verdict and symbol). */
class Judging implements ImportResolver {
  readonly loads: Uint8Array;
  private readonly judged: Uint8Array;
  /** The reasons of each module judged, after the loader rules (kept for the symbols to blame). */
  readonly items: (ReasonItem[] | undefined)[];
  private view: KernelView;
  private readonly kernelHasCrcs: boolean;
  private readonly pending: Pending[] = [];
  private readonly chain: string[] = [];
  private readonly inChain = new Set<string>();
  private readonly notes: string[] = [];
  readonly resolver: ImportResolver = this;

  constructor(
    private readonly install: RebuiltInstall,
    private readonly t: CompatTarget,
    private readonly kernelModules: boolean,
  ) {
    const n = install.install.length;
    this.loads = new Uint8Array(n);
    this.judged = new Uint8Array(n);
    this.items = new Array(n).fill(undefined);
    this.view = kernelView(t.build.exports);
    this.kernelHasCrcs = hasCrcs(t.build);
  }

  /** Where an import binds: the kernel's export (its modules' too, unless left out), else the install's. */
  resolve(id: number, symbol: string): Export | undefined {
    const { view } = this;
    const f = id < view.flags.length ? view.flags[id]! : 0;
    if ((f & EXPORTED) !== 0 && (this.kernelModules || (f & BY_MODULE) === 0)) return view.exportAt(id);
    return this.install.own.get(symbol);
  }

  /** The kernel's export of a symbol as the install sees it, else the install's own (the rules' lookup). */
  private readonly lookup = (s: string): Export | undefined => {
    const e = this.t.build.exports.get(s);
    const kernel = !e || this.kernelModules || e.module === null || e.module === 'vmlinux' ? e : undefined;
    return kernel ?? this.install.own.get(s);
  };

  /** Judges module i and, first, the modules of the install it depends on, depth first as modprobe loads them. */
  judgeFrom(root: number): void {
    if (this.judged[root] === 1) return;
    // Nothing to load first: no chain to keep.
    if (this.install.depends[root]!.length === 0) {
      this.verdict(root, []);
      return;
    }
    const { pending, chain, inChain } = this;
    pending.length = 0;
    chain.length = 0;
    inChain.clear();
    let member = root;
    while (member !== -1) {
      pending.push({ i: member, next: 0, reasons: [] });
      const name = this.install.install[member]!.name;
      chain.push(name);
      inChain.add(name);
      member = -1;
      while (pending.length > 0) {
        const p = pending[pending.length - 1]!;
        member = this.dependencies(p);
        if (member !== -1) break;
        pending.pop();
        inChain.delete(chain.pop()!);
        this.verdict(p.i, p.reasons);
      }
    }
  }

  /** Goes on with p's `depends`; returns the module of the install to judge first, or -1 once all gave their reasons. */
  private dependencies(p: Pending): number {
    const depends = this.install.depends[p.i]!;
    for (; p.next < depends.length; p.next++) {
      const dep = depends[p.next]!;
      if (this.inChain.has(dep)) {
        p.reasons.push(reason('dependency-cycle'));
        continue;
      }
      const k = this.install.byName.get(dep);
      if (k !== undefined) {
        if (this.judged[k] === 0) return k;
        if (this.loads[k] === 0) p.reasons.push(reason('dependency-fails'));
      } else if (!this.kernelModules || !this.t.modules.has(dep))
        p.reasons.push(reason('dependency-missing'));
    }
    return -1;
  }

  private verdict(i: number, reasons: ReasonItem[]): void {
    const { install } = this;
    const m = install.install[i]!;
    const needed = install.needed[i]!;
    const wanted = install.wanted[i]!;
    const vermagic = install.vermagic[i]!;
    const layoutAt = install.layoutAt[i]!;
    const gplOk = install.gplOk[i] === 1;
    const { t } = this;
    const ids = install.ids(i);
    if (this.view.generation !== symbolGeneration()) this.view = kernelView(t.build.exports);
    const { view } = this;
    const layoutId = symbolIdOf('module_layout');
    const layout = view.exportAt(layoutId);
    if (layout && layout.crc !== null && layoutAt !== -1) {
      const w = wanted[layoutAt]!;
      if ((Number.isNaN(w) ? null : w) !== layout.crc) reasons.push(reason('module-layout', 'module_layout'));
    }
    if (vermagic === null) reasons.push(reason('no-vermagic'));
    else if (t.vermagic !== null && !sameMagic(vermagic, t.vermagic, m.modversions !== 'none'))
      reasons.push(reason('vermagic'));
    if (m.modversions === 'none' && this.kernelHasCrcs) reasons.push(reason('no-modversions'));
    const { flags, crc } = view;
    const size = flags.length;
    const { kernelModules } = this;
    for (let k = 0; k < needed.length; k++) {
      const id = ids[k]!;
      if (id === layoutId) continue;
      const f = id < size ? flags[id]! : 0;
      const w = wanted[k]!;
      if ((f & (EXPORTED | ODD)) === EXPORTED && (kernelModules || (f & BY_MODULE) === 0)) {
        if ((f & GPL_ONLY) !== 0 && !gplOk) reasons.push(symbolItem(k, 1));
        else if (!Number.isNaN(w) && w !== -1 && crc[id] !== w) reasons.push(symbolItem(k, 2));
        continue;
      }
      const e = this.resolve(id, needed[k]!.symbol);
      if (!e) reasons.push(symbolItem(k, 0));
      else if (!gplOk && isGplOnly(e.exportType)) reasons.push(symbolItem(k, 1));
      else {
        if (e.crc !== null && e.crc !== 0 && !Number.isNaN(w) && e.crc !== w) reasons.push(symbolItem(k, 2));
        if (e.namespace && !m.importNs.includes(e.namespace)) reasons.push(symbolItem(k, 3));
      }
    }
    const { notes } = this;
    notes.length = 0;
    const context = { m, needed, ids, resolver: this.resolver };
    const rules = applyLoaderRulesIn(
      m,
      t.profile,
      { reasons, notes },
      { lookup: this.lookup, kernelHasCrcs: this.kernelHasCrcs, context, module: install.facts[i]! },
    );
    this.judged[i] = 1;
    this.loads[i] = rules.reasons.length === 0 ? 1 : 0;
    this.items[i] = rules.reasons;
  }
}
