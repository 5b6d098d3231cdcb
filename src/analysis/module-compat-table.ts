// One kernel's verdicts of a set of modules, kept as typed arrays while they are judged and written:
// 4,022 modules on 11 kernels are 44,000 verdicts, and a Verdict object each (with its reasons' context,
// its arrays of notes and taints) outlived the young generation only to be read once by a writer. Here a
// verdict is a few numbers (loads, the loader's stop, where its reasons start in one Int32Array and how
// many there are) and references shared by a module's verdicts on every kernel. The CLI's writers read
// these; `verdict(i)` makes the Verdict object, the same as moduleVerdicts gave before, for everyone else.
import type { Export } from '../model/export.js';
import type { ModuleIdentity, ModuleImage } from '../model/module-image.js';
import type { ConfigDependency, Reason, Taint, Verdict } from '../model/verdict.js';
import {
  type CompactReasons,
  compactVerdict,
  expandItem,
  type ImportResolver,
  type NeededImport,
  type ReasonItem,
} from './module-compat-reasons.js';

/** What one judged verdict is made of, handed to the table once (the arrays are the table's from then). */
export interface JudgedVerdict {
  identity: ModuleIdentity;
  m: ModuleImage;
  needed: readonly NeededImport[];
  ids: Uint32Array;
  resolver: ImportResolver;
  /** Import reasons as numbers (module-compat-reasons.ts), the rest as Reason objects. */
  items: readonly ReasonItem[];
  /** Index of the reason the loader stops at; -1 when none. */
  stop: number;
  notes: readonly string[];
  taints: readonly Taint[];
  dependsOn: readonly ConfigDependency[];
  /** The module_layout reason among items, if any: kept as LAYOUT and its two CRCs, not as an object. */
  layout?: Reason | undefined;
}

export const layoutMessage = (module: string): string =>
  `${module}: disagrees about version of symbol module_layout (insmod: Invalid module format)`;

/** The item of a module_layout reason. */
export const LAYOUT_ITEM = -0x80000000;
const LAYOUT = LAYOUT_ITEM;

const NONE: readonly never[] = Object.freeze([]);

/**
 * Verdicts by slot (a module judged once on the kernel) while they are judged; `positions` maps the set's
 * modules to their slots once all are (the same image given twice is one slot).
 */
export class KernelVerdicts {
  private readonly loadsAt: Uint8Array;
  private readonly stopAt: Int32Array;
  private readonly startAt: Int32Array;
  private readonly countAt: Int32Array;
  /** A module_layout reason's CRCs (-1: null). */
  private readonly layoutWanted: Float64Array;
  private readonly layoutOffered: Float64Array;
  /** Reasons of every slot, end to end: an import's as its number (≥ 0), a Reason object as -(index + 1). */
  private items = new Int32Array(4096);
  private used = 0;
  private readonly objects: Reason[] = [];
  private readonly judged: Uint8Array;
  private readonly identities: (ModuleIdentity | undefined)[];
  private readonly modules: (ModuleImage | undefined)[];
  private readonly neededBySlot: (readonly NeededImport[] | undefined)[];
  private readonly idsAt: (Uint32Array | undefined)[];
  private readonly resolvers: (ImportResolver | undefined)[];
  /** Notes, taints and dependsOn: null when empty (nearly always, or one note the whole kernel shares). */
  private readonly notesAt: (readonly string[] | null)[];
  private readonly taintsAt: (readonly Taint[] | null)[];
  private readonly dependsAt: (readonly ConfigDependency[] | null)[];
  private readonly sharedNotes = new Map<string, readonly string[]>();
  private readonly made: (Verdict | undefined)[];
  private slotOf: Int32Array = new Int32Array(0);

  constructor(
    readonly kernel: string,
    slots: number,
  ) {
    this.loadsAt = new Uint8Array(slots);
    this.stopAt = new Int32Array(slots);
    this.startAt = new Int32Array(slots);
    this.countAt = new Int32Array(slots);
    this.layoutWanted = new Float64Array(slots);
    this.layoutOffered = new Float64Array(slots);
    this.judged = new Uint8Array(slots);
    this.identities = new Array(slots).fill(undefined);
    this.modules = new Array(slots).fill(undefined);
    this.neededBySlot = new Array(slots).fill(undefined);
    this.idsAt = new Array(slots).fill(undefined);
    this.resolvers = new Array(slots).fill(undefined);
    this.notesAt = new Array(slots).fill(null);
    this.taintsAt = new Array(slots).fill(null);
    this.dependsAt = new Array(slots).fill(null);
    this.made = new Array(slots).fill(undefined);
  }

