// `kabi compat` for machines, written kernel by kernel as each is judged so that 4,022 modules × 11 kernels
// never sit in memory as one document: compact JSON (a verdict table; reasons, notes and identities by
// reference), SARIF 2.1.0 (one result per module that does not load on a kernel) and JUnit XML (one test
// suite per kernel, one test case per module).
import {
  compactReasons,
  itemCode,
  itemImport,
  type NeededImport,
  resolvedAt,
  SYMBOL_CODES,
} from '../analysis/module-compat-reasons.js';
import { type KernelVerdicts, LAYOUT_ITEM } from '../analysis/module-compat-table.js';
import type { Export } from '../model/export.js';
import { formatCrc } from '../model/export.js';
import { identityKey, identityLabel, type ModuleIdentity } from '../model/module-image.js';
import type { ConfigDependency, Reason, ReasonCode, Taint, Verdict, VerdictState } from '../model/verdict.js';
import { verdictState } from '../model/verdict.js';
import { ascii, ByteWriter } from './byte-writer.js';
import { type SarifResult, type SarifRule, sarifLocation, sarifLog, xmlAttr, xmlText } from './ci.js';
import { schemaId } from './schema-id.js';

/** One reason, shared by every verdict that has it. */
export interface CompatReasonJson {
  code: ReasonCode;
  /**
   * The loader's words. When they begin with the module's name (`v4l2loopback: disagrees about ...`), the
   * name and `: ` are left out so that modules can share the reason; `whole: true` marks words kept whole.
   */
  message: string;
  whole?: boolean;
  symbol?: string;
  /** CRCs as `0x%08x`; null where the side has none. */
  wanted?: string | null;
  offered?: string | null;
  module?: string;
  namespace?: string;
  alsoFails?: boolean;
  movedFrom?: string;
}

/** One module on one kernel: indexes into `modules`, `kernels`, `reasons` and `notes`. */
export interface CompatVerdictJson {
  module: number;
  kernel: number;
  state: VerdictState;
  /** In the order the loader meets them. */
  reasons: number[];
  notes: number[];
  taints?: Taint[];
  /** Indexes into `dependsOn`: the configuration switches the verdict depends on; absent when none. */
  dependsOn?: number[];
}

/** `kabi compat --format json`: one document, verdicts first (streamed), then the tables they refer to. */
export interface CompatJson {
  $schema: string;
  verdicts: CompatVerdictJson[];
  modules: ModuleIdentity[];
  kernels: string[];
  reasons: CompatReasonJson[];
  notes: string[];
  /** The configuration switches verdicts depend on (kabi does not know the kernel's setting). */
  dependsOn: ConfigDependency[];
}

/** A renderer fed one kernel's verdicts at a time. */
export interface CompatStream {
  begin(): string;
  kernel(verdicts: readonly Verdict[]): string;
  /**
   * A kernel's verdicts as the judge keeps them, where the format reads them so: as kernel(t.verdicts()),
   * as UTF-8 bytes.
   */
  table?(t: KernelVerdicts): Uint8Array;
  /**
   * The rest of the document, in pieces: the tables of a large one are never joined into one string. A
   * piece is text, or UTF-8 bytes (a file spool's reasons).
   */
  end(): Iterable<string | Uint8Array>;
}

export type CompatStreamFormat = 'json' | 'sarif' | 'junit';

/** Values to indexes, in first-seen order. */
class Table<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  add(key: string, item: () => T): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(item());
      this.index.set(key, i);
    }
    return i;
  }
}

/**
 * One reason as the JSON text of a CompatReasonJson, written directly (keys in the interface's order, as
 * JSON.stringify of that object writes them): it runs once per reference, 1.15 million times for 4,022
 * modules on 11 kernels, and an object per reason only to stringify it was most of that time.
 */
