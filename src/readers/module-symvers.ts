// Module.symvers: the exports table that modpost writes after a kernel build (and that distros ship as
// `symvers.gz`, `/boot/symvers-<release>.gz`, or in linux-headers). One export per line, tab-separated.
// Its shape changed over time; a file has one shape throughout:
//
//   ≤ 2.6.x   crc  symbol  module                                   (3 fields)
//   ≤ 5.3     crc  symbol  module  export_type                      (4 fields)
//   5.4–5.9   crc  symbol  namespace  module  export_type           (5 fields, namespace third)
//   ≥ 5.10    crc  symbol  module  export_type  namespace           (5 fields, namespace last, often empty)
//
// `crc` is `0x%08x`; kernels without CONFIG_MODVERSIONS write 0x00000000. Debian's abi files
// (debian/abi/<abi>/<arch>_<featureset>_<flavour>) and openEuler's Module.kabi_<arch> use the same shape.
// See docs/formats/module-symvers.md.
import { ArtifactFormatError } from '../errors.js';
import { type Export, type ExportType, isExportType } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { type Line, lineError } from './lines.js';

const SYMVERS_CRC = /^0x[0-9a-fA-F]{1,8}$/;

export type SymversShape = 'crc-symbol-module' | 'namespace-last' | 'namespace-third';

const SHAPE_TEXT: Record<SymversShape, string> = {
  'crc-symbol-module': '3 tab-separated fields (crc, symbol, module)',
  'namespace-last': '4 or 5 tab-separated fields (crc, symbol, module, export type[, namespace])',
  'namespace-third': '5 tab-separated fields (crc, symbol, namespace, module, export type)',
};

export interface SymversOptions {
  source: string;
  /**
   * `error` (default): a symbol exported twice is an error. `identical`: a line repeated verbatim (same
   * CRC, module, export type, namespace) is kept once with a warning; a conflicting one is an error, as
   * openEuler's 24.03 Module.kabi_* files need. `keep-last`: keep the last, with a warning.
   */
  duplicates?: DuplicatePolicy;
  /** An empty table is an error unless allowed (an external module build with no exports writes one). */
  allowEmpty?: boolean;
}

/** What a reader does with a symbol listed twice (see SymversOptions.duplicates). */
export type DuplicatePolicy = 'error' | 'identical' | 'keep-last';

/** Two records of one symbol that say the same thing: a line repeated verbatim. */
const sameExport = (a: Export, b: Export) =>
  a.crc === b.crc && a.module === b.module && a.exportType === b.exportType && a.namespace === b.namespace;

export interface SymversRecord {
  export: Export;
  line: number;
}

/** Decides a file's shape from its first line; later lines must agree. */
export function detectSymversShape(fields: string[]): SymversShape | null {
  if (fields.length === 3) return 'crc-symbol-module';
  if (fields.length === 4 && isExportType(fields[3]!)) return 'namespace-last';
  if (fields.length === 5 && isExportType(fields[3]!)) return 'namespace-last';
  if (fields.length === 5 && isExportType(fields[4]!)) return 'namespace-third';
  return null;
}

/**
 * Calls `onRecord` for each export of a Module.symvers text, in file order; blank lines are skipped.
 * A plain loop over indexOf rather than generators: this runs 25,000 times per kernel, in the cold
 * start of a CLI process, where per-line allocations and generator frames are what costs.
 */
export function scanSymvers(text: string, source: string, onRecord: (e: Export, line: number) => void): void {
  let shape: SymversShape | null = null;
  const len = text.length;
  const fields: string[] = []; // reused for every line
  let pos = 0;
  for (let no = 1; pos < len; no++) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const start = pos;
    pos = end + 1;
    if (stop === start || (text.charCodeAt(start) <= 32 && text.slice(start, stop).trim() === '')) continue;
    if (shape === 'namespace-last') {
      const e = namespaceLastLine(text, start, stop);
      if (e !== null) {
        onRecord(e, no);
        continue;
      }
    }
    splitTabs(text, start, stop, fields);
    if (shape === null) {
      shape = detectSymversShape(fields);
      if (shape === null) throw shapeError(source, { no, text: text.slice(start, stop) }, fields);
    }
    onRecord(parseFields(fields, shape, source, no, text, start, stop), no);
  }
}

/**
 * The common shape (≥ 5.10, and ≤ 5.3 with 4 fields) read straight from the text: no field array, no
 * regular expression. Null when anything is off; the general path then says what, with the line.
 */
function namespaceLastLine(text: string, start: number, stop: number): Export | null {
  const t1 = text.indexOf('\t', start);
  if (t1 < 0 || t1 >= stop || t1 - start < 3 || t1 - start > 10) return null;
  if (text.charCodeAt(start) !== 48 || text.charCodeAt(start + 1) !== 120) return null;
  let crc = 0;
  for (let i = start + 2; i < t1; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
    if (d < 0) return null;
    crc = crc * 16 + d;
  }
  const t2 = text.indexOf('\t', t1 + 1);
  if (t2 < 0 || t2 >= stop || t2 === t1 + 1) return null;
  const t3 = text.indexOf('\t', t2 + 1);
  if (t3 < 0 || t3 >= stop || t3 === t2 + 1) return null;
  let t4 = text.indexOf('\t', t3 + 1);
  if (t4 >= stop) t4 = -1;
  if (t4 >= 0) {
    const t5 = text.indexOf('\t', t4 + 1);
    if (t5 >= 0 && t5 < stop) return null;
  }
  const type = text.slice(t3 + 1, t4 < 0 ? stop : t4);
  if (!isExportType(type)) return null;
  const symbol = text.slice(t1 + 1, t2);
  if (symbol.includes(' ')) return null;
  return {
    symbol,
    crc,
    module: text.slice(t2 + 1, t3),
    exportType: type,
    namespace: t4 < 0 ? '' : text.slice(t4 + 1, stop),
  };
}

