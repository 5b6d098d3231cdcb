// tableDiffToJson and tableDiffToText (diff-table.ts) for a diff held in the WebAssembly core's memory
// (analysis/exports-table-wasm.ts): the head and the group titles written here, every change's line by
// the module, straight after them in its memory; the result is a Buffer over that memory, not a copy.
// Byte for byte what diff-table.ts writes for the same files (tests hold them equal).
import type { WasmTableDiffReport } from '../analysis/exports-table-wasm.js';
import { printable } from '../errors.js';
import { CHANGE_KINDS } from '../model/change.js';
import { PIECE, type SymversWasm, symversWasm } from '../model/symvers-wasm.js';
import { CLOSE, jsonHead, OPEN, SEVERITY_TEXT, sliceLength, TYPE } from './diff-table.js';
import { KIND_TITLE, verdictLine } from './messages.js';
import type { TextOptions } from './text.js';

/**
 * Changes written per call into the module. Small: the report is handed on in pieces of about FLUSH
 * bytes, each written over the last one's memory, and V8 runs a wasm function's first call in its
 * baseline code, swapping in the optimised code (compiled meanwhile on another thread) only at a later call.
 */
const SLICE = 128;
/**
 * The bytes of report kept in the module's memory before they are handed on: a fresh page costs a fault,
 * and on a virtual machine a fault costs more than writing its bytes (a 6 MB report in one piece was
 * 1,500 faults, ~20 ms).
 */
const FLUSH = 64 << 10;

/** Takes each piece of a report before the next one overwrites its memory: write or copy it at once. */
export type ChunkSink = (chunk: Buffer) => void;

function jsonPieces(wasm: SymversWasm): void {
  wasm.setPieces('json-open', PIECE.open, OPEN);
  wasm.setPieces('json-type', PIECE.typeJson, TYPE);
  wasm.setPieces('json-close', PIECE.close, CLOSE);
  wasm.setPieces('json', PIECE.old, [
    '","old":',
    ',"new":',
    '{"crc":"',
    '","module":"',
    '"}',
    'null',
    '\n    ',
    ',\n    ',
  ]);
}

// describe() in diff-table.ts, in pieces.
function textPieces(wasm: SymversWasm): void {
  wasm.setPieces('text-severity', PIECE.severityText, SEVERITY_TEXT);
  wasm.setPieces('text', PIECE.line, [
    '\n  ',
    '  ',
    ' in ',
    'was ',
    ' → ',
    ' (',
    ')',
    ' (GPL-only now: non-GPL modules can no longer use it)',
    ' (modules need MODULE_IMPORT_NS(',
    '))',
    '(none)',
  ]);
}

/** Where the next bytes go; `sink` takes what is there once FLUSH bytes have gathered. */
class Pieces {
  readonly start: number;
  p: number;
  constructor(
    readonly wasm: SymversWasm,
    readonly sink: ChunkSink,
  ) {
    this.start = wasm.x.alloc(0);
    this.p = this.start;
  }

  text(s: string): void {
    this.p = this.wasm.write(this.p, s);
    this.flushIfFull();
  }

  flushIfFull(): void {
    if (this.p - this.start >= FLUSH) this.flush();
  }

  flush(): void {
    if (this.p > this.start) this.sink(this.wasm.bytes(this.start, this.p - this.start));
    this.p = this.start;
  }
}

/**
 * The JSON report, handed to `sink` in pieces; false, having handed over nothing, when a field needs
 * escaping (tableDiffToJson escapes it).
 */
export function wasmDiffJsonTo(r: WasmTableDiffReport, sink: ChunkSink): boolean {
  const wasm = symversWasm();
  if (wasm === null || r.oldTable.quotes || r.newTable.quotes) return false;
  const head = jsonHead(r);
  const text = JSON.stringify(head, null, 2).slice(0, -2);
  if (r.count === 0) {
    sink(Buffer.from(`${text},\n  "changes": []\n}\n`));
    return true;
  }
  jsonPieces(wasm);
  const out = new Pieces(wasm, sink);
  out.text(`${text},\n  "changes": [`);
  for (let i = 0; i < r.count; i += SLICE) {
    out.p = wasm.x.jsonRows(r.oldTable.ptr, r.newTable.ptr, r.diff, i, Math.min(r.count, i + SLICE), out.p);
    out.flushIfFull();
  }
  out.text('\n  ]\n}\n');
  out.flush();
  return true;
}

/** The uncoloured text report, handed to `sink` in pieces; false (nothing handed over) without the module. */
export function wasmDiffTextTo(r: WasmTableDiffReport, opts: TextOptions, sink: ChunkSink): boolean {
  const wasm = symversWasm();
  if (wasm === null) return false;
  textPieces(wasm);
  const s = r.summary;
  const out = new Pieces(wasm, sink);
  out.text(
    [
      `kABI diff  ${printable(r.oldTable.source)} (${r.old.exports} exports) → ${printable(r.newTable.source)} (${r.new.exports} exports)`,
      `policy: ${r.policy}`,
      '',
      `  added ${s.added}   removed ${s.removed}   crc changed ${s.crcChanged}   export type changed ${s.exportTypeChanged}   namespace changed ${s.namespaceChanged}   moved ${s.moved}`,
      `  fail ${s.fail}   warn ${s.warn}   ignored ${s.ignore}`,
    ].join('\n'),
  );
  const totals = [s.removed, s.crcChanged, s.exportTypeChanged, s.namespaceChanged, s.moved, s.added];
  for (let kind = 0, from = 0; kind < CHANGE_KINDS.length; from += totals[kind]!, kind++) {
    const total = totals[kind]!;
    if (total === 0) continue;
    out.text(`\n\n${KIND_TITLE[CHANGE_KINDS[kind]!]} (${total})`);
    const shown = opts.limit === null ? total : sliceLength(total, opts.limit);
    for (let i = from; i < from + shown; i += SLICE) {
      out.p = wasm.x.textRows(
        r.oldTable.ptr,
        r.newTable.ptr,
        r.diff,
        i,
        Math.min(from + shown, i + SLICE),
        r.width,
        out.p,
      );
      out.flushIfFull();
    }
    if (shown < total)
      out.text(`\n  … ${total - shown} more (--all lists every change, --format json for tools)`);
  }
  out.text(`\n\n${verdictLine(r.verdict, s.fail, s.warn)}\n`);
  out.flush();
  return true;
}

/** The JSON report, or null when a field needs escaping (tableDiffToJson escapes it). */
export function wasmDiffToJson(r: WasmTableDiffReport): Buffer | null {
  const chunks: Buffer[] = [];
  return wasmDiffJsonTo(r, (c) => chunks.push(Buffer.from(c))) ? Buffer.concat(chunks) : null;
}

/** The uncoloured text report. */
export function wasmDiffToText(r: WasmTableDiffReport, opts: TextOptions): Buffer | null {
  const chunks: Buffer[] = [];
  return wasmDiffTextTo(r, opts, (c) => chunks.push(Buffer.from(c))) ? Buffer.concat(chunks) : null;
}