function reasonText(r: Reason, module: string): string {
  const str = JSON.stringify;
  const crc = (c: number | null) => str(formatCrc(c));
  const own = r.message.startsWith(module) && r.message.startsWith(': ', module.length);
  // Joined, not appended with +=: the text is kept as a key of the reason table, and a string built by
  // += is a tree of its pieces (113,000 keys were 97 MB as trees, 30 MB flat).
  const json = [
    `{"code":${str(r.code)},"message":${str(own ? r.message.slice(module.length + 2) : r.message)}`,
  ];
  if (!own) json.push(',"whole":true');
  if (r.symbol !== undefined) json.push(`,"symbol":${str(r.symbol)}`);
  if (r.wanted !== undefined) json.push(`,"wanted":${crc(r.wanted)}`);
  if (r.offered !== undefined) json.push(`,"offered":${crc(r.offered)}`);
  if (r.module !== undefined) json.push(`,"module":${str(r.module)}`);
  if (r.namespace !== undefined) json.push(`,"namespace":${str(r.namespace)}`);
  if (r.alsoFails) json.push(',"alsoFails":true');
  if (r.movedFrom !== undefined) json.push(`,"movedFrom":${str(r.movedFrom)}`);
  json.push('}');
  return json.join('');
}

/**
 * reasonText of a compact import reason (import `imp`, bound to `e`, its code and whether it also fails)
 * without the Reason: the same keys and words expandItem and reasonText give (its message begins with the
 * module's name, so it is written without it), for the 113,000 distinct reasons of 4,022 modules on 11
 * kernels.
 */
function importReasonText(
  imp: NeededImport,
  e: Export | undefined,
  code: number,
  alsoFails: boolean,
): string {
  const str = JSON.stringify;
  const { symbol: name, crc: wanted } = imp;
  const also = alsoFails ? ',"alsoFails":true}' : '}';
  const symbol = str(name);
  // Joined, not concatenated: a string built by + is a tree of its pieces until flattened (see reasonText).
  if (code === 0)
    return [
      '{"code":"missing-symbol","message":',
      str(`Unknown symbol ${name} (err -2)`),
      ',"symbol":',
      symbol,
      ',"wanted":',
      str(formatCrc(wanted)),
      also,
    ].join('');
  const module = e!.module === null ? '' : `,"module":${str(e!.module)}`;
  if (code === 1)
    return [
      '{"code":"gpl-only","message":',
      str(
        `Unknown symbol ${name} (err -2): exported GPL-only, and the module's license is not GPL-compatible`,
      ),
      ',"symbol":',
      symbol,
      module,
      also,
    ].join('');
  if (code === 2) {
    const [w, o] = [formatCrc(wanted), formatCrc(e!.crc)];
    return [
      '{"code":"crc-mismatch","message":',
      str(`disagrees about version of symbol ${name} (${w} vs ${o})`),
      ',"symbol":',
      symbol,
      ',"wanted":',
      str(w),
      ',"offered":',
      str(o),
      module,
      also,
    ].join('');
  }
  return [
    '{"code":"namespace-not-imported","message":',
    str(`module uses symbol (${name}) from namespace ${e!.namespace}, but does not import it.`),
    ',"symbol":',
    symbol,
    module,
    ',"namespace":',
    str(e!.namespace!),
    also,
  ].join('');
}

/** Whether two exports give an import's reason of this code the same text (see importReasonText). */
function sameText(code: number, a: Export | undefined, b: Export | undefined): boolean {
  if (code === 0 || a === b) return true;
  if (a === undefined || b === undefined || a.module !== b.module) return false;
  return code === 1 || (code === 2 ? a.crc === b.crc : a.namespace === b.namespace);
}

/**
 * Where the compact JSON keeps the text of its reasons until the end of the document: in memory by
 * default; the CLI gives a temporary file (113,000 distinct reasons are 27 MB of text).
 */
export interface TextSpool {
  append(text: string): void;
  /** Everything appended, in order, in pieces: text, or its UTF-8 bytes. */
  read(): Iterable<string | Uint8Array>;
}