function splitTabs(text: string, start: number, stop: number, out: string[]): void {
  out.length = 0;
  let from = start;
  for (;;) {
    const tab = text.indexOf('\t', from);
    if (tab === -1 || tab >= stop) break;
    out.push(text.slice(from, tab));
    from = tab + 1;
  }
  out.push(text.slice(from, stop));
}

/** The records of a Module.symvers text, in file order. */
export function* iterateSymvers(text: string, source: string): Generator<SymversRecord> {
  const records: SymversRecord[] = [];
  scanSymvers(text, source, (e, line) => records.push({ export: e, line }));
  yield* records;
}

function shapeError(source: string, line: Line, fields: string[]): ArtifactFormatError {
  if (fields.length === 1) {
    return lineError(source, line, 'expected tab-separated Module.symvers fields (crc, symbol, module, ...)');
  }
  return lineError(
    source,
    line,
    `expected 3, 4 or 5 tab-separated fields with an EXPORT_SYMBOL* type in field 4 or 5, found ${fields.length} fields`,
  );
}

function parseFields(
  fields: string[],
  shape: SymversShape,
  source: string,
  no: number,
  text: string,
  start: number,
  stop: number,
): Export {
  const line = (): Line => ({ no, text: text.slice(start, stop) });
  const ok =
    shape === 'crc-symbol-module'
      ? fields.length === 3
      : shape === 'namespace-last'
        ? fields.length === 4 || fields.length === 5
        : fields.length === 5;
  if (!ok) {
    throw lineError(
      source,
      line(),
      `expected ${SHAPE_TEXT[shape]} like the first line, found ${fields.length}`,
    );
  }
  const crcText = fields[0]!;
  const symbol = fields[1]!;
  let module: string;
  let typeText: string | undefined;
  let namespace = '';
  if (shape === 'namespace-third') {
    namespace = fields[2]!;
    module = fields[3]!;
    typeText = fields[4];
  } else {
    module = fields[2]!;
    typeText = fields[3];
    namespace = fields[4] ?? '';
  }
  const crc = SYMVERS_CRC.test(crcText) ? Number.parseInt(crcText.slice(2), 16) : null;
  if (crc === null)
    throw lineError(source, line(), `expected a CRC like 0x1a2b3c4d in field 1, found "${crcText}"`);
  if (symbol === '' || symbol.includes(' '))
    throw lineError(source, line(), 'expected a symbol name in field 2');
  if (module === '')
    throw lineError(source, line(), 'expected a module name (or vmlinux), found an empty field');
  let exportType: ExportType | null = null;
  if (typeText !== undefined) {
    if (!isExportType(typeText)) {
      throw lineError(
        source,
        line(),
        `expected an export type (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...), found "${typeText}"`,
      );
    }
    exportType = typeText;
  }
  return { symbol, crc, module, exportType, namespace };
}

/** Parses a whole Module.symvers into a KernelBuild. */
export function parseModuleSymvers(text: string, opts: SymversOptions): KernelBuild {
  const exports = new Map<string, Export>();
  const warnings: string[] = [];
  scanSymvers(text, opts.source, (e, line) => {
    const sym = e.symbol;
    const prev = exports.get(sym);
    if (prev !== undefined) {
      // Rare: find the first line again rather than remember every line number.
      const seen = firstLineOf(text, opts.source, sym);
      if (opts.duplicates === 'identical' && sameExport(prev, e)) {
        warnings.push(`${opts.source}:${line}: ${sym} repeated verbatim (first on line ${seen}); kept once`);
        return;
      }
      if (opts.duplicates !== 'keep-last') {
        throw new ArtifactFormatError(
          `symbol ${sym} is exported twice (first on line ${seen}); a kernel exports a symbol once`,
          { source: opts.source, line },
        );
      }
      warnings.push(
        `${opts.source}:${line}: ${sym} exported again (first on line ${seen}); keeping this one`,
      );
    }
    exports.set(sym, e);
  });
  if (exports.size === 0 && !opts.allowEmpty) {
    throw new ArtifactFormatError(
      'no exports found; expected Module.symvers lines (crc, symbol, module, ...)',
      {
        source: opts.source,
      },
    );
  }
  return { source: opts.source, format: 'module-symvers', labels: {}, exports, warnings };
}

function firstLineOf(text: string, source: string, symbol: string): number {
  let first = 0;
  try {
    scanSymvers(text, source, (e, line) => {
      if (e.symbol === symbol) {
        first = line;
        throw first;
      }
    });
  } catch (found) {
    if (typeof found !== 'number') throw found;
  }
  return first;
}
