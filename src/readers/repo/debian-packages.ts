// Debian repository indexes: `dists/<suite>/<component>/binary-<arch>/Packages[.xz|.gz]`, one deb822
// stanza per package (Debian Policy §5.1, §5.3; deb822(5)):
//
//   Package: linux-headers-6.1.0-47-amd64            field names are case-insensitive
//   Source: linux (6.1.170-3)                          the version only when it differs
//   Version: 6.1.170-3
//   Architecture: amd64
//   Depends: linux-headers-6.1.0-47-common (= 6.1.170-3),
//    linux-kbuild-6.1 (>= 6.1.170-3)                   a continuation line starts with space or tab
//   Filename: pool/main/l/linux/linux-headers-6.1.0-47-amd64_6.1.170-3_amd64.deb
//   Size: 1655296
//   SHA256: 2a40c463…                                  64 hex digits
//                                                      a blank line ends the stanza
//
// Lines starting with `#` are comments (apt's .sources files use them; indexes have none).
import { ArtifactFormatError, excerptOf } from '../../errors.js';

export interface Deb822Field {
  /** As written; compare case-insensitively. */
  name: string;
  /** Continuation lines joined with `\n`, each without its leading space. */
  value: string;
  line: number;
}

export interface Deb822Stanza {
  /** Line of the first field. */
  line: number;
  /** Keyed by the lower-cased field name. */
  fields: Map<string, Deb822Field>;
}

export interface Deb822Options {
  source: string;
  /** Lower-case names of the fields to keep; all when absent. Indexes are large: unkept fields cost nothing. */
  keep?: ReadonlySet<string>;
}

/** deb822(5): printable ASCII but colon and space, not starting with `#` or `-`. */
const FIELD_NAME = /^[!-,.-9;-~][!-9;-~]*$/;

interface ScanState {
  stanzas: Deb822Stanza[];
  current: Deb822Stanza | null;
  /** The field continuation lines extend; null for a field not kept. */
  last: Deb822Field | null;
  inField: boolean;
}

/** Splits deb822 text into stanzas; a line that is neither field, continuation, comment nor blank is an error. */
export function parseDeb822(text: string, opts: Deb822Options): Deb822Stanza[] {
  // Scans offsets rather than slicing every line: a Packages index has a million lines, most of them
  // descriptions nobody keeps, and per-line strings made the parse GC-bound.
  const state: ScanState = { stanzas: [], current: null, last: null, inField: false };
  let start = 0;
  for (let no = 1; start < text.length; no++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    scanLine(text, start, stop, no, state, opts);
    start = end + 1;
  }
  return state.stanzas;
}

function scanLine(text: string, start: number, stop: number, no: number, s: ScanState, opts: Deb822Options) {
  const c = text.charCodeAt(start);
  if (isBlank(text, start, stop)) {
    s.current = null;
    s.last = null;
    s.inField = false;
  } else if (c === 35 /* # */) {
    // Comments neither end a stanza nor continue a field.
  } else if (c === 32 || c === 9) {
    if (!s.inField) throw lineAt(text, start, stop, no, opts, 'continuation line outside a field');
    if (s.last !== null) s.last.value += `\n${text.slice(start + 1, stop).trimEnd()}`;
  } else {
    const colon = text.indexOf(':', start);
    const name = colon === -1 || colon > stop ? '' : text.slice(start, colon).trimEnd();
    if (!FIELD_NAME.test(name)) throw lineAt(text, start, stop, no, opts, 'expected "Field: value"');
    if (s.current === null) {
      s.current = { line: no, fields: new Map() };
      s.stanzas.push(s.current);
    }
    s.inField = true;
    s.last = null;
    const key = name.toLowerCase();
    if (opts.keep !== undefined && !opts.keep.has(key)) return;
    const previous = s.current.fields.get(key);
    if (previous !== undefined) {
      const reason = `field ${name} given twice in a stanza (first on line ${previous.line})`;
      throw lineAt(text, start, stop, no, opts, reason);
    }
    s.last = { name, value: text.slice(colon + 1, stop).trim(), line: no };
    s.current.fields.set(key, s.last);
  }
}

function isBlank(text: string, start: number, stop: number): boolean {
  for (let i = start; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function lineAt(text: string, start: number, stop: number, no: number, opts: Deb822Options, reason: string) {
  const excerpt = excerptOf(text.slice(start, stop));
  return new ArtifactFormatError(reason, { source: opts.source, line: no, excerpt });
}

/** A binary package as a Packages index lists it. */
export interface DebianPackage {
  name: string;
  version: string;
  architecture: string;
  /** Path below the mirror root, e.g. `pool/main/l/linux/…deb`. */
  filename: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
  /** The source package; the binary's own name when the index omits it. */
  source: string;
  /** The source version; the binary's version when the index omits it (binNMUs differ). */
  sourceVersion: string;
  /** Comma-separated alternatives as written, whitespace folded. */
  depends: string[];
  /** Line of the stanza in the index. */
  line: number;
}

const REQUIRED = ['Package', 'Version', 'Architecture', 'Filename', 'Size', 'SHA256'] as const;
const KEPT = new Set([...REQUIRED, 'Source', 'Depends'].map((f) => f.toLowerCase()));
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const SOURCE = /^(\S+)(?:\s+\((\S+)\))?$/;

/** Parses a whole Packages index; every stanza must carry the fields needed to download and verify it. */
export function parsePackagesIndex(text: string, opts: Deb822Options): DebianPackage[] {
  return parseDeb822(text, { ...opts, keep: KEPT }).map((stanza) => toPackage(stanza, opts.source));
}

function toPackage(stanza: Deb822Stanza, source: string): DebianPackage {
  const f = stanza.fields;
  const where = (field: Deb822Field | undefined) => ({ source, line: field?.line ?? stanza.line });
  for (const name of REQUIRED) {
    if (!f.has(name.toLowerCase())) {
      const pkg = f.get('package');
      const excerpt = pkg === undefined ? undefined : `Package: ${pkg.value}`;
      throw new ArtifactFormatError(`stanza has no ${name} field`, { ...where(pkg), excerpt });
    }
  }
  const value = (key: string) => folded(f.get(key)!.value);
  const size = value('size');
  if (!/^\d+$/.test(size)) {
    throw new ArtifactFormatError('Size is not a byte count', { ...where(f.get('size')), excerpt: size });
  }
  const sha256 = value('sha256');
  if (!SHA256_HEX.test(sha256)) {
    const excerpt = excerptOf(sha256);
    throw new ArtifactFormatError('SHA256 is not 64 hex digits', { ...where(f.get('sha256')), excerpt });
  }
  const [name, version] = [value('package'), value('version')];
  const src = f.has('source') ? SOURCE.exec(value('source')) : null;
  const depends = f.has('depends') ? value('depends').split(',') : [];
  return {
    name,
    version,
    architecture: value('architecture'),
    filename: value('filename'),
    size: Number(size),
    sha256: sha256.toLowerCase(),
    source: src?.[1] ?? name,
    sourceVersion: src?.[2] ?? version,
    depends: depends.map((d) => d.trim()).filter((d) => d !== ''),
    line: stanza.line,
  };
}

/** A simple field's value on one line; the parser has already trimmed single-line values. */
const folded = (v: string) => (v.includes('\n') ? v.replace(/\s+/g, ' ').trim() : v);