export const memorySpool = (): TextSpool => {
  const items: string[] = [];
  return { append: (t) => items.push(t), read: () => items };
};

/**
 * Reasons by their JSON text: exact, and a Map lookup rather than a SHA-1 per reference (1.15 million
 * references for 4,022 modules on 11 kernels). The keys are the distinct texts (113,000, some 27 MB); the
 * document's copy of them waits in the spool.
 */
class ReasonTable {
  readonly index = new Map<string, number>();
  private size = 0;
  constructor(private readonly spool: TextSpool) {}
  add(json: string): number {
    let i = this.index.get(json);
    if (i === undefined) {
      i = this.push(json);
      this.index.set(json, i);
    }
    return i;
  }
  /** A text the caller knows to be new (not in `index`, nor put there by the caller unless it asks add). */
  push(json: string): number {
    const i = this.size++;
    this.spool.append(`${i === 0 ? '[\n' : ',\n'}${json}`);
    return i;
  }
  *lines(): Generator<string | Uint8Array> {
    if (this.size === 0) {
      yield '[]';
      return;
    }
    yield* this.spool.read();
    yield '\n]';
  }
}

/**
 * The fields of a Reason that its JSON text is made of, besides its message: every one, or two reasons that
 * differ in the one left out would share a text. Listed against the type, so a field added to Reason and
 * not here fails to compile.
 */
const COMPARED = Object.keys({
  code: true,
  symbol: true,
  wanted: true,
  offered: true,
  module: true,
  namespace: true,
  alsoFails: true,
  movedFrom: true,
} satisfies Record<Exclude<keyof Reason, 'message'>, true>) as (keyof Reason)[];

const sameFields = (a: Reason, b: Reason): boolean => {
  for (const k of COMPARED) if (a[k] !== b[k]) return false;
  return true;
};

/**
 * References to the reasons kept as Reason objects (module_layout, a failing dependency: 98,000 of them
 * for 4,022 modules on 11 kernels, some 100,000 more to come in one run), by their message as written (the
 * module's name left out) and then their other fields: a reason seen before costs a lookup, not its JSON
 * text made and hashed whole. The text is the table's key all the same (reasonText).
 */
class ObjectReasons {
  private readonly own = new Map<string, { r: Reason; at: number }[]>();
  private readonly whole = new Map<string, { r: Reason; at: number }[]>();
  constructor(
    private readonly table: ReasonTable,
    /** Called before a Reason of an import's code is looked up by its text (see ImportReasons). */
    private readonly importCode: () => void,
  ) {}
  ref(r: Reason, module: string): number {
    const own = r.message.startsWith(module) && r.message.startsWith(': ', module.length);
    const byMessage = own ? this.own : this.whole;
    const key = own ? r.message.slice(module.length + 2) : r.message;
    let seen = byMessage.get(key);
    if (seen) for (const s of seen) if (sameFields(s.r, r)) return s.at;
    if (IMPORT_CODES.has(r.code)) this.importCode();
    const at = this.table.add(reasonText(r, module));
    if (!seen) {
      seen = [];
      byMessage.set(key, seen);
    }
    seen.push({ r, at });
    return at;
  }
}

const IMPORT_CODES: ReadonlySet<ReasonCode> = new Set(SYMBOL_CODES);

/** An import's reason of one code, and whether it also fails: its text's place in the reason table. */
interface ImportText {
  /** The import number, its code × 2 + also-fails, the export it bound to. */
  n: number;
  slot: number;
  e: Export | undefined;
  at: number;
}

/**
 * References to import reasons (1.15 million for 4,022 modules on 11 kernels, 113,000 distinct), told
 * apart without their text: an import (numbered by symbol and CRC) and the export it binds to give 8 slots
 * (4 codes × also-fails), each the index of its text once made. A text is made once per distinct import,
 * code and fields it shows (sameText), and pushed to the table unhashed: no text of a Reason object can
 * equal it until one of an import's code comes (an rpm's requires, a verdict made whole), and then every
 * import text so far is put in the table's index, and later ones go through it.
 */
