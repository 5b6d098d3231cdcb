// A plain Module.symvers read straight into the WebAssembly core's memory (model/symvers-wasm.ts) and
// parsed there: the same files parseSymversTable (module-symvers-table.ts) takes, as that reader's
// typed arrays and strings cost a cold process more than the bytes do. Anything else is null, and the
// caller reads the file with readSymversTable, which falls back in turn to the general reader.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { symversWasm, TABLE, type WasmSymversTable } from '../model/symvers-wasm.js';
import { detectCompression } from './compression-magic.js';
import { plainText } from './module-symvers-table.js';

/**
 * Larger files go to the JavaScript reader: the module's memory is 32-bit and holds both files, their
 * rows and a report several times their size (a kernel's Module.symvers is ~2 MB).
 */
const MAX_BYTES = 64 << 20;

/** The table of these bytes (copied into the module's memory), or null: parseSymversTable's pair. */
export function parseSymversTableWasm(bytes: Uint8Array, source: string): WasmSymversTable | null {
  const wasm = symversWasm();
  if (wasm === null || bytes.length === 0 || bytes.length > MAX_BYTES) return null;
  const at = wasm.x.alloc(bytes.length);
  wasm.bytes(at, bytes.length).set(bytes);
  return parseAt(at, bytes.length, source);
}

/** The file's table in the module's memory, or null (no .wasm, not a plain table, unreadable). */
export function readSymversTableWasm(path: string): WasmSymversTable | null {
  const wasm = symversWasm();
  if (wasm === null) return null;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null; // the general reader names the fault
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size === 0 || stat.size > MAX_BYTES) return null;
    const size = stat.size;
    // A compressed file (a `.symvers.xz`) is never a plain table: known from its first bytes, before the
    // module's memory takes the whole file (the xz reader then reads it anyway).
    const head = Buffer.alloc(8);
    if (detectCompression(head.subarray(0, readSync(fd, head, 0, 8, 0))) !== 'none') return null;
    const at = wasm.x.alloc(size);
    // Synchronous: one read into the memory the parse runs over, no copy and no event-loop turn.
    const view = wasm.bytes(at, size);
    let got = 0;
    for (let n = 1; got < size && n > 0; got += n) n = readSync(fd, view, got, size - got, null);
    if (got !== size || !plainText(view)) return null;
    return parseAt(at, size, path);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * readSymversTableWasm, and for a compressed file (a `.symvers.xz`, `symvers.gz`) its text as the sniffer
 * decompresses it for readSymversTable: the same table the JavaScript reader would parse, or null for
 * anything else (any fault included: the JavaScript reader names it). The sniffer (and its decompressors)
 * load only for a file that is neither plain text nor xz.
 */
export async function readSymversTableWasmAny(path: string): Promise<WasmSymversTable | null> {
  const plain = await readSymversTableWasmXz(path);
  if (plain !== null || symversWasm() === null) return plain;
  try {
    const { sniffArtifact } = await import('./artifact.js');
    const artifact = await sniffArtifact(path, { what: 'kernel exports' });
    if (artifact.kind !== 'text' || artifact.compression === 'none' || artifact.data === null) return null;
    return parseSymversTableWasm(artifact.data, path);
  } catch {
    return null;
  }
}

/**
 * readSymversTableWasm, and for an xz file (Debian's `.symvers.xz`) its text decoded here with only the
 * decoder (no sniffer, no package readers: the quick entry takes it), or null as readSymversTableWasm
 * gives it; a fault, or text past MAX_BYTES, is null too, for the general reader to name.
 */
export async function readSymversTableWasmXz(path: string): Promise<WasmSymversTable | null> {
  const plain = readSymversTableWasm(path);
  if (plain !== null || symversWasm() === null) return plain;
  try {
    const packed = readFileSync(path);
    if (detectCompression(packed) !== 'xz') return null;
    // The index (as unxzCapped reads it) gives the size, so the text comes out in one buffer, not pieces.
    const [{ unxzChunks }, { liblzma }] = await Promise.all([
      import('./decoders.js'),
      import('./liblzma-binding.js'),
    ]);
    const expected = liblzma().parseFileIndex(packed).uncompressedSize;
    if (expected === 0 || expected > MAX_BYTES) return null;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of unxzChunks(once(packed), expected + 1)) {
      size += chunk.length;
      if (size > expected) return null;
      chunks.push(chunk);
    }
    if (size !== expected) return null;
    const text = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    return plainText(text) ? parseSymversTableWasm(text, path) : null;
  } catch {
    return null;
  }
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

function parseAt(at: number, size: number, source: string): WasmSymversTable | null {
  const wasm = symversWasm()!;
  const t = wasm.x.parse(at, size);
  if (t === 0) return null;
  return {
    source,
    ptr: t,
    count: wasm.u32(t + TABLE.count),
    vmlinux: wasm.u32(t + TABLE.vmlinux),
    quotes: wasm.u32(t + TABLE.quotes) === 1,
  };
}
