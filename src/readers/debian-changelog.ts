// A Debian changelog (debian/changelog, shipped as usr/share/doc/PKG/changelog.Debian.gz): only its first
// entry's trailer line is read, for the upload's date.
//
//   linux (6.1.170-3) bookworm-security; urgency=high
//     * ...
//    -- Maintainer <m@example.org>  Fri, 08 May 2026 21:59:49 +0200
//
// Debian policy 4.4 requires UTF-8; what is read (up to that trailer) is decoded strictly, so a changelog
// in another encoding is an error naming its line and byte offset (a warning for the package, no date).
import { createGunzip } from 'node:zlib';
import { ArtifactFormatError } from '../errors.js';
import { detectCompression } from './compression.js';
import { decodeText } from './text-decode.js';

const TRAILER = /^ -- .*?> {2}(.+)$/m;
const TRAILER_START = Buffer.from('\n -- ', 'latin1');
/** A first entry longer than this is not a changelog (6.1.176-1's, every upstream commit, is 3 MB). */
const MAX_FIRST_ENTRY = 64 << 20;
const EXPECTED = 'a Debian changelog in UTF-8';

/** The offset just past the first entry's trailer line (its newline included), or -1 when there is none. */
function endOfTrailer(bytes: Buffer): number {
  let at = 0;
  if (!bytes.subarray(0, 4).equals(TRAILER_START.subarray(1))) {
    const p = bytes.indexOf(TRAILER_START);
    if (p === -1) return -1;
    at = p + 1;
  }
  const nl = bytes.indexOf(10, at);
  return nl === -1 ? -1 : nl + 1;
}

/**
 * The date of a changelog's first entry, reading it (gzip or plain) only as far as that entry's trailer
 * line. Streamed, and never cut at a fixed size short of MAX_FIRST_ENTRY: a stable update's first entry
 * lists every upstream commit (6.1.176-1's trailer is 94 KB in, past 3 MB of changelog).
 */
export async function changelogDateOf(bytes: Uint8Array, source: string): Promise<string | null> {
  if (detectCompression(bytes) !== 'gzip') return changelogDate(bytes, source);
  const gunzip = createGunzip();
  const chunks: Buffer[] = [];
  let size = 0;
  // The last bytes seen, so that a trailer's start split across chunks is found; a virtual newline first.
  let tail = Buffer.from('\n');
  let trailerAt = -1;
  try {
    gunzip.end(bytes);
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const base = size;
      chunks.push(chunk);
      size += chunk.length;
      if (trailerAt === -1) {
        const joined = Buffer.concat([tail, chunk]);
        const p = joined.indexOf(TRAILER_START);
        if (p !== -1) trailerAt = base - tail.length + p + 1;
        tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TRAILER_START.length + 1)));
      }
      if (trailerAt !== -1) {
        const nl = chunk.indexOf(10, Math.max(0, trailerAt - base));
        if (nl !== -1) return changelogDate(Buffer.concat(chunks, size).subarray(0, base + nl + 1), source);
      }
      if (size > MAX_FIRST_ENTRY)
        throw new ArtifactFormatError(
          `no entry trailer (" -- name <email>  date") in the first ${MAX_FIRST_ENTRY >> 20} MiB`,
          { source },
        );
    }
  } catch (cause) {
    if (cause instanceof ArtifactFormatError) throw cause;
    throw new ArtifactFormatError(`corrupt or truncated gzip data (${(cause as Error).message})`, {
      source,
      cause,
    });
  } finally {
    gunzip.destroy();
  }
  return changelogDate(Buffer.concat(chunks, size), source);
}

/** `linux (6.1.170-3) ...` then ` -- Maintainer <m@x>  Fri, 08 May 2026 21:59:49 +0200` → `2026-05-08`. */
export function changelogDate(data: Uint8Array, source = 'changelog'): string | null {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const end = endOfTrailer(bytes);
  const m = TRAILER.exec(decodeText(end === -1 ? bytes : bytes.subarray(0, end), source, EXPECTED));
  if (!m) return null;
  const d = /^\w{3}, (\d{1,2}) (\w{3}) (\d{4})/.exec(m[1]!.trim());
  if (!d) return null;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(d[2]!) / 3 + 1;
  if (month < 1) return null;
  return `${d[3]}-${String(month).padStart(2, '0')}-${d[1]!.padStart(2, '0')}`;
}
