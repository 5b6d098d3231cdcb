// Helpers shared by the stablelist parsers: symbol-name checks, the duplicate policy, and the
// metadata (name, arch) that formats without a header can only take from the file's path.
import { ArtifactFormatError } from '../../errors.js';
import { formatCrc } from '../../model/export.js';
import type { Stablelist, StablelistEntry } from '../../model/stablelist.js';
import { type Line, lineError, lines } from '../lines.js';

/**
 * Kernel export names are C identifiers; `.` and `$` appear in compiler-made names
 * (`memcpy.cold`, `.TOC.`). Anything else means a mangled line or the wrong file.
 */
const SYMBOL_NAME = /^[A-Za-z_.$][\w.$]*$/;

export function isSymbolName(s: string): boolean {
  return SYMBOL_NAME.test(s);
}

/** `s`, if it is a symbol name; the lists that hold nothing but names refuse anything else in these words. */
export function expectSymbolName(s: string, source: string, line: Line): string {
  if (!isSymbolName(s)) {
    throw lineError(source, line, `expected a symbol name (letters, digits, _ . $), found "${s}"`);
  }
  return s;
}

/**
 * Architectures as they appear in distribution file names (`kabi_stablelist_ppc64le`,
 * `Module.kabi_aarch64`, `abi_gki_aarch64_db845c`). Longest first so `ppc64le` wins over `ppc64`.
 */
const KNOWN_ARCHES = [
  'loongarch64',
  'riscv64',
  'ppc64le',
  'aarch64',
  'x86_64',
  'armv7hl',
  'ppc64',
  's390x',
  'arm64',
  'i686',
  's390',
];
const ARCH_IN_NAME = new RegExp(`(?:^|[_.\\-])(${KNOWN_ARCHES.join('|')})(?=$|[_.\\-])`);

/** The last path component, without a compression suffix. */
export function baseName(source: string): string {
  const last =
    source
      .split(/[\\/]/)
      .filter((p) => p !== '')
      .pop() ?? source;
  return last.replace(/\.(gz|xz|zst)$/, '');
}

/** The architecture a file or directory name spells, if any: `kabi_x86_64`, `abi_gki_aarch64_qcom`. */
export function archFromName(name: string): string | null {
  return ARCH_IN_NAME.exec(name)?.[1] ?? null;
}

/**
 * A NUL byte never occurs in any of these text formats; finding one means a binary file was
 * passed (or decoded by a caller that did not use decodeText), so report where it is.
 */
export function refuseBinary(text: string, source: string): void {
  const nul = text.indexOf('\u0000');
  if (nul === -1) return;
  const lineNo = countNewlines(text, nul) + 1;
  for (const l of lines(text)) {
    if (l.no === lineNo)
      throw lineError(source, l, 'binary data (NUL byte), expected a kABI stablelist text file');
  }
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * An error at the end of the input, for files that stop before saying what they must (empty,
 * truncated, header only). Points at the last line; an empty file is reported as line 1.
 */
export function endOfFileError(text: string, source: string, reason: string): ArtifactFormatError {
  let last: Line = { no: 1, text: '' };
  for (const l of lines(text)) last = l;
  if (last.text.trim() === '') return new ArtifactFormatError(reason, { source, line: last.no });
  return lineError(source, last, reason);
}

/**
 * Collects entries under one duplicate policy for every format:
 * a symbol listed again with the same CRC and module is dropped (lists are hand-kept and
 * repeat names: AOSP's abi_gki_aarch64_oplus lists iov_iter_advance twice), but a repeat that
 * disagrees on CRC or module is an error, since the list would then pin two different ABIs.
 */
export class SymbolTable {
  readonly symbols = new Map<string, StablelistEntry>();
  private readonly firstSeen = new Map<string, string>();

  /** `where` names the origin of `entry` for a later conflict message, e.g. `line 4`. */
  add(entry: StablelistEntry, source: string, line: Line, where = `line ${line.no}`): void {
    const prev = this.symbols.get(entry.symbol);
    if (prev === undefined) {
      this.symbols.set(entry.symbol, entry);
      this.firstSeen.set(entry.symbol, where);
      return;
    }
    if (prev.crc === entry.crc && prev.module === entry.module) return;
    throw lineError(
      source,
      line,
      `${entry.symbol} is pinned to ${describe(entry)} here but to ${describe(prev)} at ` +
        `${this.firstSeen.get(entry.symbol)}; expected one CRC and module per symbol`,
    );
  }

  get size(): number {
    return this.symbols.size;
  }
}

function describe(e: StablelistEntry): string {
  return `CRC ${formatCrc(e.crc)} in ${e.module ?? '(unknown module)'}`;
}

export function makeStablelist(
  name: string,
  arch: string | null,
  source: string,
  table: SymbolTable,
): Stablelist {
  return { name, arch, source, symbols: table.symbols };
}
