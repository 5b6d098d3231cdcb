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
