// Ubuntu kernel abi files: debian.<branch>/abi/[<abi-version>/]<arch>/<flavour> in Ubuntu kernel trees
// (newer trees drop the version directory). The packaging rewrites Module.symvers with
// `sed 's/^\(.\+\)[[:space:]]\+\(.\+\)[[:space:]]\(.\+\)$/\3 \2 \1/' | sort`, which moves the last two
// fields to the front, so the shape follows Module.symvers' own history (fields split on any whitespace):
//
//   ≤ 5.3, and namespace empty since   TYPE  MODULE  CRC  SYMBOL               (4 fields)
//   namespaced, Module.symvers ≥ 5.10   NAMESPACE  TYPE  CRC  SYMBOL  MODULE   (5 fields; focal 5.4 too)
//   namespaced, Module.symvers 5.4–5.9  TYPE  MODULE  CRC  SYMBOL  NAMESPACE   (5 fields)
//
// CRC is `0x%08x`; built-in exports have MODULE `vmlinux`. The sibling files <flavour>.modules,
// .compiler, .retpoline and fwinfo are other formats. See docs/formats/ubuntu-abi.md.
import { ArtifactFormatError, excerptOf } from '../errors.js';
import { type Export, formatCrc, isExportType, parseCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { lineError, lines, meaningfulLines } from './lines.js';

export interface UbuntuAbiOptions {
  source: string;
  /** What to do when a symbol is listed twice with different data; default `error`. */
  duplicates?: 'error' | 'identical' | 'keep-last';
}

const EXPECTED = 'an Ubuntu abi file (EXPORT_SYMBOL module 0xCRC symbol)';
const TYPE_LIST = 'EXPORT_SYMBOL, EXPORT_SYMBOL_GPL, ...';
const CRC_TEXT = /^0x[0-9a-fA-F]+$/;
const SYMBOL_NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;
const SNIFF_LINES = 20;

/** Parses a whole abi file into a KernelBuild; an abi file without exports is an error. */
export function parseUbuntuAbi(text: string, opts: UbuntuAbiOptions): KernelBuild {
  const { source } = opts;
  refuseBinary(text, source);
  const exports = new Map<string, Export>();
  const firstLine = new Map<string, number>();
  const warnings: string[] = [];
  for (const line of meaningfulLines(text)) {
    const parsed = parseAbiLine(line.text);
    if (typeof parsed === 'string') throw lineError(source, line, parsed);
    const prev = exports.get(parsed.symbol);
    if (prev !== undefined && !sameExport(prev, parsed)) {
      const what = `${parsed.symbol} is listed twice with different data: ${describe(prev)} (line ${firstLine.get(parsed.symbol)}) and ${describe(parsed)}`;
      if (opts.duplicates !== 'keep-last') {
        throw new ArtifactFormatError(`${what}; expected one line per symbol`, { source, line: line.no });
      }
      warnings.push(`${source}:${line.no}: ${what}; kept the last`);
    }
    firstLine.set(parsed.symbol, line.no);
    exports.set(parsed.symbol, parsed);
  }
  if (exports.size === 0) {
    throw new ArtifactFormatError(`no exports found; expected ${EXPECTED}`, { source });
  }
  return { source, format: 'ubuntu-abi', labels: labelsFromPath(source), exports, warnings };
}

/** True when the first meaningful lines are all abi lines; false for .modules, .compiler, .retpoline. */
export function looksLikeUbuntuAbi(text: string): boolean {
  if (text.includes('\0')) return false;
  let seen = 0;
  for (const line of meaningfulLines(text)) {
    if (typeof parseAbiLine(line.text) === 'string') return false;
    if (++seen >= SNIFF_LINES) break;
  }
  return seen > 0;
}

/** One abi line as an Export, or the reason it is not one. */
function parseAbiLine(text: string): Export | string {
  const f = text.split(/\s+/);
  if (f.length === 4) return build(f, { type: 0, module: 1, crc: 2, symbol: 3, namespace: -1 });
  if (f.length !== 5) {
    const hint = CRC_TEXT.test(f[0] ?? '') ? '; this looks like Module.symvers, not an abi file' : '';
    return `expected 4 fields (TYPE MODULE CRC SYMBOL) or 5 with a namespace, found ${f.length}${hint}`;
  }
  if (isExportType(f[1] ?? '')) return build(f, { type: 1, module: 4, crc: 2, symbol: 3, namespace: 0 });
  if (isExportType(f[0] ?? '')) return build(f, { type: 0, module: 1, crc: 2, symbol: 3, namespace: 4 });
  return `expected an export type (${TYPE_LIST}) in field 1 or, after a namespace, field 2`;
}

interface Layout {
  type: number;
  module: number;
  crc: number;
  symbol: number;
  /** -1: no namespace field. */
  namespace: number;
}

function build(f: string[], at: Layout): Export | string {
  const typeText = f[at.type] ?? '';
  if (!isExportType(typeText)) {
    const hint = CRC_TEXT.test(f[0] ?? '') ? '; this looks like Module.symvers, not an abi file' : '';
    return `expected an export type (${TYPE_LIST}) in field ${at.type + 1}, found "${typeText}"${hint}`;
  }
  const crcText = f[at.crc] ?? '';
  if (!CRC_TEXT.test(crcText)) {
    return `expected a hexadecimal CRC like 0x0c2f123f in field ${at.crc + 1}, found "${crcText}"`;
  }
  const crc = parseCrc(crcText.replace(/^0x0+(?=.)/, '0x'));
  if (crc === null) return `expected a 32-bit CRC in field ${at.crc + 1}, found "${crcText}"`;
  const symbol = f[at.symbol] ?? '';
  if (!SYMBOL_NAME.test(symbol)) return `expected a symbol name in field ${at.symbol + 1}, found "${symbol}"`;
  const module = f[at.module] ?? '';
  const namespace = at.namespace === -1 ? '' : (f[at.namespace] ?? '');
  return { symbol, crc, module, exportType: typeText, namespace };
}

function refuseBinary(text: string, source: string): void {
  if (!text.includes('\0')) return;
  for (const line of lines(text)) {
    if (line.text.includes('\0'))
      throw lineError(source, line, `binary data (NUL byte), expected ${EXPECTED}`);
  }
}

function sameExport(a: Export, b: Export): boolean {
  return (
    a.crc === b.crc && a.module === b.module && a.exportType === b.exportType && a.namespace === b.namespace
  );
}

function describe(e: Export): string {
  const ns = e.namespace === '' ? '' : ` ${e.namespace}`;
  return excerptOf(`${formatCrc(e.crc)} ${e.module} ${e.exportType}${ns}`);
}

/** `.../abi/<arch>/<flavour>` or `.../abi/<version>/<arch>/<flavour>`: the path names the build. */
function labelsFromPath(source: string): Record<string, string> {
  const parts = source.split(/[\\/]/);
  const abi = parts.lastIndexOf('abi');
  if (abi === -1) return {};
  const rest = parts.slice(abi + 1);
  if (rest.length === 2) return { arch: rest[0] ?? '', flavour: rest[1] ?? '' };
  if (rest.length === 3) return { version: rest[0] ?? '', arch: rest[1] ?? '', flavour: rest[2] ?? '' };
  return {};
}
