// `kabi diff` of two plain Module.symvers in the WebAssembly core, shared by the command (commands/diff.ts)
// and the quick entry (quick.ts): no commander here, and only the part of the library it calls.
import type { WasmSymversTable } from '../index-diff.js';
import {
  compareWasmTables,
  readSymversTableWasmXz,
  tablesComparable,
  wasmDiffJsonTo,
  wasmDiffTextTo,
} from '../index-diff.js';
import { syncWriter } from './sink.js';

export interface WasmDiffOptions {
  format: 'json' | 'text';
  /** Changes listed per kind in text (null: all). */
  limit: number | null;
  output?: string;
  exitCode?: boolean;
  /** Called before the first byte is written (or the file created). */
  onStart?: () => void;
}

/**
 * The report written (to the file, else stdout) and the command's exit code; null, having written
 * nothing, when the module declines the pair (no .wasm, not plain tables, JSON that needs escapes), for
 * the JavaScript path to read and report. `read` reads a file into the module (the quick entry: plain and
 * xz files; the command also the sniffer's other compressions, readSymversTableWasmAny); both files are read
 * at once. The report is written as the module makes it, in pieces over the same memory.
 */
export async function wasmTableDiff(
  oldPath: string,
  newPath: string,
  o: WasmDiffOptions,
  read: (path: string) => WasmSymversTable | null | Promise<WasmSymversTable | null> = readSymversTableWasmXz,
): Promise<number | null> {
  // Both at once: two .xz files then decode on two of libuv's threads, as `comm <(xz -dc) <(xz -dc)` does.
  const [a, b] = await Promise.all([read(oldPath), read(newPath)]);
  const report = a && b && tablesComparable(a, b) ? compareWasmTables(a, b) : null;
  if (report === null || (o.format === 'json' && (a!.quotes || b!.quotes))) return null;
  const out = syncWriter(o.output, o.onStart);
  const written =
    o.format === 'json'
      ? wasmDiffJsonTo(report, out.write)
      : wasmDiffTextTo(report, { color: false, limit: o.limit }, out.write);
  if (!written) return null;
  out.close();
  return o.exitCode ? report.exitCode : 0;
}
