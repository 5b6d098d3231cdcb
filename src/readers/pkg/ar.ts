// The ar archive that wraps a .deb (deb(5), ar(5)); hand-written, since reading three member headers
// needs no library and the npm ar readers buffer whole archives.
//
//   "!<arch>\n"                              global magic, 8 bytes
//   then per member, a 60-byte header:
//     ar_name[16]  ar_date[12]  ar_uid[6]  ar_gid[6]  ar_mode[8] (octal)  ar_size[10] (decimal)  "`\n"
//   then ar_size bytes of data, padded with "\n" to an even offset.
//
// Names are space-padded; GNU ar ends them with "/". dpkg writes short names only, so the GNU "//" and
// BSD "#1/" long-name schemes are refused, not decoded.
import { ArtifactFormatError, excerptOf } from '../../errors.js';
import type { PackageFile } from './package-file.js';

export const AR_MAGIC = '!<arch>\n';
const HEADER_SIZE = 60;

export interface ArMember {
  name: string;
  /** Where the member's header starts. */
  headerOffset: number;
  /** Where its data starts. */
  offset: number;
  size: number;
}

/** The members in order, read lazily header by header; never reads member data. */
export async function* arMembers(file: PackageFile): AsyncGenerator<ArMember> {
  const magic = await file.read(0, AR_MAGIC.length, 'ar archive', 'the ar magic "!<arch>\\n"');
  if (magic.toString('latin1') !== AR_MAGIC) {
    throw new ArtifactFormatError(`expected the ar magic "!<arch>\\n", found ${hexBytes(magic)}`, {
      source: file.path,
      offset: 0,
      section: 'ar archive',
    });
  }
  let at = AR_MAGIC.length;
  while (at < file.size) {
    const header = await file.read(at, HEADER_SIZE, 'ar archive', 'ar member header');
    const member = parseHeader(header, at, file.path);
    if (member.offset + member.size > file.size) {
      throw new ArtifactFormatError(
        `member ${member.name} holds ${member.size} bytes but the file ends ${file.size - member.offset} bytes after its header (truncated?)`,
        { source: file.path, offset: at, section: member.name },
      );
    }
    yield member;
    at = member.offset + member.size + (member.size % 2);
  }
}

function parseHeader(header: Buffer, at: number, source: string): ArMember {
  const text = header.toString('latin1');
  const rawName = text.slice(0, 16).trimEnd();
  const ctx = { source, offset: at, section: 'ar member header' };
  const fail = (reason: string) => new ArtifactFormatError(`member "${excerptOf(rawName)}": ${reason}`, ctx);
  if (text.slice(58, 60) !== '`\n') {
    throw fail(
      `expected the ar member header end "\`\\n" at byte 58, found ${hexBytes(header.subarray(58, 60))}`,
    );
  }
  if (rawName.startsWith('#1/') || rawName.startsWith('/')) {
    throw fail('long ar member names are not used by .deb; refusing');
  }
  const name = rawName.endsWith('/') ? rawName.slice(0, -1) : rawName;
  const sizeText = text.slice(48, 58).trim();
  if (!/^\d{1,10}$/.test(sizeText))
    throw fail(`expected a decimal member size, found "${excerptOf(sizeText)}"`);
  return { name, headerOffset: at, offset: at + HEADER_SIZE, size: Number(sizeText) };
}

/** `ed ab ee db` for error messages. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
