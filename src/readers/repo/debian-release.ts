// A Debian repository's `dists/<suite>/Release` (or `InRelease`, the same text clearsigned), deb822 with
// one stanza (Debian wiki "DebianRepository/Format"):
//
//   Suite: bookworm
//   Date: Sat, 10 Jun 2023 08:53:33 UTC
//   Acquire-By-Hash: yes                               indexes also at <dir>/by-hash/SHA256/<sha256>
//   SHA256:
//    2a40c463…  1655296 main/binary-amd64/Packages.xz      hash, size, path below dists/<suite>/
//
// An InRelease file wraps that text in an OpenPGP cleartext signature (RFC 4880 §7): the header up to the
// first blank line, then the text with `- ` dash-escaping, then the signature block. The signature is not
// checked here (no keyring handling); the armor is only taken off.
import { ArtifactFormatError } from '../../errors.js';
import { parseDeb822 } from './debian-packages.js';

export interface ReleaseFile {
  /** Path below `dists/<suite>/`, e.g. `main/binary-amd64/Packages.xz`. */
  path: string;
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

export interface DebianRelease {
  suite: string | null;
  date: string | null;
  /**
   * `Acquire-By-Hash: yes`: each index is also at `<dir>/by-hash/SHA256/<sha256>`, a path that never
   * changes, so a client never gets a Packages newer than the Release it read while the mirror syncs.
   */
  acquireByHash: boolean;
  /** Keyed by path. */
  files: Map<string, ReleaseFile>;
}

const SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE = '-----BEGIN PGP SIGNATURE-----';

/** The signed text of a cleartext-signed message; text that is not signed is returned as it is. */
export function clearsignedText(text: string, source: string): string {
  const start = text.indexOf(SIGNED);
  if (start === -1) return text;
  const body = text.indexOf('\n\n', start);
  const end = text.indexOf(`\n${SIGNATURE}`, body);
  if (body === -1 || end === -1) {
    const reason = 'clearsigned text without a body or signature block (RFC 4880 §7)';
    throw new ArtifactFormatError(reason, { source, offset: start });
  }
  return text
    .slice(body + 2, end)
    .split('\n')
    .map((line) => (line.startsWith('- ') ? line.slice(2) : line))
    .join('\n');
}

const HASH_LINE = /^([0-9a-fA-F]{64})\s+(\d+)\s+(\S+)$/;

/** Parses a Release or InRelease file; its SHA256 list is what the Packages index is checked against. */
export function parseDebianRelease(text: string, opts: { source: string }): DebianRelease {
  const stanzas = parseDeb822(clearsignedText(text, opts.source), { source: opts.source });
  const fields = stanzas[0]?.fields;
  if (fields === undefined) throw new ArtifactFormatError('empty Release file', { source: opts.source });
  const files = new Map<string, ReleaseFile>();
  const sha = fields.get('sha256');
  if (sha === undefined) {
    throw new ArtifactFormatError('Release file has no SHA256 field', {
      source: opts.source,
      line: stanzas[0]!.line,
    });
  }
  for (const [i, raw] of sha.value.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const m = HASH_LINE.exec(line);
    if (m === null) {
      const where = { source: opts.source, line: sha.line + i, excerpt: line.slice(0, 80) };
      throw new ArtifactFormatError('expected "<sha256> <size> <path>" in SHA256', where);
    }
    files.set(m[3]!, { path: m[3]!, size: Number(m[2]), sha256: m[1]!.toLowerCase() });
  }
  return {
    suite: fields.get('suite')?.value ?? fields.get('codename')?.value ?? null,
    date: fields.get('date')?.value ?? null,
    acquireByHash: /^yes$/i.test(fields.get('acquire-by-hash')?.value ?? ''),
    files,
  };
}
