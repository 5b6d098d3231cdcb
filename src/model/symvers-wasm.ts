// The WebAssembly core of `kabi diff` of two plain Module.symvers (assembly/symvers-diff.ts; built by
// scripts/bundle.mjs into symvers-diff.wasm beside this file and beside the CLI's bundle). One instance
// per process, whose memory holds both files, their tables, the changes and the report: the reader
// parses into it, the analysis diffs in it, the report writes from it, so it lives here, in the layer
// each of them may import. The JavaScript columns path (module-symvers-table.ts and after) stays the
// definition: null here (no .wasm in this build) or a 0 from any step sends the caller back to it.
import { readFileSync } from 'node:fs';
import { EXPORT_TYPES, type Export, type ExportType, isGplOnly } from './export.js';

export interface SymversWasmExports {
  memory: { buffer: ArrayBuffer };
  alloc(n: number): number;
  reserve(p: number, n: number): void;
  setPiece(id: number, ptr: number, len: number): void;
  gplOnlyMask(mask: number): void;
  parse(text: number, length: number): number;
  diff(a: number, b: number, breakingSeverity: number, harmlessSeverity: number): number;
  jsonRows(a: number, b: number, d: number, from: number, to: number, out: number): number;
  textRows(a: number, b: number, d: number, from: number, to: number, width: number, out: number): number;
}

/** The pieces of text the module copies (ids as in assembly/symvers-diff.ts): first of each group. */
export const PIECE = {
  type: 0,
  open: 5,
  typeJson: 11,
  close: 16,
  severityText: 22,
  old: 25,
  new: 26,
  crc: 27,
  module: 28,
  exportEnd: 29,
  null: 30,
  first: 31,
  next: 32,
  line: 33,
  gap: 34,
  in: 35,
  was: 36,
  arrow: 37,
  openParen: 38,
  closeParen: 39,
  gplNow: 40,
  needNs: 41,
  needNsEnd: 42,
  none: 43,
} as const;

/** A table's header fields (byte offsets of u32s), as T_* in the module. */
export const TABLE = { count: 8, vmlinux: 12, rows: 16, quotes: 28 } as const;
/** A row's fields, as R_* in the module: [start, end) addresses of symbol, module, namespace; CRC; type. */
const ROW = { size: 36, symbol: 0, module: 8, namespace: 16, crc: 24, type: 28 } as const;
/** The diff's header fields, as D_* in the module; changes are 3 u32 each: kind | breaking << 8 | severity << 16, old, new. */
export const DIFF = { count: 0, changes: 4, byKind: 8, bySeverity: 32, width: 44 } as const;

/** A Module.symvers parsed into the module's memory (readers/module-symvers-wasm.ts). */
export interface WasmSymversTable {
  source: string;
  /** The table's address in the module's memory. */
  ptr: number;
  count: number;
  /** Rows whose module is `vmlinux`. */
  vmlinux: number;
  /** Whether the file has a `"` or a `\` (its JSON needs escapes: the JavaScript writer does it). */
  quotes: boolean;
}

export class SymversWasm {
  readonly x: SymversWasmExports;
  /** Which groups of pieces have been handed to the module. */
  readonly pieces = new Set<string>();

  constructor(exports: SymversWasmExports) {
    this.x = exports;
    this.setPieces('types', PIECE.type, EXPORT_TYPES);
    this.x.gplOnlyMask(EXPORT_TYPES.reduce((mask, t, i) => (isGplOnly(t) ? mask | (1 << i) : mask), 0));
  }

  u32(p: number): number {
    return new DataView(this.x.memory.buffer).getUint32(p, true);
  }

  /** A view of [p, p + n): taken afresh, since growing the memory detaches older ones. */
  bytes(p: number, n: number): Buffer {
    return Buffer.from(this.x.memory.buffer, p, n);
  }

  /** `s` as UTF-8 at p; the address after it. */
  write(p: number, s: string): number {
    this.x.reserve(p, s.length * 3);
    return p + this.bytes(p, s.length * 3).write(s, 'utf8');
  }

  /** Pieces `first`, `first + 1`, ... (once per group and instance). */
  setPieces(group: string, first: number, pieces: readonly string[]): void {
    if (this.pieces.has(group)) return;
    this.pieces.add(group);
    // One allocation and one write for the group, each piece's bytes after the last's: a view and a write
    // per piece cost a cold start more than the few bytes.
    const joined = pieces.join('');
    const size = Buffer.byteLength(joined);
    let at = this.x.alloc(size);
    this.bytes(at, size).write(joined, 'utf8');
    pieces.forEach((s, i) => {
      const n = Buffer.byteLength(s);
      this.x.setPiece(first + i, at, n);
      at += n;
    });
  }
}

// The WebAssembly global, which the project's type libraries (ES2023, @types/node 20) do not declare.
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: SymversWasmExports };
  };
};

let instance: SymversWasm | null | undefined;

/**
 * The process's instance, or null when this build has no .wasm (the JavaScript path then runs). Its heap is
 * never freed (a CLI process diffs once): a long-lived caller takes the JavaScript path, or freshSymversWasm.
 */
export function symversWasm(): SymversWasm | null {
  if (instance !== undefined) return instance;
  try {
    // Synchronous and small (~11 KB): V8 compiles it lazily, each function at its first call, in its
    // baseline tier (Liftoff), ~1.5 ms in all.
    const bytes = readFileSync(new URL('./symvers-diff.wasm', import.meta.url));
    instance = new SymversWasm(new Wasm.Instance(new Wasm.Module(bytes), {}).exports);
  } catch {
    instance = null;
  }
  return instance;
}

/** A fresh instance, for tests that hold the module against the JavaScript path many times over. */
export function freshSymversWasm(): SymversWasm | null {
  instance = undefined;
  return symversWasm();
}

/** Row `r` of a table in the module's memory as the model's Export: for tests. */
export function wasmTableExport(t: WasmSymversTable, r: number): Export {
  const wasm = symversWasm()!;
  const at = wasm.u32(t.ptr + TABLE.rows) + r * ROW.size;
  const text = (f: number) => {
    const from = wasm.u32(at + f);
    return wasm.bytes(from, wasm.u32(at + f + 4) - from).toString('latin1');
  };
  return {
    symbol: text(ROW.symbol),
    crc: wasm.u32(at + ROW.crc),
    module: text(ROW.module),
    exportType: EXPORT_TYPES[wasm.u32(at + ROW.type)] as ExportType,
    namespace: text(ROW.namespace),
  };
}