  /** The number of verdicts: one per module of the set, in the set's order. */
  get length(): number {
    return this.slotOf.length;
  }

  isJudged(slot: number): boolean {
    return this.judged[slot] === 1;
  }

  slotLoads(slot: number): boolean {
    return this.loadsAt[slot] === 1;
  }

  /** The message of a judged slot's first reason (what its dependents quote). */
  slotFirstMessage(slot: number): string | undefined {
    if (this.countAt[slot] === 0) return undefined;
    // Its message alone, without the Reason made around it.
    if (this.items[this.startAt[slot]!] === LAYOUT) return layoutMessage(this.modules[slot]!.name);
    return this.reasonOfSlot(slot, 0).message;
  }

  set(slot: number, v: JudgedVerdict): void {
    const n = v.items.length;
    if (this.used + n > this.items.length) {
      const grown = new Int32Array(Math.max(2 * this.items.length, this.used + n));
      grown.set(this.items.subarray(0, this.used));
      this.items = grown;
    }
    const at = this.used;
    for (let k = 0; k < n; k++) {
      const r = v.items[k]!;
      if (typeof r === 'number') this.items[at + k] = r;
      else if (r === v.layout) {
        this.items[at + k] = LAYOUT;
        this.layoutWanted[slot] = r.wanted ?? -1;
        this.layoutOffered[slot] = r.offered ?? -1;
      } else this.items[at + k] = -this.objects.push(r);
    }
    this.used += n;
    this.startAt[slot] = at;
    this.countAt[slot] = n;
    this.stopAt[slot] = v.stop;
    this.loadsAt[slot] = n === 0 ? 1 : 0;
    this.judged[slot] = 1;
    this.identities[slot] = v.identity;
    this.modules[slot] = v.m;
    this.neededBySlot[slot] = v.needed;
    this.idsAt[slot] = v.ids;
    this.resolvers[slot] = v.resolver;
    this.notesAt[slot] = this.notesOf(v.notes);
    this.taintsAt[slot] = v.taints.length ? v.taints : null;
    this.dependsAt[slot] = v.dependsOn.length ? v.dependsOn : null;
  }

  /** A note list the kernel's verdicts share (`vermagic not checked` on every verdict of a Module.symvers). */
  private notesOf(notes: readonly string[]): readonly string[] | null {
    if (notes.length === 0) return null;
    const key = notes.length === 1 ? notes[0]! : notes.join('\0');
    let known = this.sharedNotes.get(key);
    if (!known) {
      known = notes.slice();
      this.sharedNotes.set(key, known);
    }
    return known;
  }

  /** Set by moduleVerdicts once every slot is judged: the slot of each module of the set. */
  place(slotOf: Int32Array): void {
    this.slotOf = slotOf;
  }

  identity(i: number): ModuleIdentity {
    return this.identities[this.slotOf[i]!]!;
  }

  loads(i: number): boolean {
    return this.loadsAt[this.slotOf[i]!] === 1;
  }

  /** Whether every module loads on this kernel (the command's exit code). */
  allLoad(): boolean {
    for (let i = 0; i < this.length; i++) if (!this.loads(i)) return false;
    return true;
  }

  reasonCount(i: number): number {
    return this.countAt[this.slotOf[i]!]!;
  }

  /** Reason k of verdict i, made alone. */
  reasonAt(i: number, k: number): Reason {
    return this.reasonOfSlot(this.slotOf[i]!, k);
  }

  notes(i: number): readonly string[] {
    return this.notesAt[this.slotOf[i]!] ?? NONE;
  }

  taints(i: number): readonly Taint[] {
    return this.taintsAt[this.slotOf[i]!] ?? NONE;
  }

  dependsOn(i: number): readonly ConfigDependency[] {
    return this.dependsAt[this.slotOf[i]!] ?? NONE;
  }

  private reasonOfSlot(slot: number, k: number): Reason {
    const r = this.items[this.startAt[slot]! + k]!;
    if (r === LAYOUT) return this.layoutReason(slot, k);
    if (r < 0) return this.objects[-r - 1]!;
    const out = expandItem(r, {
      m: this.modules[slot]!,
      needed: this.neededBySlot[slot]!,
      ids: this.idsAt[slot]!,
      resolver: this.resolvers[slot]!,
    });
    const stop = this.stopAt[slot]!;
    if (stop !== -1 && k > stop) out.alsoFails = true;
    return out;
  }

  // Verdict i's reasons as the table keeps them, for a writer that reads 1.15 million of them without an
  // array or a Reason each: item k is reasonItems[reasonStart(i) + k], an import's reason number (≥ 0,
  // module-compat-reasons.ts), LAYOUT_ITEM, or another (negative: reasonAt(i, k) gives its Reason).