class ImportReasons {
  /** Import numbers by symbol and CRC (modules read from files have an Import object each). */
  private readonly numberOf = new Map<NeededImport, number>();
  private readonly imports: NeededImport[] = [];
  /** Imports by symbol (a group: the gpl-only and namespace texts do not show the CRC). */
  private readonly bySymbol = new Map<string, number>();
  private readonly members: number[][] = [];
  private readonly groupOf: number[] = [];
  private readonly numbersOf = new WeakMap<readonly NeededImport[], Int32Array>();
  /** Per import number: the exports it bound to, with their slots' base; per symbol, the texts made. */
  private readonly pairs: { e: Export | undefined; base: number }[][] = [];
  private readonly texts: ImportText[][] = [];
  /** The last pair of each import (modules importing a symbol mostly bind it to one export per kernel). */
  private readonly lastExport: (Export | undefined | null)[] = [];
  private readonly lastBase: number[] = [];
  private slots = new Int32Array(8 * 1024).fill(-1);
  private used = 0;
  private hashed = false;
  constructor(private readonly table: ReasonTable) {}

  /** The import numbers of a needed-import list, worked out once per list. */
  numbers(needed: readonly NeededImport[]): Int32Array {
    let out = this.numbersOf.get(needed);
    if (!out) {
      out = new Int32Array(needed.length);
      for (let i = 0; i < needed.length; i++) out[i] = this.numberOfImport(needed[i]!);
      this.numbersOf.set(needed, out);
    }
    return out;
  }

  private numberOfImport(imp: NeededImport): number {
    let n = this.numberOf.get(imp);
    if (n !== undefined) return n;
    let group = this.bySymbol.get(imp.symbol);
    if (group === undefined) {
      group = this.members.push([]) - 1;
      this.texts.push([]);
      this.bySymbol.set(imp.symbol, group);
    }
    const same = this.members[group]!;
    for (const x of same) if (this.imports[x]!.crc === imp.crc) n = x;
    if (n === undefined) {
      n = this.imports.push(imp) - 1;
      same.push(n);
      this.groupOf.push(group);
      this.pairs.push([]);
      this.lastExport.push(null);
      this.lastBase.push(-1);
    }
    this.numberOf.set(imp, n);
    return n;
  }

  /** The table index of import n's reason of `code`, bound to e (undefined: none). */
  ref(n: number, e: Export | undefined, code: number, alsoFails: boolean): number {
    let base: number;
    if (this.lastExport[n] === e) base = this.lastBase[n]!;
    else {
      base = this.pairBase(n, e);
      this.lastExport[n] = e;
      this.lastBase[n] = base;
    }
    const slot = base + code * 2 + (alsoFails ? 1 : 0);
    let at = this.slots[slot]!;
    if (at === -1) {
      at = this.textAt(n, e, code * 2 + (alsoFails ? 1 : 0));
      this.slots[slot] = at;
    }
    return at;
  }

  private pairBase(n: number, e: Export | undefined): number {
    const pairs = this.pairs[n]!;
    for (const p of pairs) if (p.e === e) return p.base;
    if (this.used + 8 > this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2).fill(-1);
      grown.set(this.slots);
      this.slots = grown;
    }
    const base = this.used;
    this.used += 8;
    pairs.push({ e, base });
    return base;
  }

  private textAt(n: number, e: Export | undefined, slot: number): number {
    const code = slot >> 1;
    const texts = this.texts[this.groupOf[n]!]!;
    // The missing-symbol and crc-mismatch texts show the import's CRC, the others only its symbol.
    const crc = code === 0 || code === 2 ? this.imports[n]!.crc : undefined;
    for (const t of texts)
      if (t.slot === slot && (crc === undefined || this.imports[t.n]!.crc === crc) && sameText(code, t.e, e))
        return t.at;
    const text = importReasonText(this.imports[n]!, e, code, (slot & 1) === 1);
    const at = this.hashed ? this.table.add(text) : this.table.push(text);
    texts.push({ n, slot, e, at });
    return at;
  }

  /** From now on import texts are looked up by text, as Reason objects' are: those so far are indexed. */
  hashTexts(): void {
    if (this.hashed) return;
    this.hashed = true;
    for (const texts of this.texts)
      for (const t of texts) {
        const text = importReasonText(this.imports[t.n]!, t.e, t.slot >> 1, (t.slot & 1) === 1);
        if (!this.table.index.has(text)) this.table.index.set(text, t.at);
      }
  }
}

