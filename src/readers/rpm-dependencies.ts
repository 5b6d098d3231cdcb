// RPM dependency text, as `rpm -qp --provides` / `--requires` print it: one dependency a line,
// `NAME [OP VERSION]`. Kernel symbols ride in it as `kernel(sym) = 0x0c2f123f` (RHEL 6+, Fedora,
// CentOS: kernel-srpm-macros' kabi.sh for vmlinux, find-provides.ksyms for in-tree modules) or
// `ksym(sym) = 0x...` (Fedora/RHEL out-of-tree kmods). SUSE writes `ksym(flavor:sym) = c2f123f`, hex
// without `0x` and with leading zeros dropped. Two older shapes name groups, not symbols:
// RHEL 5's `kernel(rhel5_net_ga) = <40-hex SHA-1>` and SLE 10/11's symsets
// `kernel(default:drivers_scsi) = <16-hex MD5 prefix>`; they are counted and skipped.
// Everything else (`kernel = 5.14.0`, `kmod(foo.ko)`, `rpmlib(...)`, `/bin/sh`) is not a symbol.
import { ArtifactFormatError } from '../errors.js';
import { type Export, formatCrc, parseCrc } from '../model/export.js';
import type { KernelBuild } from '../model/kernel-build.js';
import { type Line, lineError, lines, meaningfulLines } from './lines.js';

/** A `kernel(...)` or `ksym(...)` dependency naming one exported symbol. */
export interface RpmKernelSymbol {
  symbol: string;
  /** null for an unversioned `kernel(sym)`, which says the symbol exists but not its CRC. */
  crc: number | null;
  /** Which dependency name wrapped the symbol (`kernel(...)` or `ksym(...)`). */
  kind: 'kernel' | 'ksym';
  /** SUSE's `ksym(default:sym)` flavour; null where the name carries none (RHEL, Fedora). */
  flavor: string | null;
  /** 1-based line in the text. */
  line: number;
}

export interface RpmDependenciesOptions {
  source: string;
}

export interface RpmProvidesOptions extends RpmDependenciesOptions {
  /** What to do when one symbol is provided twice with different CRCs; default `error`. */
  duplicates?: 'error' | 'identical' | 'keep-last';
}

