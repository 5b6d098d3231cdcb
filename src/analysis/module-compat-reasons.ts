// A verdict's reasons kept compact until something reads them. 4,022 modules on 11 kernels give 44,000
// verdicts and 1.15 million reasons, nearly all of them one import's (missing, GPL-only, another CRC, a
// namespace not imported): such a reason is one number, its import's index in neededImports(m) and its
// code, and the export it bound to is asked again of the kernel (`resolvedAt`). The Reason objects (and their messages)
// are made only when `v.reasons` is read; the matrix, the compact JSON and the series read counts, codes,
// symbols and the first reason through the helpers here, and never make the rest.
import type { Export } from '../model/export.js';
import { formatCrc } from '../model/export.js';
import type { ModuleIdentity, ModuleImage } from '../model/module-image.js';
import type { Reason, ReasonCode, Verdict } from '../model/verdict.js';

/** A symbol the loader resolves, with the CRC of its `__versions` record (null: none). */
export interface NeededImport {
  readonly symbol: string;
  readonly crc: number | null;
}

/** The codes of an import's own reasons, by their number in a ReasonItem. */
export const SYMBOL_CODES = ['missing-symbol', 'gpl-only', 'crc-mismatch', 'namespace-not-imported'] as const;
export type SymbolCode = (typeof SYMBOL_CODES)[number];
const CODES = SYMBOL_CODES.length;

/** A reason as the judge keeps it: a Reason, or `import index × 4 + code` for an import's own reason. */
export type ReasonItem = Reason | number;

/** The index in neededImports(m) of the import a number stands for, and its code's number. */
export const itemImport = (r: number): number => Math.floor(r / CODES);
export const itemCode = (r: number): number => r % CODES;

export const symbolItem = (importIndex: number, code: 0 | 1 | 2 | 3): number => importIndex * CODES + code;

/** The export a needed import binds to on one kernel, for one install: asked only for imports with a reason. */
export interface ImportResolver {
  /** `id`: the symbol's number (module-compat-symbols.ts) in the numbering the verdict was judged with. */
  resolve(id: number, symbol: string): Export | undefined;
}

/** What the numbers of one verdict refer to. */
export interface ItemContext {
  m: ModuleImage;
  needed: readonly NeededImport[];
  /** The number of each needed import's symbol. */
  ids: Uint32Array;
  resolver: ImportResolver;
}

/** The export needed import i bound to (undefined: none). */
export const resolvedAt = (c: ItemContext, i: number): Export | undefined =>
  c.resolver.resolve(c.ids[i]!, c.needed[i]!.symbol);

export const codeOf = (r: ReasonItem): ReasonCode =>
  typeof r === 'number' ? SYMBOL_CODES[r % CODES]! : r.code;

export function symbolOf(r: ReasonItem, needed: readonly NeededImport[]): string | undefined {
  return typeof r === 'number' ? needed[Math.floor(r / CODES)]!.symbol : r.symbol;
}

/**
 * The Reason a number stands for, made as the judge made it before (same keys, same order, same words:
 * `module` is there, undefined, when the export names none).
 */
export function expandItem(r: number, c: ItemContext): Reason {
  const i = Math.floor(r / CODES);
  const { symbol: name, crc: wanted } = c.needed[i]!;
  const who = c.m.name;
  const code = r % CODES;
  if (code === 0)
    return {
      code: 'missing-symbol',
      symbol: name,
      wanted,
      message: `${who}: Unknown symbol ${name} (err -2)`,
    };
  const e = resolvedAt(c, i)!;
  const module = e.module ?? undefined;
  if (code === 1)
    return {
      code: 'gpl-only',
      symbol: name,
      module,
      message: `${who}: Unknown symbol ${name} (err -2): exported GPL-only, and the module's license is not GPL-compatible`,
    };
  if (code === 2)
    return {
      code: 'crc-mismatch',
      symbol: name,
      module,
      wanted,
      offered: e.crc,
      message: `${who}: disagrees about version of symbol ${name} (${formatCrc(wanted)} vs ${formatCrc(e.crc)})`,
    };
  return {
    code: 'namespace-not-imported',
    symbol: name,
    module,
    namespace: e.namespace!,
    message: `${who}: module uses symbol (${name}) from namespace ${e.namespace}, but does not import it.`,
  };
}

/** The verdict's reasons before they are made: items, and the index past which they would also fail. */
export interface CompactReasons extends ItemContext {
  items: readonly ReasonItem[];
  /** Index of the reason the loader stops at; -1 when none (items after it are `alsoFails`). */
  stop: number;
  /** Set once `reasons` is made or assigned: from then on the verdict's own array is the truth. */
  done: boolean;
}

const COMPACT = Symbol('compact reasons');
type WithCompact = Verdict & { [COMPACT]?: CompactReasons };

function expandAll(c: CompactReasons): Reason[] {
  return c.items.map((r, i) => {
    if (typeof r !== 'number') return r;
    const out = expandItem(r, c);
    if (c.stop !== -1 && i > c.stop) out.alsoFails = true;
    return out;
  });
}

/**
 * A verdict whose reasons are made from c on first reading; spreading, JSON.stringify and deepEqual read
 * them as before, and its keys come in the order of a Verdict written whole. The accessor is added before
 * the keys after it, with one getter and setter for all: reconfiguring a key, or a closure per verdict,
 * would give each verdict a shape of its own.
 */