export interface CompatStreamOptions {
  /** Where the JSON keeps its reasons' text until the end (default: in memory). */
  spool?: TextSpool;
}

// The fixed parts of a compact verdict row, encoded once.
const ROW_FIRST = ascii('\n{"module":');
const ROW_NEXT = ascii(',\n{"module":');
const KERNEL_KEY = ascii(',"kernel":');
const STATE_KEY: Record<VerdictState, Uint8Array> = {
  loads: ascii(',"state":"loads","reasons":['),
  taints: ascii(',"state":"taints","reasons":['),
  fails: ascii(',"state":"fails","reasons":['),
};
const NOTES_KEY = ascii('],"notes":[');
const CLOSE_LIST = ascii(']');
const NO_TAINTS = ascii('],"taints":[]');
const COMMA = ascii(',');
const CLOSE = ascii('}');

function compactJson(o: CompatStreamOptions = {}): CompatStream {
  const modules = new Table<ModuleIdentity>();
  const kernels = new Table<string>();
  // Reasons are kept as their JSON text only (in the spool): 100,000 of them for a kernel's modules.
  const reasons = new ReasonTable(o.spool ?? memorySpool());
  const notes = new Table<string>();
  const dependsOn = new Table<string>();
  const imports = new ImportReasons(reasons);
  const objects = new ObjectReasons(reasons, () => imports.hashTexts());
  const reasonRefs = (v: Verdict): number[] => {
    const c = compactReasons(v);
    if (!c) return v.reasons.map((r) => objects.ref(r, v.module));
    const numbers = imports.numbers(c.needed);
    const { items, stop } = c;
    const out: number[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const r = items[i]!;
      if (typeof r !== 'number') out[i] = objects.ref(r, v.module);
      else {
        const k = itemImport(r);
        out[i] = imports.ref(numbers[k]!, resolvedAt(c, k), itemCode(r), stop !== -1 && i > stop);
      }
    }
    return out;
  };
  // module_layout reasons (one per module on a kernel of another layout: 40,000) by their CRCs and
  // also-fails: the first of each is looked up as a Reason, the rest are not made.
  const layouts: { wanted: number | null; offered: number | null; also: boolean; at: number }[] = [];
  const layoutRef = (t: KernelVerdicts, i: number, k: number, module: string, also: boolean): number => {
    const wanted = t.layoutWantedAt(i);
    const offered = t.layoutOfferedAt(i);
    for (const l of layouts) if (l.wanted === wanted && l.offered === offered && l.also === also) return l.at;
    // Its text leaves out the module's name, with which its message begins (moduleIdentity: module is
    // the image's name): it is the same for every module.
    const at = objects.ref(t.reasonAt(i, k), module);
    layouts.push({ wanted, offered, also, at });
    return at;
  };
  /** Verdict i's reasons as references, read from the table's items, written as a JSON list's items. */
  const tableRefsInto = (
    w: ByteWriter,
    t: KernelVerdicts,
    i: number,
    module: string,
    count: number,
  ): void => {
    const items = t.reasonItems;
    const start = t.reasonStart(i);
    const stop = t.reasonStop(i);
    let numbers: Int32Array | null = null;
    for (let k = 0; k < count; k++) {
      const r = items[start + k]!;
      const also = stop !== -1 && k > stop;
      let ref: number;
      if (r >= 0) {
        numbers ??= imports.numbers(t.neededAt(i));
        const at = itemImport(r);
        const code = itemCode(r);
        // A missing symbol bound to nothing: not asked again.
        ref = imports.ref(numbers[at]!, code === 0 ? undefined : t.boundAt(i, at), code, also);
      } else if (r === LAYOUT_ITEM) ref = layoutRef(t, i, k, module, also);
      else ref = objects.ref(t.reasonAt(i, k), module);
      if (k > 0) w.bytes(COMMA);
      w.uint(ref);
    }
  };
  // Identities are shared by a module's verdicts on every kernel: its row looked up by object first.
  const moduleIndex = new Map<ModuleIdentity, number>();
  const moduleOf = (id: ModuleIdentity): number => {
    let module = moduleIndex.get(id);
    if (module === undefined) {
      module = modules.add(identityKey(id), () => ({
        module: id.module,
        from: id.from,
        builtFor: id.builtFor,
        source: id.source,
      }));
      moduleIndex.set(id, module);
    }
    return module;
  };
  const dependsOnRefs = (list: readonly ConfigDependency[]): number[] =>
    list.map((d) => {
      const json = JSON.stringify({ option: d.option, message: d.message });
      return dependsOn.add(json, () => json);
    });
  let first = true;
  // A CompatVerdictJson, written as JSON.stringify writes it (keys in order, numbers and fixed words), as
  // bytes: no list of references, row string or list of rows per verdict (44,000 of each for 4,022 modules
  // on 11 kernels, copied by each young collection). The head, then the references, then the tail.
  const rowHead = (w: ByteWriter, id: ModuleIdentity, kernelName: string, state: VerdictState) => {
    w.bytes(first ? ROW_FIRST : ROW_NEXT);
    first = false;
    w.uint(moduleOf(id));
    w.bytes(KERNEL_KEY);
    w.uint(kernels.add(kernelName, () => kernelName));
    w.bytes(STATE_KEY[state]);
  };
  const rowTail = (
    w: ByteWriter,
    notesOf: readonly string[],
    taints: readonly Taint[] | undefined,
    dependsOnOf: readonly ConfigDependency[] | undefined,
  ) => {
    w.bytes(NOTES_KEY);
    for (let k = 0; k < notesOf.length; k++) {
      if (k > 0) w.bytes(COMMA);
      const n = notesOf[k]!;
      w.uint(notes.add(n, () => n));
    }
    if (taints === undefined) w.bytes(CLOSE_LIST);
    else if (taints.length === 0) w.bytes(NO_TAINTS);
    else w.text(`],"taints":${JSON.stringify(taints)}`);
    if (dependsOnOf?.length) w.text(`,"dependsOn":[${dependsOnRefs(dependsOnOf).join(',')}]`);
    w.bytes(CLOSE);
  };
  return {
    begin: () => `{"$schema":${JSON.stringify(schemaId('compat'))},\n"verdicts":[`,
    kernel(verdicts) {
      const w = new ByteWriter(verdicts.length * 64);
      for (const v of verdicts) {
        const refs = reasonRefs(v);
        rowHead(w, v, v.kernel, verdictState(v));
        for (let k = 0; k < refs.length; k++) {
          if (k > 0) w.bytes(COMMA);
          w.uint(refs[k]!);
        }
        rowTail(w, v.notes, v.taints, v.dependsOn);
      }
      return w.done().toString('utf8');
    },
    table(t) {
      const w = new ByteWriter(t.length * 64);
      for (let i = 0; i < t.length; i++) {
        const id = t.identity(i);
        // moduleVerdicts gives every verdict its taints (an empty list when none).
        const taints = t.taints(i);
        rowHead(w, id, t.kernel, !t.loads(i) ? 'fails' : taints.length ? 'taints' : 'loads');
        const count = t.reasonCount(i);
        if (count > 0) tableRefsInto(w, t, i, id.module, count);
        rowTail(w, t.notes(i), taints, t.dependsOn(i));
      }
      return w.done();
    },
    *end(): Generator<string | Uint8Array> {
      // A table as JSON lines, a thousand rows a piece: 113,000 reasons are 27 MB of text.
      function* lines(xs: readonly string[]): Generator<string> {
        if (xs.length === 0) {
          yield '[]';
          return;
        }
        for (let i = 0; i < xs.length; i += 1000)
          yield `${i === 0 ? '[\n' : ',\n'}${xs.slice(i, i + 1000).join(',\n')}`;
        yield '\n]';
      }
      const json = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x));
      yield '\n],\n"modules":';
      yield* lines(json(modules.items));
      yield `,\n"kernels":${JSON.stringify(kernels.items)},\n"reasons":`;
      yield* reasons.lines();
      yield ',\n"notes":';
      yield* lines(json(notes.items));
      yield ',\n"dependsOn":';
      yield* lines(dependsOn.items);
      yield '\n}\n';
    },
  };
}