const EXPECTED = 'RPM dependency text (rpm -qp --provides)';
const DEP_PREFIX = /^(kernel|ksym)\(/;
// RPM's arch-qualified self-provide, e.g. `kernel(x86-64) = 5.14.0-362.el9`: a package, not a symbol.
const ISA_MARKER = /^[a-z][a-z0-9_]*-(?:32|64)$/;
const SYMBOL_NAME = /^[A-Za-z_.$][A-Za-z0-9_.$]*$/;
const FLAVOR_NAME = /^[A-Za-z0-9_+.-]+$/;
// RHEL 5 kABI group hashes are SHA-1 (40 hex), SUSE symset hashes an MD5 prefix (16 hex); no `0x`.
const SET_HASH = /^(?:[0-9a-f]{16}|[0-9a-f]{40})$/;
const HEX_VALUE = /^(?:0[xX])?([0-9a-fA-F]+)$/;

type Classified =
  | { type: 'symbol'; symbol: RpmKernelSymbol }
  | { type: 'set-hash' }
  | { type: 'uname'; release: string }
  | { type: 'other' };

interface Scan {
  symbols: RpmKernelSymbol[];
  setHashes: number;
  releases: { release: string; line: number }[];
}

/** The kernel symbols in RPM dependency text; other dependencies are skipped. */
export function parseRpmDependencies(text: string, opts: RpmDependenciesOptions): RpmKernelSymbol[] {
  return scan(text, opts.source).symbols;
}

/**
 * A kernel build from the provides of kernel packages. Concatenate the provides of every subpackage
 * (kernel-core, kernel-modules-core, kernel-modules, ...) to get the whole kernel; an empty result is
 * an error, since a kernel package built with modversions always provides its symbols.
 */
export function rpmProvidesToKernelBuild(text: string, opts: RpmProvidesOptions): KernelBuild {
  const { symbols, setHashes, releases } = scan(text, opts.source);
  if (symbols.length === 0) throw noSymbols(opts.source, setHashes);
  const labels: Record<string, string> = {};
  const flavour = singleFlavor(symbols, opts.source);
  if (flavour !== null) labels.flavour = flavour;
  const warnings: string[] = [];
  const exports = collectExports(symbols, opts, warnings);
  if (setHashes > 0) {
    warnings.push(
      `${opts.source}: skipped ${setHashes} kABI group hashes (kernel(group) = <hash>), not symbols`,
    );
  }
  const release = firstRelease(releases, opts.source, warnings);
  if (release !== null) labels.release = release;
  return { source: opts.source, format: 'rpm-provides', labels, exports, warnings };
}

/** True when the text opens with RPM dependency lines and holds at least one versioned kernel()/ksym(). */
export function looksLikeRpmDependencies(text: string): boolean {
  if (text.includes('\0')) return false;
  let seen = 0;
  for (const line of meaningfulLines(text)) {
    if (!DEP_LINE.test(line.text)) return false;
    if (++seen >= SNIFF_LINES) break;
  }
  return seen > 0 && VERSIONED_SYMBOL_LINE.test(text);
}

const SNIFF_LINES = 50;
// `NAME`, `NAME OP VERSION`, or a rich dependency in parentheses (requires only).
const DEP_LINE = /^(?:[^\s(][^\s]*(?:\s+(?:=|<|>|<=|>=)\s+\S+)?|\(.*\))$/;
const VERSIONED_SYMBOL_LINE =
  /^[ \t]*(?:kernel|ksym)\([^()\s-]+\)[ \t]+=[ \t]+(?:0[xX])?[0-9a-fA-F]{1,8}[ \t]*\r?$/m;

function scan(text: string, source: string): Scan {
  refuseBinary(text, source);
  const result: Scan = { symbols: [], setHashes: 0, releases: [] };
  for (const line of meaningfulLines(text)) {
    const c = classify(line, source);
    if (c.type === 'symbol') result.symbols.push(c.symbol);
    else if (c.type === 'set-hash') result.setHashes++;
    else if (c.type === 'uname') result.releases.push({ release: c.release, line: line.no });
  }
  return result;
}

function refuseBinary(text: string, source: string): void {
  if (!text.includes('\0')) return;
  for (const line of lines(text)) {
    if (line.text.includes('\0'))
      throw lineError(source, line, `binary data (NUL byte), expected ${EXPECTED}`);
  }
}

function classify(line: Line, source: string): Classified {
  const m = DEP_PREFIX.exec(line.text);
  if (m === null) {
    const uname = /^kernel-uname-r\s+=\s+(\S+)$/.exec(line.text);
    return uname?.[1] === undefined ? { type: 'other' } : { type: 'uname', release: uname[1] };
  }
  const kind = m[1] as 'kernel' | 'ksym';
  const open = m[0].length;
  const close = line.text.indexOf(')', open);
  if (close === -1) throw lineError(source, line, `expected ")" closing ${kind}(`);
  const inner = line.text.slice(open, close);
  if (ISA_MARKER.test(inner)) return { type: 'other' };
  const { flavor, symbol } = splitName(inner, kind, line, source);
  const crc = parseVersion(line.text.slice(close + 1), kind, line, source);
  if (crc === 'set-hash') return { type: 'set-hash' };
  return { type: 'symbol', symbol: { symbol, crc, kind, flavor, line: line.no } };
}

function splitName(inner: string, kind: string, line: Line, source: string) {
  const colon = inner.indexOf(':');
  const flavor = colon === -1 ? null : inner.slice(0, colon);
  const symbol = colon === -1 ? inner : inner.slice(colon + 1);
  if (flavor !== null && !FLAVOR_NAME.test(flavor)) {
    throw lineError(source, line, `expected a flavour name before ":" in ${kind}(flavour:symbol)`);
  }
  if (!SYMBOL_NAME.test(symbol)) {
    throw lineError(source, line, `expected a symbol name inside ${kind}(...)`);
  }
  return { flavor, symbol };
}

/** The CRC after `=`; null when unversioned; 'set-hash' for a RHEL 5 / SUSE symset group hash. */
function parseVersion(rest: string, kind: string, line: Line, source: string): number | null | 'set-hash' {
  const [op, value, ...extra] = rest.split(/\s+/).filter((t) => t !== '');
  if (op === undefined) return null;
  if (op !== '=') throw lineError(source, line, `expected "=" after ${kind}(...), found "${op}"`);
  if (value === undefined) throw lineError(source, line, 'expected a hexadecimal CRC after "="');
  if (extra.length > 0) {
    throw lineError(source, line, `expected end of line after the CRC, found "${extra.join(' ')}"`);
  }
  if (kind === 'kernel' && SET_HASH.test(value)) return 'set-hash';
  const digits = HEX_VALUE.exec(value)?.[1]?.replace(/^0+(?=.)/, '');
  if (digits === undefined) throw lineError(source, line, 'expected a hexadecimal CRC after "="');
  const crc = digits.length <= 8 ? parseCrc(digits) : null;
  if (crc === null) {
    throw lineError(source, line, `expected a 32-bit CRC after "=", found ${digits.length} hex digits`);
  }
  return crc;
}

function collectExports(symbols: RpmKernelSymbol[], opts: RpmProvidesOptions, warnings: string[]) {
  const exports = new Map<string, Export>();
  const seenAt = new Map<string, RpmKernelSymbol>();
  for (const s of symbols) {
    const prev = seenAt.get(s.symbol);
    if (prev !== undefined && prev.crc !== s.crc) {
      const what = `${s.symbol} is provided twice with different CRCs: ${formatCrc(prev.crc)} (line ${prev.line}) and ${formatCrc(s.crc)}`;
      if (opts.duplicates !== 'keep-last') {
        throw new ArtifactFormatError(`${what}; expected one CRC per symbol (mixed kernel builds?)`, {
          source: opts.source,
          line: s.line,
        });
      }
      warnings.push(`${opts.source}:${s.line}: ${what}; kept the last`);
    }
    seenAt.set(s.symbol, s);
    exports.set(s.symbol, { symbol: s.symbol, crc: s.crc, module: null, exportType: null, namespace: '' });
  }
  return exports;
}

/** SUSE names the flavour in every ksym(); two flavours in one input are two kernels, not one. */
function singleFlavor(symbols: RpmKernelSymbol[], source: string): string | null {
  const flavors = [...new Set(symbols.map((s) => s.flavor).filter((f): f is string => f !== null))];
  if (flavors.length > 1) {
    throw new ArtifactFormatError(
      `symbols of ${flavors.length} flavours (${flavors.join(', ')}); expected the provides of one kernel flavour`,
      { source },
    );
  }
  return flavors[0] ?? null;
}

/** `kernel-uname-r = <uname -r>` names the build; several different ones mean concatenated kernels. */
function firstRelease(releases: Scan['releases'], source: string, warnings: string[]): string | null {
  const first = releases[0];
  if (first === undefined) return null;
  for (const r of releases) {
    if (r.release !== first.release) {
      warnings.push(
        `${source}:${r.line}: kernel-uname-r = ${r.release} differs from ${first.release} (line ${first.line}); labels keep the first`,
      );
    }
  }
  return first.release;
}

function noSymbols(source: string, setHashes: number): ArtifactFormatError {
  const why =
    setHashes > 0
      ? `only ${setHashes} kABI group hashes (RHEL 5 kernel(rhel5_*) or SUSE symsets), which name no symbols`
      : 'expected the provides of a kernel package built with CONFIG_MODVERSIONS';
  return new ArtifactFormatError(`no kernel(...) symbols found; ${why}`, { source });
}
