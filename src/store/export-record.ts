// The export-columns record both stores keep beside a kernel build's export set (sqlite-export-columns.ts,
// postgres-export-columns.ts): what a series compares, encoded once at ingest, and the build's crcDigest.
// Pure bytes in, bytes out, so that the two backends cannot drift apart.
//
// The record: deflated, little-endian, n = count, symbols ascending (interned name ids):
//   symbol deltas u32[n], crc u32[n], module u32[n], namespace i32[n], exportType u8[n], hasCrc u8[n]
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';
import { EXPORT_TYPES, type Export, type ExportType, formatCrc } from '../model/export.js';
import type { ExportColumnBuild, ExportColumns, ExportIdSeries } from '../model/export-rows.js';

/** Bytes per export in the inflated record. */
const WIDTH = 4 * 4 + 2;

/** Export types as stored: 0 is unknown (UNIQUE treats NULLs as distinct, so no NULL). */
export const typeCode = (t: ExportType | null) => (t === null ? 0 : EXPORT_TYPES.indexOf(t) + 1);
export const typeOf = (c: number): ExportType | null => (c === 0 ? null : (EXPORT_TYPES[c - 1] ?? null));

/** A build's exports (symbol names interned by `nameId`) as the record, with its count and crcDigest. */
export function encodeExportRecord(
  exports: Iterable<Export>,
  nameId: (name: string) => number,
): { count: number; crcDigest: string; record: Buffer } {
  const list = [...exports];
  const n = list.length;
  // Ordered by symbol id with one native sort of numbers: id × 2^21 + index (ids < 2^31, n < 2^21).
  const SPAN = 2 ** 21;
  if (n >= SPAN) throw new Error(`${n} exports in one build: more than export columns take`);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = nameId(list[i]!.symbol) * SPAN + i;
  keys.sort();
  const raw = new Uint8Array(n * WIDTH);
  const words = new Uint32Array(raw.buffer, 0, 4 * n);
  const namespace = new Int32Array(raw.buffer, 12 * n, n);
  let prev = 0;
  for (let r = 0; r < n; r++) {
    const k = keys[r]!;
    const i = k % SPAN;
    const symbol = (k - i) / SPAN;
    const e = list[i]!;
    words[r] = symbol - prev;
    prev = symbol;
    words[n + r] = e.crc ?? 0;
    words[2 * n + r] = e.module === null ? 0 : nameId(e.module);
    namespace[r] = e.namespace === null ? -1 : nameId(e.namespace);
    raw[16 * n + r] = typeCode(e.exportType);
    raw[17 * n + r] = e.crc === null ? 0 : 1;
  }
  if (!LITTLE) swapWords(raw, 16 * n);
  return { count: n, crcDigest: crcDigestOf(list), record: deflateRawSync(raw, { level: 1 }) };
}

/**
 * `crcDigest` (src/analysis/summary.ts) of a build's exports (one per symbol): the store cannot import the
 * analysis. The lines themselves are sorted, natively (a comparator in JavaScript runs cold at ingest):
 * `name<TAB>` orders as `name` does while no name holds a character at or below the tab.
 */
export function crcDigestOf(exports: readonly Export[]): string {
  const lines = exports.map((e) => `${e.symbol}\t${formatCrc(e.crc)}\n`);
  if (exports.some((e) => LOW.test(e.symbol))) {
    const sorted = [...exports].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    return createHash('sha256')
      .update(sorted.map((e) => `${e.symbol}\t${formatCrc(e.crc)}\n`).join(''))
      .digest('hex');
  }
  return createHash('sha256').update(lines.sort().join('')).digest('hex');
}

const LOW = /[\0-\t]/;

/** The record (deflated) of `n` exports back as columns. */
export function decodeExportRecord(deflated: Uint8Array, n: number): ExportColumns {
  // Its size is known: one output chunk of it, not zlib's 16 KiB ones joined.
  return columnsOf(inflateRawSync(deflated, { chunkSize: Math.max(64, n * WIDTH) }), n);
}

/**
 * decodeExportRecord with the inflation in zlib's thread pool: the caller's event loop answers requests
 * meanwhile (a series of 6 builds held `kabi serve`'s for 50-150 ms, cold, as a first page view's files
 * were asked for), and several records inflate at once.
 */
export function decodeExportRecordAsync(deflated: Uint8Array, n: number): Promise<ExportColumns> {
  return new Promise((resolve, reject) =>
    inflateRaw(deflated, { chunkSize: Math.max(64, n * WIDTH) }, (err, inflated) => {
      if (err) reject(err);
      else
        try {
          resolve(columnsOf(inflated, n));
        } catch (e) {
          reject(e);
        }
    }),
  );
}

function columnsOf(inflated: Buffer, n: number): ExportColumns {
  if (inflated.length !== n * WIDTH)
    throw new Error(`export columns hold ${inflated.length} bytes, expected ${n * WIDTH}`);
  // A copy of its own, at offset 0: every column then starts 4-aligned (offsets are multiples of 4n).
  const raw = new Uint8Array(inflated);
  const buf = raw.buffer;
  if (!LITTLE) swapWords(raw, 16 * n);
  const symbol = new Uint32Array(buf, 0, n);
  for (let i = 1; i < n; i++) symbol[i]! += symbol[i - 1]!;
  return {
    symbol,
    crc: new Uint32Array(buf, 4 * n, n),
    module: new Uint32Array(buf, 8 * n, n),
    namespace: new Int32Array(buf, 12 * n, n),
    exportType: new Uint8Array(buf, 16 * n, n),
    hasCrc: new Uint8Array(buf, 17 * n, n),
  };
}

const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The record is little-endian: on a big-endian host, swap the bytes of its first `bytes` (words). */
function swapWords(raw: Uint8Array, bytes: number): void {
  for (let k = 0; k < bytes; k += 4) {
    const [b0, b1] = [raw[k]!, raw[k + 1]!];
    raw[k] = raw[k + 3]!;
    raw[k + 1] = raw[k + 2]!;
    raw[k + 2] = b1;
    raw[k + 3] = b0;
  }
}

/** The columns of builds without a kept record, from their export rows (symbols as name ranks). */
export function columnsFromExportIds({ builds, rows: t }: ExportIdSeries): ExportColumnBuild[] {
  return builds.map((b) => {
    const pick = <A extends Uint32Array | Uint8Array | Int32Array>(col: A, make: (n: number) => A): A => {
      const out = make(b.rows.length);
      b.rows.forEach((r, i) => {
        out[i] = col[r]!;
      });
      return out;
    };
    let text = '';
    for (const r of b.rows)
      text += `${t.symbolName(t.symbol[r]!)}\t${formatCrc(t.hasCrc[r] ? t.crc[r]! : null)}\n`;
    return {
      source: b.source,
      format: b.format,
      labels: b.labels,
      warnings: b.warnings,
      exports: {
        symbol: pick(t.symbol, (n) => new Uint32Array(n)),
        crc: pick(t.crc, (n) => new Uint32Array(n)),
        hasCrc: pick(t.hasCrc, (n) => new Uint8Array(n)),
        module: pick(t.module, (n) => new Uint32Array(n)),
        exportType: pick(t.exportType, (n) => new Uint8Array(n)),
        namespace: pick(t.namespace, (n) => new Int32Array(n)),
      },
      crcDigest: createHash('sha256').update(text).digest('hex'),
    };
  });
}