  /** Every verdict's reason items, end to end (complete once the kernel is judged). */
  get reasonItems(): Int32Array {
    return this.items;
  }

  reasonStart(i: number): number {
    return this.startAt[this.slotOf[i]!]!;
  }

  /** Index of the reason the loader stops at; -1 when none (those after it also fail). */
  reasonStop(i: number): number {
    return this.stopAt[this.slotOf[i]!]!;
  }

  /** Verdict i's needed imports, which its import reasons' numbers index. */
  neededAt(i: number): readonly NeededImport[] {
    return this.neededBySlot[this.slotOf[i]!]!;
  }

  /** The export needed import `at` of verdict i bound to (undefined: none), as resolvedAt gives it. */
  boundAt(i: number, at: number): Export | undefined {
    const slot = this.slotOf[i]!;
    return this.resolvers[slot]!.resolve(this.idsAt[slot]![at]!, this.neededBySlot[slot]![at]!.symbol);
  }

  /** The CRCs of verdict i's module_layout reason (null: none), when it has one. */
  layoutWantedAt(i: number): number | null {
    const c = this.layoutWanted[this.slotOf[i]!]!;
    return c === -1 ? null : c;
  }

  layoutOfferedAt(i: number): number | null {
    const c = this.layoutOffered[this.slotOf[i]!]!;
    return c === -1 ? null : c;
  }

  /** Verdict i's reasons as the compact JSON reads them (module-compat-reasons.ts), made for the asking. */
  reasonsAt(i: number): CompactReasons {
    return this.contextOf(this.slotOf[i]!);
  }

  private contextOf(slot: number): CompactReasons {
    return {
      m: this.modules[slot]!,
      needed: this.neededBySlot[slot]!,
      ids: this.idsAt[slot]!,
      resolver: this.resolvers[slot]!,
      items: this.itemsOf(slot),
      stop: this.stopAt[slot]!,
      done: false,
    };
  }

  private itemsOf(slot: number): ReasonItem[] {
    const at = this.startAt[slot]!;
    const n = this.countAt[slot]!;
    const out: ReasonItem[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const r = this.items[at + k]!;
      out[k] = r === LAYOUT ? this.layoutReason(slot, k) : r < 0 ? this.objects[-r - 1]! : r;
    }
    return out;
  }

  /** The module_layout reason at k, made as the judge made it (keys in its order). */
  private layoutReason(slot: number, k: number): Reason {
    const crc = (c: number) => (c === -1 ? null : c);
    const out: Reason = {
      code: 'module-layout',
      symbol: 'module_layout',
      wanted: crc(this.layoutWanted[slot]!),
      offered: crc(this.layoutOffered[slot]!),
      module: 'vmlinux',
      message: layoutMessage(this.modules[slot]!.name),
    };
    const stop = this.stopAt[slot]!;
    if (stop !== -1 && k > stop) out.alsoFails = true;
    return out;
  }

  /** Verdict i as a Verdict object, made once per slot (a module given twice gets the same object twice). */
  verdict(i: number): Verdict {
    const slot = this.slotOf[i]!;
    let v = this.made[slot];
    if (!v) {
      v = this.makeVerdict(slot);
      this.made[slot] = v;
    }
    return v;
  }

  /** Every verdict, in the set's order. */
  verdicts(): Verdict[] {
    const out: Verdict[] = new Array(this.slotOf.length);
    for (let i = 0; i < out.length; i++) out[i] = this.verdict(i);
    return out;
  }

  private makeVerdict(slot: number): Verdict {
    const loads = this.loadsAt[slot] === 1;
    const rest = {
      notes: (this.notesAt[slot] ?? NONE).slice(),
      taints: (this.taintsAt[slot] ?? NONE).slice(),
      dependsOn: (this.dependsAt[slot] ?? NONE).slice(),
    };
    const id = this.identities[slot]!;
    const at = this.startAt[slot]!;
    let numbers = false;
    for (let k = 0; k < this.countAt[slot]! && !numbers; k++) numbers = this.items[at + k]! >= 0;
    // The import reasons stay numbers until read (module-compat-reasons.ts).
    if (numbers) return compactVerdict(id, this.kernel, loads, rest, this.contextOf(slot));
    const { module, from, builtFor, source } = id;
    return {
      module,
      from,
      builtFor,
      source,
      kernel: this.kernel,
      loads,
      reasons: this.itemsOf(slot) as Reason[],
      ...rest,
    };
  }
}