export function compactVerdict(
  id: ModuleIdentity,
  kernel: string,
  loads: boolean,
  rest: Pick<Verdict, 'notes' | 'taints' | 'dependsOn'>,
  c: CompactReasons,
): Verdict {
  const v = { module: id.module, from: id.from, builtFor: id.builtFor, source: id.source, kernel, loads };
  Object.defineProperty(v, 'reasons', REASONS);
  Object.defineProperty(v, COMPACT, { value: c, enumerable: false });
  const out = v as WithCompact;
  out.notes = rest.notes;
  out.taints = rest.taints;
  out.dependsOn = rest.dependsOn;
  return out;
}

function madeReasons(this: WithCompact): Reason[] {
  const reasons = expandAll(this[COMPACT]!);
  settle.call(this, reasons);
  return reasons;
}

const REASONS = { enumerable: true, configurable: true, get: madeReasons, set: settle };

function settle(this: WithCompact, reasons: Reason[]): void {
  this[COMPACT]!.done = true;
  Object.defineProperty(this, 'reasons', {
    value: reasons,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

const compactOf = (v: Verdict): CompactReasons | undefined => {
  const c = (v as WithCompact)[COMPACT];
  return c && !c.done ? c : undefined;
};

/** How many reasons v has, without making them. */
export function reasonCount(v: Verdict): number {
  return compactOf(v)?.items.length ?? v.reasons.length;
}

/** v's reason at i (made alone when v's reasons are still compact). */
export function reasonAt(v: Verdict, i: number): Reason | undefined {
  const c = compactOf(v);
  if (!c) return v.reasons[i];
  const r = c.items[i];
  if (typeof r !== 'number') return r;
  const out = expandItem(r, c);
  if (c.stop !== -1 && i > c.stop) out.alsoFails = true;
  return out;
}

/** The symbols v's reasons name, in order, repeats kept. */
export function reasonSymbols(v: Verdict): string[] {
  const c = compactOf(v);
  const out: string[] = [];
  if (!c) {
    for (const r of v.reasons) if (r.symbol) out.push(r.symbol);
    return out;
  }
  for (const r of c.items) {
    const s = symbolOf(r, c.needed);
    if (s) out.push(s);
  }
  return out;
}

/** v's compact reasons, while they are still compact (for renderers that read them by reference). */
export const compactReasons = (v: Verdict): CompactReasons | undefined => compactOf(v);

/**
 * A needed-import list's indexes in the order of their symbols, and each index's place in it: by the list's
 * ids (a module's rebuilds share them, their symbols being the module's, in the same order).
 */
const symbolOrders = new WeakMap<Uint32Array, { order: Uint32Array; place: Uint32Array }>();
/** Marks of needed imports named by a verdict's reasons, by their place in the symbol order. */
let marks = new Uint8Array(1024);

function symbolOrder(c: CompactReasons): { order: Uint32Array; place: Uint32Array } {
  let known = symbolOrders.get(c.ids);
  if (!known || known.order.length !== c.needed.length) {
    const { needed } = c;
    const at = Array.from(needed, (_, i) => i).sort((a, b) => {
      const x = needed[a]!.symbol;
      const y = needed[b]!.symbol;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    const order = Uint32Array.from(at);
    const place = new Uint32Array(order.length);
    for (let p = 0; p < order.length; p++) place[order[p]!] = p;
    known = { order, place };
    symbolOrders.set(c.ids, known);
  }
  return known;
}

/**
 * The distinct symbols v's reasons name, sorted (as `reasonSymbols(v).sort()` with repeats dropped). A
 * compact verdict's import reasons are marked on its imports' symbol order, worked out once per module
 * (its rebuilds share it), rather than their names sorted again for each verdict: compat --series asks it
 * of every failing module on every build, some 40,000 times for 4,022 modules.
 */
export function distinctReasonSymbols(v: Verdict): string[] {
  const c = compactOf(v);
  if (!c) return dropRepeats(reasonSymbols(v).sort());
  return distinctItemSymbols(c);
}

/** distinctReasonSymbols of a verdict's reasons as items (a kernel's verdicts table gives them). */
export function distinctItemSymbols(c: CompactReasons): string[] {
  const { needed, items } = c;
  const { order, place } = symbolOrder(c);
  if (marks.length < needed.length) marks = new Uint8Array(2 * needed.length);
  const others: string[] = [];
  for (const r of items) {
    if (typeof r === 'number') marks[place[itemImport(r)]!] = 1;
    else if (r.symbol) others.push(r.symbol);
  }
  others.sort();
  const out: string[] = [];
  let o = 0;
  for (let p = 0; p < order.length; p++) {
    if (marks[p] === 0) continue;
    marks[p] = 0;
    const s = needed[order[p]!]!.symbol;
    if (!s) continue;
    while (o < others.length && others[o]! < s) out.push(others[o++]!);
    out.push(s);
  }
  while (o < others.length) out.push(others[o++]!);
  return dropRepeats(out);
}

function dropRepeats(list: string[]): string[] {
  let n = 0;
  for (let i = 0; i < list.length; i++) if (n === 0 || list[i] !== list[n - 1]) list[n++] = list[i]!;
  list.length = n;
  return list;
}
