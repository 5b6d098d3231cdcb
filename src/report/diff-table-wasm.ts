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

/** Changes written per call into the module (see wasmDiffToJson). */
const SLICE = 2048;

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

/** The JSON report, or null when a field needs escaping (tableDiffToJson escapes it). */
export function wasmDiffToJson(r: WasmTableDiffReport): Buffer | null {
  const wasm = symversWasm();
  if (wasm === null || r.oldTable.quotes || r.newTable.quotes) return null;
  const head = jsonHead(r);
  const text = JSON.stringify(head, null, 2).slice(0, -2);
  if (r.count === 0) return Buffer.from(`${text},\n  "changes": []\n}\n`);
  jsonPieces(wasm);
  const start = wasm.x.alloc(0);
  let p = wasm.write(start, `${text},\n  "changes": [`);
  // In slices: V8 runs a wasm function's first call in its baseline code and swaps in the optimised code
  // (compiled meanwhile on another thread) only at a later call.
  for (let i = 0; i < r.count; i += SLICE)
    p = wasm.x.jsonRows(r.oldTable.ptr, r.newTable.ptr, r.diff, i, Math.min(r.count, i + SLICE), p);
  p = wasm.write(p, '\n  ]\n}\n');
  return claim(wasm, start, p);
}

/** The uncoloured text report. */
export function wasmDiffToText(r: WasmTableDiffReport, opts: TextOptions): Buffer | null {
  const wasm = symversWasm();
  if (wasm === null) return null;
  textPieces(wasm);
  const s = r.summary;
  const start = wasm.x.alloc(0);
  let p = wasm.write(
    start,
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
    p = wasm.write(p, `\n\n${KIND_TITLE[CHANGE_KINDS[kind]!]} (${total})`);
    const shown = opts.limit === null ? total : sliceLength(total, opts.limit);
    for (let i = from; i < from + shown; i += SLICE)
      p = wasm.x.textRows(
        r.oldTable.ptr,
        r.newTable.ptr,
        r.diff,
        i,
        Math.min(from + shown, i + SLICE),
        r.width,
        p,
      );
    if (shown < total)
      p = wasm.write(p, `\n  … ${total - shown} more (--all lists every change, --format json for tools)`);
  }
  p = wasm.write(p, `\n\n${verdictLine(r.verdict, s.fail, s.warn)}\n`);
  return claim(wasm, start, p);
}

/** [start, end) kept from later allocations, as a Buffer over the module's memory. */
function claim(wasm: SymversWasm, start: number, end: number): Buffer {
  wasm.x.alloc(end - start);
  return wasm.bytes(start, end - start);
}
