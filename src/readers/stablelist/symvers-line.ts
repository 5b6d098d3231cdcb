// One Module.symvers line, as openEuler's Module.kabi_<arch> and RHEL's kabi-module files copy it:
//   0xd93dd652<TAB>__alloc_skb<TAB>vmlinux<TAB>EXPORT_SYMBOL<TAB>[namespace]
// Kernels before 5.4 write four columns. 5.4 added the namespace as the third column; 5.7 moved it
// last ("modpost: move the namespace field in Module.symvers last", Jessica Yu, March 2020), and
// every kABI list seen since (RHEL 9, openEuler 22.03+) keeps that trailing, usually empty, field.
// A small local reader: the full Module.symvers reader lives elsewhere and does more than a list needs.
import { isExportType, parseCrc } from '../../model/export.js';
import type { StablelistEntry } from '../../model/stablelist.js';
import { type Line, lineError } from '../lines.js';
import { isSymbolName } from './common.js';

export const SYMVERS_SHAPE = '0xCRC<TAB>symbol<TAB>module<TAB>EXPORT_SYMBOL[_GPL][<TAB>namespace]';

/** Splits on tabs, the separator modpost writes; falls back to blanks for hand-edited copies. */
export function symversFields(text: string): string[] {
  const byTab = text.split('\t');
  if (byTab.length > 1) return byTab.map((f) => f.trim());
  return text.trim().split(/\s+/);
}

/** True when a line has the shape of a Module.symvers line (used to recognise the format). */
export function looksLikeSymvers(text: string): boolean {
  const fields = symversFields(text);
  return fields.length >= 3 && parseCrc(fields[0] ?? '') !== null;
}

export function parseSymversLine(line: Line, source: string): StablelistEntry {
  const fields = symversFields(line.text);
  // A trailing tab (empty namespace) is normal; more than one empty trailing field is not.
  if (fields.length === 5 && fields[4] === '') fields.pop();
  if (fields.length !== 4 && fields.length !== 5) {
    throw lineError(
      source,
      line,
      `expected 4 or 5 tab-separated columns (${SYMVERS_SHAPE}), found ${fields.length}`,
    );
  }
  const [crcText = '', symbol = ''] = fields;
  const crc = parseCrc(crcText);
  if (crc === null) {
    throw lineError(source, line, `expected a hex CRC like 0x0c2f123f in column 1, found "${crcText}"`);
  }
  if (!isSymbolName(symbol)) {
    throw lineError(source, line, `expected a symbol name in column 2, found "${symbol}"`);
  }
  return { symbol, crc, module: moduleColumn(fields, line, source) };
}

/** The module is column 3, unless the export type sits in column 5 (the 5.4-5.6 namespace order). */
function moduleColumn(fields: string[], line: Line, source: string): string {
  if (isExportType(fields[3] ?? '')) return nonEmpty(fields[2], 3, line, source);
  if (fields.length === 5 && isExportType(fields[4] ?? '')) return nonEmpty(fields[3], 4, line, source);
  throw lineError(
    source,
    line,
    `expected an export type (EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...) in column 4, found "${fields[3] ?? ''}"`,
  );
}

function nonEmpty(value: string | undefined, column: number, line: Line, source: string): string {
  if (value === undefined || value === '') {
    throw lineError(source, line, `expected a module name (vmlinux or a module path) in column ${column}`);
  }
  return value;
}