/** The compact document back as one object per verdict, as `kabi why --format json` prints them. */
export function expandCompatJson(doc: CompatJson): (ModuleIdentity & {
  kernel: string;
  loads: boolean;
  state: VerdictState;
  reasons: CompatReasonJson[];
  notes: string[];
  taints?: Taint[];
  dependsOn?: ConfigDependency[];
})[] {
  return doc.verdicts.map((v) => {
    const id = doc.modules[v.module]!;
    return {
      ...id,
      kernel: doc.kernels[v.kernel]!,
      loads: v.state !== 'fails',
      state: v.state,
      reasons: v.reasons.map((i) => {
        const { whole, ...r } = doc.reasons[i]!;
        return { ...r, message: whole ? r.message : `${id.module}: ${r.message}` };
      }),
      notes: v.notes.map((i) => doc.notes[i]!),
      ...(v.taints ? { taints: v.taints } : {}),
      dependsOn: (v.dependsOn ?? []).map((i) => doc.dependsOn[i]!),
    };
  });
}

const REASON_HELP: Record<ReasonCode, string> = {
  'dependency-missing': 'a module it depends on is not there',
  'dependency-fails': 'a module it depends on does not load',
  'dependency-cycle': 'its dependencies form a cycle',
  'module-layout': 'built for another module layout (module_layout CRC)',
  vermagic: 'its version magic does not match the kernel',
  'no-vermagic': 'it has no version magic',
  'missing-symbol': 'it imports a symbol the kernel does not export',
  'gpl-only': 'it imports a GPL-only symbol under a licence that is not GPL-compatible',
  'crc-mismatch': 'it was built against another version of a symbol (CRC)',
  'no-modversions': 'it has no symbol versions and the kernel checks them',
  'namespace-not-imported': 'it uses a symbol namespace it does not import',
  'no-symbol-version': 'an import has no symbol version, and the loader refuses that',
  unsigned: 'it is unsigned, and the kernel enforces signatures',
};

