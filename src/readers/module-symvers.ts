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
import { type Export, type ExportType, isExportType, parseCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { type Line, lineError, lines } from './lines.js';

export type SymversShape = 'crc-symbol-module' | 'namespace-last' | 'namespace-third';

const SHAPE_TEXT: Record<SymversShape, string> = {
  'crc-symbol-module': '3 tab-separated fields (crc, symbol, module)',
  'namespace-last': '4 or 5 tab-separated fields (crc, symbol, module, export type[, namespace])',
  'namespace-third': '5 tab-separated fields (crc, symbol, namespace, module, export type)',
};

export interface SymversOptions {
  source: string;
  /** `error` (default): a symbol exported twice is an error. `keep-last`: keep the last, with a warning. */
  duplicates?: 'error' | 'keep-last';
  /** An empty table is an error unless allowed (an external module build with no exports writes one). */
  allowEmpty?: boolean;
}

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

/** The records of a Module.symvers text, in file order. Blank lines are skipped. */
export function* iterateSymvers(text: string, source: string): Generator<SymversRecord> {
  let shape: SymversShape | null = null;
  for (const line of lines(text)) {
    if (line.text.trim() === '') continue;
    const fields = line.text.split('\t');
    if (shape === null) {
      shape = detectSymversShape(fields);
      if (shape === null) throw shapeError(source, line, fields);
    }
    yield { export: parseFields(fields, shape, source, line), line: line.no };
  }
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

function parseFields(fields: string[], shape: SymversShape, source: string, line: Line): Export {
  const ok =
    shape === 'crc-symbol-module'
      ? fields.length === 3
      : shape === 'namespace-last'
        ? fields.length === 4 || fields.length === 5
        : fields.length === 5;
  if (!ok) {
    throw lineError(
      source,
      line,
      `expected ${SHAPE_TEXT[shape]} like the first line, found ${fields.length}`,
    );
  }
  const [crcText, symbol] = fields as [string, string];
  let module: string;
  let typeText: string | undefined;
  let namespace = '';
  if (shape === 'namespace-third') {
    [, , namespace, module, typeText] = fields as [string, string, string, string, string];
  } else {
    module = fields[2]!;
    typeText = fields[3];
    namespace = fields[4] ?? '';
  }
  const crc = crcText.startsWith('0x') ? parseCrc(crcText) : null;
  if (crc === null)
    throw lineError(source, line, `expected a CRC like 0x1a2b3c4d in field 1, found "${crcText}"`);
  if (symbol === '' || /\s/.test(symbol)) throw lineError(source, line, 'expected a symbol name in field 2');
  if (module === '')
    throw lineError(source, line, 'expected a module name (or vmlinux), found an empty field');
  let exportType: ExportType | null = null;
  if (typeText !== undefined) {
    if (!isExportType(typeText)) {
      throw lineError(
        source,
        line,
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
  const firstLine = new Map<string, number>();
  const warnings: string[] = [];
  for (const rec of iterateSymvers(text, opts.source)) {
    const sym = rec.export.symbol;
    const seen = firstLine.get(sym);
    if (seen !== undefined) {
      if (opts.duplicates !== 'keep-last') {
        throw new ArtifactFormatError(
          `symbol ${sym} is exported twice (first on line ${seen}); a kernel exports a symbol once`,
          {
            source: opts.source,
            line: rec.line,
          },
        );
      }
      warnings.push(
        `${opts.source}:${rec.line}: ${sym} exported again (first on line ${seen}); keeping this one`,
      );
    }
    firstLine.set(sym, rec.line);
    exports.set(sym, rec.export);
  }
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