const REASON_CODES = Object.keys(REASON_HELP) as ReasonCode[];

/** The module's file (the package for a module inside one) and, for a package, the path inside. */
function moduleFile(source: string): { file: string; inside?: string } {
  const m = /^(.*) \((.*)\)$/.exec(source);
  return m ? { file: m[1]!, inside: m[2]! } : { file: source };
}

function compatSarif(): CompatStream {
  let first = true;
  const rules: SarifRule[] = REASON_CODES.map((code) => ({
    id: `kabi/compat/${code}`,
    name: code,
    shortDescription: { text: `The module does not load: ${REASON_HELP[code]}` },
    defaultConfiguration: { level: 'error' },
  }));
  const log = sarifLog(rules, '@@RESULTS@@');
  const [head, tail] = log.split('"@@RESULTS@@"') as [string, string];
  return {
    begin: () => `${head}[`,
    kernel(verdicts) {
      const out: string[] = [];
      for (const v of verdicts) {
        if (v.loads) continue;
        const r0 = v.reasons[0]!;
        const { file, inside } = moduleFile(v.source);
        const more = v.reasons.length > 1 ? ` (+${v.reasons.length - 1} more; kabi why lists them)` : '';
        const result: SarifResult = {
          ruleId: `kabi/compat/${r0.code}`,
          ruleIndex: REASON_CODES.indexOf(r0.code),
          level: 'error',
          message: { text: `${identityLabel(v)} does not load on ${v.kernel}: ${r0.message}${more}` },
          locations: [sarifLocation(file, inside ?? v.module)],
          partialFingerprints: { 'kabiVerdict/v1': `${identityKey(v).replaceAll('\0', '|')}|${v.kernel}` },
          properties: {
            module: v.module,
            kernel: v.kernel,
            builtFor: v.builtFor,
            reasons: v.reasons.map((r) => r.code),
            symbols: [...new Set(v.reasons.flatMap((r) => (r.symbol ? [r.symbol] : [])))],
          },
        };
        out.push(`${first ? '\n' : ',\n'}${JSON.stringify(result)}`);
        first = false;
      }
      return out.join('');
    },
    end: () => [`\n]${tail}`],
  };
}

function compatJunit(): CompatStream {
  return {
    begin: () => '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kabi compat">\n',
    kernel(verdicts) {
      if (verdicts.length === 0) return '';
      const kernel = verdicts[0]!.kernel;
      const failures = verdicts.filter((v) => !v.loads).length;
      const out = [
        `  <testsuite name=${xmlAttr(`kabi compat: ${kernel}`)} tests="${verdicts.length}" failures="${failures}" errors="0" skipped="0">`,
      ];
      for (const v of verdicts) {
        const name = xmlAttr(`${identityLabel(v)} loads on ${kernel}`);
        const classname = xmlAttr(`kabi.compat.${kernel}`);
        if (v.loads) {
          const said = [...(v.taints ?? []).map((t) => `taint ${t.flag}: ${t.message}`), ...v.notes];
          out.push(
            said.length
              ? `    <testcase classname=${classname} name=${name}>\n      <system-out>${xmlText(said.join('\n'))}</system-out>\n    </testcase>`
              : `    <testcase classname=${classname} name=${name}/>`,
          );
          continue;
        }
        const r0 = v.reasons[0]!;
        const body = v.reasons.map(
          (r, i) => `${i + 1}. ${r.alsoFails ? 'would also fail: ' : ''}${r.message}`,
        );
        out.push(
          `    <testcase classname=${classname} name=${name}>\n` +
            `      <failure type=${xmlAttr(r0.code)} message=${xmlAttr(r0.message)}>${xmlText(body.join('\n'))}</failure>\n` +
            `    </testcase>`,
        );
      }
      out.push('  </testsuite>\n');
      return out.join('\n');
    },
    end: () => ['</testsuites>\n'],
  };
}

export const compatStreams: Record<CompatStreamFormat, (o?: CompatStreamOptions) => CompatStream> = {
  json: compactJson,
  sarif: compatSarif,
  junit: compatJunit,
};

/** A piece of a stream's document as text (a file spool's and a table's pieces are UTF-8 bytes). */
export const pieceText = (p: string | Uint8Array): string =>
  typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('utf8');

/** The whole document at once (for tests and small inputs): verdicts grouped by kernel, in order. */
export function renderCompatStream(format: CompatStreamFormat, verdicts: readonly Verdict[]): string {
  const s = compatStreams[format]();
  const kernels = [...new Set(verdicts.map((v) => v.kernel))];
  return (
    s.begin() +
    kernels.map((k) => s.kernel(verdicts.filter((v) => v.kernel === k))).join('') +
    [...s.end()].map(pieceText).join('')
  );
}
